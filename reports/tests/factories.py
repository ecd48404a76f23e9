import factory

from champions.tests.factories import ChampionFactory
from commitments.tests.factories import CommitmentFactory, CycleFactory
from reports.models import Assessment, Level, Report


class ReportFactory(factory.django.DjangoModelFactory):
    """A champion's report on a cycle, not submitted: Report.submit signs one off as the app does."""

    class Meta:
        model = Report

    champion = factory.SubFactory(ChampionFactory)
    cycle = factory.SubFactory(CycleFactory)


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A commitment's self-assessment by its champion, at the level its progress proposed."""

    class Meta:
        model = Assessment

    commitment = factory.SubFactory(CommitmentFactory)
    level = Level.LIMITED
    proposed_level = factory.SelfAttribute("level")
    measured_progress = 0
    narrative = factory.Sequence(lambda n: f"What was done, and what was not ({n}).")
    assessed_by = factory.SelfAttribute("commitment.champion.user")
