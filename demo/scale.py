"""The benchmark's scale loader: champions beyond the demo's network ('Champion 0001', 'Champion
0002'...), five commitments each and as many progress events on each as asked, inserted in bulk.

How it knows its own rows: by the emails of its users, matched exactly. Scaled champion i is the
champion of the user champion{i:04d}@demo.genderchampions.org, and focal{(i + 1) // 2:04d}@... is
their focal point. The loader computes the exact emails of the champions it is asked for and finds
the users by them (ignoring case, as sign-in and the unique index on lower(email) do), its champions
through those users (a user is at most one champion), their commitments by champion, cycle and number,
and the events by commitment. Nothing is found by name: a real champion called 'Champion Smith', or
even 'Champion 0003' in the organization scaled champion 3 belongs to, is neither taken for one of
the loader's nor keeps it from adding its own.

Why emails rather than a domain or organizations of its own: the load test signs in as
champion0001@demo.genderchampions.org... (bench/loadtest_locustfile.py), and the scaled champions
belong to the demo's organizations and six hubs so that the dashboards show a network's real shape
and benchmark figures stay comparable from run to run.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models.functions import Lower

from accounts.models import User
from champions.models import HUB_NAMES, Champion, Hub, Organization
from commitments import data_version
from commitments.models import Category, Commitment
from demo.network import (
    DOMAIN,
    HOME_HUB,
    ORGANIZATIONS,
    TEMPLATES,
    draw_event,
    draw_joined_on,
    draw_schedule,
    generator,
)
from events.models import ProgressEvent

BATCH_SIZE = 2000
SCALED_ORGANIZATIONS = [acronym for acronym, *_ in ORGANIZATIONS if acronym != "UNS"]
SCALED_TITLES = ["Director-General", "Executive Director", "Head of Mission", "Ambassador", "Director"]


@dataclass(frozen=True)
class ScaledChampion:
    """Scaled champion `number` and their five commitments (target, due date, status)."""

    number: int
    title: str
    organization: str
    joined_on: datetime.date
    commitments: list
    stale: bool

    @classmethod
    def draw(cls, number, cycle, today):
        """Drawn from a generator of their own, so each comes out the same whatever else exists."""
        rng = generator("champion", number)
        return cls(
            number=number,
            title=rng.choice(SCALED_TITLES),
            organization=SCALED_ORGANIZATIONS[(number - 1) % len(SCALED_ORGANIZATIONS)],
            joined_on=draw_joined_on(rng),
            commitments=[(target, *draw_schedule(rng, cycle, today)) for target in rng.sample(TEMPLATES, 5)],
            stale=rng.random() < 0.15,
        )

    @property
    def full_name(self):
        return f"Champion {self.number:04d}"

    @property
    def email(self):
        return f"champion{self.number:04d}@{DOMAIN}"

    @property
    def focal_point_number(self):
        """Two scaled champions share each focal point."""
        return (self.number + 1) // 2

    @property
    def focal_point_email(self):
        return f"focal{self.focal_point_number:04d}@{DOMAIN}"

    @property
    def focal_point_name(self):
        return f"Focal Point {self.focal_point_number:04d}"


def users_with(emails):
    """The users of these (lower-case) emails, ignoring case as sign-in and the unique index do."""
    return User.objects.alias(email_key=Lower("email")).filter(email_key__in=emails)


class ScaleLoader:
    """Adds what is missing of scaled champions 1 to `count` in the cycle, in bulk, and counts it.

    They belong to the demo's organizations and hubs, which must exist (seed_demo seeds them first).
    """

    def __init__(self, count, *, cycle, today):
        self.cycle = cycle
        self.today = today
        self.plans = [ScaledChampion.draw(number, cycle, today) for number in range(1, count + 1)]
        self.created = Counter()

    # The loader's rows, found by its users' emails.

    def users(self):
        """The scaled champions' users and their focal points."""
        return users_with(
            {plan.email for plan in self.plans} | {plan.focal_point_email for plan in self.plans}
        )

    def champions(self):
        return Champion.objects.filter(user__in=users_with([plan.email for plan in self.plans]))

    def commitments(self):
        """The scaled champions' commitments in the cycle."""
        return Commitment.objects.filter(cycle=self.cycle, champion__in=self.champions())

    # Loading.

    def load(self, events_per_commitment, *, password_hash):
        """events_per_commitment: on each commitment; None for a handful, and none for a stale champion.

        password_hash: the one hash every new user gets (hashing is slow on purpose: one per user
        would take minutes).
        """
        if not self.plans:
            return self.created
        user_ids = self.add_users(password_hash)
        champion_ids = self.add_champions(user_ids)
        commitment_ids = self.add_commitments(champion_ids)
        affected = self.add_events(user_ids, champion_ids, commitment_ids, events_per_commitment)
        for start in range(0, len(affected), BATCH_SIZE):
            Commitment.objects.filter(pk__in=affected[start : start + BATCH_SIZE]).recount_rollups()
        # Inserted in bulk, the commitments without events (a milestone's status) have no progress yet.
        self.commitments().refresh_progress()
        if not affected and (self.created["champions"] or self.created["commitments"]):
            # Why: bulk_create sends no signals, and no recount told the dashboard's cache either.
            data_version.changed()
        return self.created

    def add_users(self, password_hash):
        """Inserts the users missing; returns lower-cased email → user id."""
        names = {plan.email: plan.full_name for plan in self.plans}
        names.update({plan.focal_point_email: plan.focal_point_name for plan in self.plans})
        existing = set(self.users().values_list(Lower("email"), flat=True))
        new = [
            User(email=email, full_name=full_name, password=password_hash)
            for email, full_name in names.items()
            if email not in existing
        ]
        User.objects.bulk_create(new, batch_size=BATCH_SIZE)
        self.created["users"] += len(new)
        return dict(self.users().values_list(Lower("email"), "pk"))

    def add_champions(self, user_ids):
        """Inserts the champions missing, with their focal points; returns scaled number → champion id."""
        organizations = {
            organization.acronym: organization
            for organization in Organization.objects.filter(acronym__in=SCALED_ORGANIZATIONS)
        }
        hubs = Hub.objects.in_bulk(HUB_NAMES, field_name="name")
        existing = set(self.champions().values_list("user_id", flat=True))
        new = [
            Champion(
                user_id=user_ids[plan.email],
                full_name=plan.full_name,
                title=plan.title,
                organization=organizations[plan.organization],
                hub=hubs[HOME_HUB[plan.organization]],
                joined_on=plan.joined_on,
            )
            for plan in self.plans
            if user_ids[plan.email] not in existing
        ]
        Champion.objects.bulk_create(new, batch_size=BATCH_SIZE)
        self.created["champions"] += len(new)
        champion_of_user = dict(self.champions().values_list("user_id", "pk"))
        focal_point_of_user = {user_ids[plan.email]: user_ids[plan.focal_point_email] for plan in self.plans}
        FocalPoint = Champion.focal_points.through
        FocalPoint.objects.bulk_create(
            [
                FocalPoint(champion_id=champion_of_user[c.user_id], user_id=focal_point_of_user[c.user_id])
                for c in new
            ],
            batch_size=BATCH_SIZE,
        )
        return {plan.number: champion_of_user[user_ids[plan.email]] for plan in self.plans}

    def add_commitments(self, champion_ids):
        """Inserts the commitments missing; returns (champion id, number) → commitment id."""
        existing = set(self.commitments().values_list("champion_id", "number"))
        new = [
            Commitment(
                champion_id=champion_ids[plan.number],
                cycle=self.cycle,
                number=number,
                due_on=due_on,
                status=status,
                **target.fields(),
            )
            for plan in self.plans
            for number, (target, due_on, status) in enumerate(
                plan.commitments[: self.cycle.max_commitments], start=1
            )
            if (champion_ids[plan.number], number) not in existing
        ]
        Commitment.objects.bulk_create(new, batch_size=BATCH_SIZE)
        self.created["commitments"] += len(new)
        ids = {(c, n): pk for c, n, pk in self.commitments().values_list("champion_id", "number", "pk")}
        categories = dict(Category.objects.starting().values_list("slug", "pk"))
        Commitment.categories.through.objects.bulk_create(
            [
                Commitment.categories.through(
                    commitment_id=ids[(champion_ids[plan.number], number)],
                    category_id=categories[target.category],
                )
                for plan in self.plans
                for number, (target, _due_on, _status) in enumerate(
                    plan.commitments[: self.cycle.max_commitments], start=1
                )
            ],
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,
        )
        return ids

    def add_events(self, user_ids, champion_ids, commitment_ids, events_per_commitment):
        """Inserts the events of each commitment that has none yet; returns the commitments given some."""
        logged = set(
            ProgressEvent.objects.filter(commitment__in=self.commitments())
            .order_by()
            .values_list("commitment_id", flat=True)
            .distinct()
        )
        affected, events = [], []
        for plan in self.plans:
            if events_per_commitment is None and plan.stale:
                continue
            loggers = [user_ids[plan.focal_point_email]] * 3 + [user_ids[plan.email]]
            for number, (target, _, status) in enumerate(plan.commitments, start=1):
                commitment_id = commitment_ids.get((champion_ids[plan.number], number))
                if commitment_id is None or commitment_id in logged:
                    continue
                rng = generator("commitment", plan.number, number)
                how_many = (
                    target.handful(rng, status) if events_per_commitment is None else events_per_commitment
                )
                for _ in range(how_many):
                    kind = target.event_kind(rng)
                    logged_by_id = rng.choice(loggers)
                    events.append(
                        ProgressEvent(
                            commitment_id=commitment_id,
                            logged_by_id=logged_by_id,
                            **draw_event(rng, kind, self.cycle, self.today),
                        )
                    )
                if how_many:
                    affected.append(commitment_id)
                # Why flush: 200,000 unsaved model instances would hold hundreds of megabytes.
                if len(events) >= 5 * BATCH_SIZE:
                    ProgressEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
                    self.created["events"] += len(events)
                    events = []
        ProgressEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
        self.created["events"] += len(events)
        return affected
