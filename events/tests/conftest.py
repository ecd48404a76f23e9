from decimal import Decimal

import pytest

from commitments.models import TargetKind
from commitments.tests.factories import CommitmentFactory

# Published in parts, as networks publish them; the "<" shows the text is escaped, never markup.
PAY_GAP_TEXT = (
    "Reduce the gender pay gap in our organisation from 12.5% to 5% by the end of the year:\n"
    "a) publish the gap by grade every quarter;\n"
    "b) review every starting salary set above the grade's midpoint <with the staff union>."
)


@pytest.fixture
def pay_gap(cast):
    """The champion's indicator commitment, measured downward: the pay gap from 12.5% to 5%."""
    return CommitmentFactory(
        champion=cast.champion,
        cycle=cast.cycle,
        number=2,
        text=PAY_GAP_TEXT,
        target_kind=TargetKind.INDICATOR,
        baseline=Decimal("12.5"),
        target_value=Decimal(5),
        unit="% pay gap",
        counts_kind="",
        categories=["selection-recruitment"],
    )
