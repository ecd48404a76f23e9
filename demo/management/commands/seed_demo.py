"""seed_demo: writes the demo data (demo/network.py) where it is missing, and on request the
benchmark's champions beyond it (demo/scale.py), with the history a report as of a past day is
rebuilt from (demo/history.py). Running it again adds nothing."""

import random
import time
from collections import Counter

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User, office_group
from champions.models import HUB_NAMES, Champion, Hub, Organization, Pledge, PledgeSignature
from commitments.models import Approval, Category, Commitment, Cycle, EventKind, Status, TargetKind
from demo.history import commitment_set_on, write_first_history
from demo.network import (
    ADMIN_EMAIL,
    ADMIN_NAME,
    DAY,
    DEFAULT_CHAMPIONS,
    DOMAIN,
    FOCAL_POINT_EMAIL,
    FOCAL_POINTS,
    GBV,
    GBV_PLEDGE_LAUNCHED_ON,
    HOME_HUB,
    LACROIX,
    LACROIX_ANNOUNCEMENT,
    LACROIX_EMAIL,
    LACROIX_EVENTS,
    LACROIX_PAST_STATUSES,
    LACROIX_PLEDGES,
    LACROIX_STATUSES,
    LACROIX_TARGETS,
    LACROIX_TRAINING_DUE_IN_DAYS,
    NETWORK,
    NETWORK_PLEDGES,
    NOT_PUBLIC,
    OFFICE_EMAIL,
    OFFICE_NAME,
    ORGANIZATIONS,
    PASSWORD,
    SEED,
    STALE,
    TEMPLATES,
    day,
    draw_event,
    draw_joined_on,
    draw_schedule,
)
from demo.scale import ScaleLoader
from events.models import CheckIn, PanelOutcome, ProgressEvent

# How many champions of the network have begun next year's commitments, and what the office asked
# of the first one's first commitment.
NEXT_CYCLE_SETTERS = 4
NEXT_CYCLE_RETURN_COMMENT = "Give a number to reach: how many town halls, and by when?"
CARRIED_FIELDS = [
    "text",
    "title",
    "description",
    "target_kind",
    "target_value",
    "baseline",
    "unit",
    "counts_kind",
]

# bench/queries.py reads the logins' emails and PASSWORD through this module.
LOGINS = [
    ("champion", LACROIX_EMAIL),
    ("focal point", FOCAL_POINT_EMAIL),
    ("chief-of-staff office", OFFICE_EMAIL),
    ("admin", ADMIN_EMAIL),
]


class Command(BaseCommand):
    help = (
        "Create the demo data: Jean-Pierre Lacroix and his five commitments as announced, a network of "
        "champions across the six hubs, and the demo logins. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--champions",
            type=int,
            default=DEFAULT_CHAMPIONS,
            help=(
                f"Total number of champions (default {DEFAULT_CHAMPIONS}). Above that, the extra ones are "
                "'Champion 0001', 'Champion 0002'... with five commitments each, inserted in bulk."
            ),
        )
        parser.add_argument(
            "--events-per-commitment",
            type=int,
            default=None,
            help="Progress events on each extra champion's commitment (default: a handful, some none).",
        )

    def handle(self, *args, champions, events_per_commitment, **options):
        if champions < 1:
            raise CommandError("--champions must be at least 1: the seed's champion.")
        if events_per_commitment is not None and events_per_commitment < 0:
            raise CommandError("--events-per-commitment cannot be negative.")
        started = time.monotonic()
        with transaction.atomic():
            seeder = DemoSeeder(timezone.localdate())
            seeder.seed(champions, events_per_commitment)
        self.report(seeder, time.monotonic() - started)

    def report(self, seeder, seconds):
        created = seeder.created
        if any(created.values()):
            added = ", ".join(
                f"{created[what]} {what}"
                for what in ("users", "champions", "commitments", "events", "check-ins")
            )
            self.stdout.write(
                self.style.SUCCESS(f"Seeded the {seeder.cycle.year} cycle in {seconds:.1f} s: added {added}.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("The demo data is already there: nothing added."))
        self.stdout.write(f"Demo logins for {settings.SITE_URL}/ (password for every demo user: {PASSWORD}):")
        for role, email in LOGINS:
            self.stdout.write(f"  {role:<22} {email}")
        if seeder.existing_logins:
            self.stdout.write(self.style.WARNING("Demo users that already existed kept their passwords."))


class DemoSeeder:
    """Creates what is missing of the demo data, keyed on natural keys, and counts what it added."""

    def __init__(self, today):
        self.today = today
        self.cycle = Cycle.for_year(today.year)
        self.previous_cycle = Cycle.for_year(today.year - 1)
        # Why one hash: hashing is deliberately slow, and bulk users would take minutes one by one.
        self.password_hash = make_password(PASSWORD)
        self.created = Counter()
        self.existing_logins = False
        self.users_added = set()  # pks of the users this run created (some are looked up twice)

    def seed(self, champions, events_per_commitment):
        self.hubs = {name: Hub.objects.get_or_create(name=name)[0] for name in HUB_NAMES}
        self.categories = {category.slug: category for category in Category.objects.starting()}
        self.pledges = {pledge.slug: pledge for pledge in Pledge.objects.starting()}
        self.organizations = {}
        for acronym, name, parent, _ in ORGANIZATIONS:
            self.organizations[acronym] = Organization.objects.get_or_create(
                acronym=acronym, defaults={"name": name, "parent": self.organizations.get(parent)}
            )[0]
        self.seed_lacroix()
        self.seed_network(NETWORK[: champions - 1])
        self.seed_next_cycle(NETWORK[: min(champions - 1, NEXT_CYCLE_SETTERS)])
        scale = ScaleLoader(champions - DEFAULT_CHAMPIONS, cycle=self.cycle, today=self.today)
        self.created.update(scale.load(events_per_commitment, password_hash=self.password_hash))
        self.seed_office_and_admin()
        # Once, for everything inserted in bulk above (the network's events and check-ins, the scale
        # loader's commitments and events): a report as of a past day shows the demo.
        write_first_history()

    # The pieces, each created only when missing.

    def user(self, email, full_name, login=False, **flags):
        user, created = User.objects.get_or_create(
            email__iexact=email,
            defaults={"email": email, "full_name": full_name, "password": self.password_hash, **flags},
        )
        self.created["users"] += created
        if created:
            self.users_added.add(user.pk)
        self.existing_logins |= login and user.pk not in self.users_added
        return user

    def champion(self, demo_champion, user, joined_on):
        acronym = demo_champion.organization
        champion, created = Champion.objects.get_or_create(
            full_name=demo_champion.full_name,
            organization=self.organizations[acronym],
            defaults={
                "title": demo_champion.title,
                "user": user,
                "joined_on": joined_on,
                "hub": self.hubs[HOME_HUB[acronym]],
                "is_public": demo_champion.full_name not in NOT_PUBLIC,
            },
        )
        self.created["champions"] += created
        return champion

    def sign(self, champion, slugs):
        """The champion's signatures of these pledges: on joining, and not before a pledge was launched."""
        for slug in slugs:
            signed_on = champion.joined_on
            if slug == GBV:
                signed_on = max(signed_on, GBV_PLEDGE_LAUNCHED_ON)
            PledgeSignature.objects.get_or_create(
                pledge=self.pledges[slug], champion=champion, defaults={"signed_on": signed_on}
            )

    def commitments(self, champion, cycle, plans, description=""):
        """The champion's commitments in the cycle by number: plans are (target, due date, status)."""
        result = {}
        for number, (target, due_on, status) in enumerate(plans[: cycle.max_commitments], start=1):
            commitment = Commitment.objects.filter(champion=champion, cycle=cycle, number=number).first()
            if commitment is None:
                commitment = Commitment(
                    champion=champion,
                    cycle=cycle,
                    number=number,
                    **target.fields(),
                    description=description,
                    due_on=due_on,
                    status=status,
                )
                # Its history dated as if set when the cycle began (demo/history.py), not at the
                # seed's run: a report as of a past day of the cycle shows it.
                commitment._history_date = commitment_set_on(cycle.starts_on, timezone.now())
                commitment.save()
                commitment.categories.set([self.categories[target.category]])
                del commitment._history_date  # what is saved of it later is dated when it is
                self.created["commitments"] += 1
            result[number] = commitment
        return result

    def event(self, rng, kind, logged_by_id):
        return ProgressEvent(logged_by_id=logged_by_id, **draw_event(rng, kind, self.cycle, self.today))

    def add_events(self, planned):
        """Insert the planned events of each commitment that has none yet, then recount its roll-ups.

        planned: (commitment or None, [ProgressEvent...]) pairs.
        """
        wanted = {commitment.pk: events for commitment, events in planned if commitment and events}
        logged = set(
            ProgressEvent.objects.filter(commitment_id__in=wanted).values_list("commitment_id", flat=True)
        )
        new = []
        for commitment_id, events in wanted.items():
            if commitment_id not in logged:
                for event in events:
                    event.commitment_id = commitment_id
                new.extend(events)
        if new:
            ProgressEvent.objects.bulk_create(new)
            Commitment.objects.filter(pk__in=wanted.keys() - logged).recount_rollups()
            self.created["events"] += len(new)

    def add_check_ins(self, planned):
        """Insert the planned values of each indicator commitment that has none yet, then recount its
        roll-ups (its latest value). planned: (commitment, Target.check_ins, who reports) triples."""
        reported = set(
            CheckIn.objects.filter(commitment__in=[commitment for commitment, *_ in planned]).values_list(
                "commitment_id", flat=True
            )
        )
        new = [
            CheckIn(
                commitment=commitment,
                measured_on=day(self.cycle, self.today, days_ago),
                value=value,
                comment=comment,
                logged_by=logged_by,
            )
            for commitment, check_ins, logged_by in planned
            if commitment.pk not in reported
            for days_ago, value, comment in check_ins
        ]
        if new:
            CheckIn.objects.bulk_create(new)
            Commitment.objects.filter(pk__in={check_in.commitment_id for check_in in new}).recount_rollups()
            self.created["check-ins"] += len(new)

    # The seed's champion, the network, the office and the admin.

    def seed_lacroix(self):
        user = self.user(LACROIX_EMAIL, LACROIX.full_name, login=True)
        focal_point = self.user(FOCAL_POINT_EMAIL, FOCAL_POINTS[LACROIX.focal_point], login=True)
        lacroix = self.champion(LACROIX, user, LACROIX.joined_on)
        lacroix.focal_points.add(focal_point)
        self.sign(lacroix, LACROIX_PLEDGES)
        due_on = [self.cycle.ends_on] * len(LACROIX_TARGETS)
        due_on[2] = min(self.today + LACROIX_TRAINING_DUE_IN_DAYS * DAY, self.cycle.ends_on)
        plans = list(zip(LACROIX_TARGETS, due_on, LACROIX_STATUSES, strict=True))
        current = self.commitments(lacroix, self.cycle, plans, LACROIX_ANNOUNCEMENT)
        planned = {}
        for number, days_ago, kind, title, fields in LACROIX_EVENTS:
            event = ProgressEvent(
                occurred_on=day(self.cycle, self.today, days_ago),
                kind=kind,
                title=title,
                logged_by=focal_point,
                **fields,
            )
            planned.setdefault(current.get(number), []).append(event)

        cycle = self.previous_cycle
        plans = [
            (target, cycle.ends_on, status)
            for target, status in zip(LACROIX_TARGETS, LACROIX_PAST_STATUSES, strict=True)
        ]
        past = self.commitments(lacroix, cycle, plans, LACROIX_ANNOUNCEMENT)
        rng = random.Random(SEED)
        for number, (target, _, status) in enumerate(plans, start=1):
            how_many = (
                (target.value if target.kind == TargetKind.COUNT else 3) if status == Status.COMPLETED else 0
            )
            spacing = (cycle.ends_on - cycle.starts_on) / (how_many + 1)
            for k in range(1, how_many + 1):
                event = self.event(rng, target.event_kind(rng), user.pk)
                event.occurred_on = cycle.starts_on + spacing * k
                if event.kind == EventKind.PANEL:
                    event.women_count, event.men_count = 2, 2
                    event.panel_outcome, event.outcome_reason = PanelOutcome.BALANCED, ""
                planned.setdefault(past.get(number), []).append(event)
        self.add_events(planned.items())

    def seed_network(self, network):
        # Why draw everything whatever exists: the same draws give the same plan on every run.
        rng = random.Random(SEED)
        planned, reported = [], []
        for demo_champion in network:
            targets = rng.sample(TEMPLATES, 5)
            schedules = [draw_schedule(rng, self.cycle, self.today) for _ in targets]
            joined_on = draw_joined_on(rng)
            first_name, _, last_name = demo_champion.full_name.partition(" ")
            user = self.user(f"{slugify(first_name)}.{slugify(last_name)}@{DOMAIN}", demo_champion.full_name)
            focal_point = self.user(
                f"{demo_champion.focal_point}@{DOMAIN}", FOCAL_POINTS[demo_champion.focal_point]
            )
            champion = self.champion(demo_champion, user, joined_on)
            champion.focal_points.add(focal_point)
            self.sign(champion, NETWORK_PLEDGES.get(demo_champion.full_name, []))
            commitments = self.commitments(
                champion,
                self.cycle,
                [(t, due_on, status) for t, (due_on, status) in zip(targets, schedules, strict=True)],
            )
            for number, (target, (_, status)) in enumerate(zip(targets, schedules, strict=True), start=1):
                count = target.handful(rng, status)
                events = [
                    self.event(rng, target.event_kind(rng), rng.choice([focal_point.pk] * 3 + [user.pk]))
                    for _ in range(count)
                ]
                if demo_champion.full_name not in STALE:
                    planned.append((commitments.get(number), events))
                if target.check_ins and status != Status.NOT_STARTED and demo_champion.full_name not in STALE:
                    reported.append((commitments[number], target.check_ins, focal_point))
        self.add_events(planned)
        self.add_check_ins(reported)

    def seed_next_cycle(self, network):
        """The start of next year, under way: the next cycle exists (its commitments due by the end of
        January), a few champions of the network have carried their unfinished commitments into it
        and submitted them, one has had one returned; the seed's champion has set nothing yet, so
        that a demo user can. Nothing is added once a champion has any commitment in it."""
        cycle = Cycle.for_year(self.cycle.year + 1)
        office = self.user(OFFICE_EMAIL, OFFICE_NAME, login=True)
        for index, demo_champion in enumerate(network):
            champion = Champion.objects.get(full_name=demo_champion.full_name)
            if cycle.commitments.filter(champion=champion).exists():
                continue
            carried = champion.commitments.approved().filter(cycle=self.cycle).open().order_by("number")[:3]
            for number, old in enumerate(carried, start=1):
                draft = Commitment.objects.create(
                    champion=champion,
                    cycle=cycle,
                    number=number,
                    approval=Approval.DRAFT,
                    carried_from=old,
                    **{name: getattr(old, name) for name in CARRIED_FIELDS},
                    due_on=cycle.ends_on,
                )
                draft.categories.set(old.categories.all())
                self.created["commitments"] += 1
                draft.submit(champion.user)
                if index == 0 and number == 1:
                    draft.return_for_changes(office, NEXT_CYCLE_RETURN_COMMENT)

    def seed_office_and_admin(self):
        office = self.user(OFFICE_EMAIL, OFFICE_NAME, login=True)
        office.groups.add(office_group())
        admin = self.user(ADMIN_EMAIL, ADMIN_NAME, login=True, is_staff=True, is_superuser=True)
        if not (admin.is_staff and admin.is_superuser):
            admin.is_staff = admin.is_superuser = True
            admin.save(update_fields=["is_staff", "is_superuser"])
