"""Fixtures of the reports' tests."""

import pytest

from reports.tests.annual_network import build_network


@pytest.fixture
def network():
    """Seventeen approved commitments: four at each level in four submitted reports (one of them
    late), and a fifth champion's report missing. The office rated five, one two steps lower."""
    return build_network()
