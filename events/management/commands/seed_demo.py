"""Demo data: the seed's champion and his five commitments as announced, and a network around him."""

import datetime
import random
import time
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User, office_group
from champions.models import HUB_NAMES, Champion, Hub, Organization
from commitments.models import Commitment, Cycle, EventKind, Status, TargetKind
from events.models import PanelOutcome, ProgressEvent, Scope, TaskForceRole

SEED = 2026
DOMAIN = "demo.genderchampions.org"
PASSWORD = "demo-password-2026"
BATCH_SIZE = 2000
DAY = datetime.timedelta(days=1)
SCALED_PREFIX = "Champion "

LACROIX_EMAIL = f"jean-pierre.lacroix@{DOMAIN}"
FOCAL_POINT_EMAIL = f"focal.point@{DOMAIN}"
OFFICE_EMAIL = f"office@{DOMAIN}"
ADMIN_EMAIL = f"admin@{DOMAIN}"

# acronym, name, parent's acronym, hub. Parents come before their children.
ORGANIZATIONS = [
    ("UNS", "United Nations Secretariat", None, "New York"),
    ("DPKO", "Department of Peacekeeping Operations", "UNS", "New York"),
    ("DFS", "Department of Field Support", "UNS", "New York"),
    ("UNMISS", "United Nations Mission in the Republic of South Sudan", "DPKO", "New York"),
    ("IPI", "International Peace Institute", None, "New York"),
    ("UNHCR", "Office of the United Nations High Commissioner for Refugees", None, "Geneva"),
    ("WHO", "World Health Organization", None, "Geneva"),
    ("WILPF", "Women's International League for Peace and Freedom", None, "Geneva"),
    ("UNODC", "United Nations Office on Drugs and Crime", "UNS", "Vienna"),
    ("IAEA", "International Atomic Energy Agency", None, "Vienna"),
    ("UNEP", "United Nations Environment Programme", None, "Nairobi"),
    ("UN-Habitat", "United Nations Human Settlements Programme", None, "Nairobi"),
    ("ICC", "International Criminal Court", None, "The Hague"),
    ("OPCW", "Organisation for the Prohibition of Chemical Weapons", None, "The Hague"),
    ("UNESCO", "United Nations Educational, Scientific and Cultural Organization", None, "Paris"),
    ("OECD", "Organisation for Economic Co-operation and Development", None, "Paris"),
]
HOME_HUB = {acronym: hub for acronym, _, _, hub in ORGANIZATIONS}

# The network around the seed's champion: full name, title, organization, focal point's email.
# Focal points who appear twice serve two champions.
NETWORK = [
    ("Mariana Okonkwo-Reyes", "Under-Secretary-General for Field Support", "DFS", "focal.point"),
    ("David Mensah", "Special Representative and Head of Mission", "UNMISS", "grace.tembo"),
    ("Helena Lindqvist", "President", "IPI", "grace.tembo"),
    ("Rashid Al-Khatib", "Deputy High Commissioner", "UNHCR", "lucia.ferrante"),
    ("Claire Dubois", "Assistant Director-General", "WHO", "lucia.ferrante"),
    ("Nomvula Dlamini", "Secretary-General", "WILPF", "tomas.novak"),
    ("Ingrid Hofer", "Director, Division for Operations", "UNODC", "karim.haddad"),
    ("Kenji Watanabe", "Deputy Director General", "IAEA", "karim.haddad"),
    ("Elif Yildiz", "Director, Division of Human Resources", "IAEA", "anna.kowalska"),
    ("Wanjiru Kamau", "Deputy Executive Director", "UNEP", "peter.otieno"),
    ("Samuel Achieng", "Director, Programme Division", "UN-Habitat", "peter.otieno"),
    ("Fatou Ndiaye", "Director, Regional Office for Africa", "UN-Habitat", "amani.mwangi"),
    ("Pieter van der Berg", "Registrar", "ICC", "sanne.devries"),
    ("Lucía Fernández", "Deputy Prosecutor", "ICC", "sanne.devries"),
    ("Omar Benali", "Deputy Director-General", "OPCW", "julia.schmidt"),
    ("Camille Laurent", "Assistant Director-General for Education", "UNESCO", "hugo.martin"),
    ("Robert Ashworth", "Deputy Secretary-General", "OECD", "hugo.martin"),
    ("Amara Sesay", "Director for Public Governance", "OECD", "chloe.bernard"),
]
FOCAL_POINTS = {
    "focal.point": "Sofia Marchetti",
    "grace.tembo": "Grace Tembo",
    "lucia.ferrante": "Lucia Ferrante",
    "tomas.novak": "Tomas Novak",
    "karim.haddad": "Karim Haddad",
    "anna.kowalska": "Anna Kowalska",
    "peter.otieno": "Peter Otieno",
    "amani.mwangi": "Amani Mwangi",
    "sanne.devries": "Sanne de Vries",
    "julia.schmidt": "Julia Schmidt",
    "hugo.martin": "Hugo Martin",
    "chloe.bernard": "Chloé Bernard",
}
# Champions of the network who have logged nothing yet: the dashboards show them as stale.
STALE = {"Helena Lindqvist", "Kenji Watanabe", "Robert Ashworth"}
DEFAULT_CHAMPIONS = 1 + len(NETWORK)
SCALED_ORGANIZATIONS = [acronym for acronym, *_ in ORGANIZATIONS if acronym != "UNS"]
SCALED_TITLES = ["Director-General", "Executive Director", "Head of Mission", "Ambassador", "Director"]


@dataclass(frozen=True)
class Target:
    """What a commitment promises, and which progress events count toward it."""

    title: str
    category: str
    kind: str = TargetKind.COUNT
    value: int | None = None
    unit: str = ""
    counts_kind: str = ""

    def fields(self):
        return {
            "title": self.title,
            "category": self.category,
            "target_kind": self.kind,
            "target_value": self.value,
            "unit": self.unit,
            "counts_kind": self.counts_kind,
        }

    def event_kind(self, rng):
        if self.counts_kind:
            return self.counts_kind
        if self.kind == TargetKind.PERCENTAGE:
            return EventKind.PANEL
        if self.kind == TargetKind.MILESTONE:
            return EventKind.OTHER
        return rng.choice([EventKind.MEETING, EventKind.PANEL, EventKind.HIGH_LEVEL_EVENT, EventKind.OTHER])


# Mr. Lacroix's five commitments, worded as announced on 11 December 2017.
LACROIX_TARGETS = [
    Target(
        "Hold a series of meetings with women staff at HQ and in the field, to hear, first hand, "
        "about the challenges in their work environment",
        *("culture", "count", 6, "meetings", "meeting"),
    ),
    Target("Promote gender balance on panels", "panel_parity", "percentage", 50, "% women speakers", "panel"),
    Target(
        "Introduce unconscious gender bias training for senior staff",
        *("leadership", "count", 1, "trainings", "training"),
    ),
    Target(
        "Co-chair DPKO/DFS Gender Task Force meetings",
        *("governance", "count", 4, "task-force meetings", "task_force"),
    ),
    Target(
        "Hold at least one high-level event on Women, Peace and Security-related matters per year",
        *("programmatic", "count", 1, "high-level events", "high_level_event"),
    ),
]
LACROIX_STATUSES = ["on_track", "at_risk", "in_progress", "in_progress", "not_started"]
# The previous cycle, for the cycle switcher: all done but the training.
LACROIX_PAST_STATUSES = ["completed", "completed", "not_achieved", "completed", "completed"]
# This cycle's events: commitment number, days ago, kind, title, what the kind records.
LACROIX_EVENTS = [
    (1, 70, "meeting", "Town hall with women staff at Headquarters", {"scope": "hq", "women_count": 46}),
    (
        1,
        35,
        "meeting",
        "Meeting with women military and police officers of UNMISS",
        {"scope": "field", "location": "Juba, South Sudan", "women_count": 28},
    ),
    (
        1,
        9,
        "meeting",
        "Lunch with women staff of the Office of Military Affairs",
        {"scope": "hq", "women_count": 14},
    ),
    (
        2,
        50,
        "panel",
        "Panel on women in peacekeeping leadership",
        {"women_count": 2, "men_count": 2, "pledge_asked": True, "panel_outcome": "balanced"},
    ),
    (
        2,
        20,
        "panel",
        "Panel on the future of peace operations",
        {
            "women_count": 1,
            "men_count": 3,
            "pledge_asked": True,
            "panel_outcome": "exception",
            "outcome_reason": "The organisers added a woman speaker at our request but could not balance the panel.",
        },
    ),
    (4, 14, "task_force", "DPKO/DFS Gender Task Force, quarterly meeting", {"task_force_role": "co_chaired"}),
]

# What the network's champions commit to: title, category, target kind and value, unit, events that count.
TEMPLATES = [
    Target(*row)
    for row in [
        ("Hold quarterly town halls with women staff", "culture", "count", 4, "town halls", "meeting"),
        ("Hold listening sessions with women staff in field offices", "culture", "count", 5, "sessions", "meeting"),
        ("Speak only on gender-balanced panels", "panel_parity", "percentage", 50, "% women speakers", "panel"),
        ("Reach 40% women speakers at the events we organise", "panel_parity", "percentage", 40, "", "panel"),
        ("Deliver unconscious bias training to all senior managers", "leadership", "count", 2, "trainings", "training"),
        ("Mentor women professionals at P-4 level and above", "leadership", "count", 6, "mentoring sessions", "meeting"),
        ("Co-chair the inter-agency task force on gender parity", "governance", "count", 4, "meetings", "task_force"),
        ("Appoint a gender focal point in every division", "governance", "milestone", None, "", ""),
        ("Publish the organisation's gender pay gap every year", "governance", "milestone", None, "", ""),
        ("Adopt a flexible working arrangements policy", "work_life", "milestone", None, "", ""),
        ("Extend paid parental leave to 16 weeks for all staff", "work_life", "milestone", None, "", ""),
        ("Host a high-level dialogue on women, peace and security", "programmatic", "count", 1, "events", "high_level_event"),
        ("Integrate gender analysis into every new programme document", "programmatic", "milestone", None, "", ""),
        ("Speak publicly on gender equality at least eight times a year", "programmatic", "count", 8, "speeches", ""),
        ("Launch a zero-tolerance campaign against sexual harassment", "gbv", "milestone", None, "", ""),
        ("Train all managers on preventing sexual exploitation and abuse", "gbv", "count", 3, "trainings", "training"),
    ]
]  # fmt: skip

EVENT_TITLES = {
    EventKind.MEETING: [
        "Town hall with women staff",
        "Listening session with women staff",
        "Meeting with the women's staff network",
        "Breakfast with women in mid-career posts",
    ],
    EventKind.PANEL: [
        "Panel on women in leadership",
        "Panel on peace operations and gender",
        "Panel on climate and security",
        "Round table on financing for gender equality",
    ],
    EventKind.TRAINING: [
        "Unconscious bias training for senior managers",
        "Training on preventing sexual harassment",
        "Inclusive leadership workshop",
    ],
    EventKind.TASK_FORCE: ["Gender task force meeting", "Inter-agency task force on gender parity"],
    EventKind.HIGH_LEVEL_EVENT: [
        "High-level dialogue on women, peace and security",
        "Ministerial breakfast on gender parity",
    ],
    EventKind.OTHER: [
        "Progress update shared with all staff",
        "Policy draft circulated for consultation",
        "Op-ed on gender equality published",
    ],
}
FIELD_LOCATIONS = [
    "Juba, South Sudan",
    "Bangui, Central African Republic",
    "Goma, Democratic Republic of the Congo",
    "Bamako, Mali",
    "Naqoura, Lebanon",
    "Pristina, Kosovo",
]


@dataclass(frozen=True)
class ScaledPlan:
    """One of the champions added for benchmarks, and their five commitments (target, due date, status)."""

    full_name: str
    title: str
    organization: Organization
    hub: Hub
    joined_on: datetime.date
    commitments: list
    stale: bool


def generator(*key):
    """A random generator of its own for each thing seeded, so it comes out the same whatever else exists."""
    return random.Random("-".join(str(part) for part in (SEED, *key)))


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
                f"{created[what]} {what}" for what in ("users", "champions", "commitments", "events")
            )
            self.stdout.write(
                self.style.SUCCESS(f"Seeded the {seeder.cycle.year} cycle in {seconds:.1f} s: added {added}.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("The demo data is already there: nothing added."))
        self.stdout.write(f"Demo logins for {settings.SITE_URL}/ (password for every demo user: {PASSWORD}):")
        for role, email in [
            ("champion", LACROIX_EMAIL),
            ("focal point", FOCAL_POINT_EMAIL),
            ("chief-of-staff office", OFFICE_EMAIL),
            ("admin", ADMIN_EMAIL),
        ]:
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

    def seed(self, champions, events_per_commitment):
        self.hubs = {name: Hub.objects.get_or_create(name=name)[0] for name in HUB_NAMES}
        self.organizations = {}
        for acronym, name, parent, _ in ORGANIZATIONS:
            self.organizations[acronym] = Organization.objects.get_or_create(
                acronym=acronym, defaults={"name": name, "parent": self.organizations.get(parent)}
            )[0]
        self.seed_lacroix()
        self.seed_network(NETWORK[: champions - 1])
        self.seed_scaled(champions - DEFAULT_CHAMPIONS, events_per_commitment)
        self.seed_office_and_admin()

    # The pieces, each created only when missing.

    def user(self, email, full_name, login=False, **flags):
        user, created = User.objects.get_or_create(
            email__iexact=email,
            defaults={"email": email, "full_name": full_name, "password": self.password_hash, **flags},
        )
        self.created["users"] += created
        self.existing_logins |= login and not created
        return user

    def champion(self, full_name, acronym, **defaults):
        organization = self.organizations[acronym]
        defaults.setdefault("hub", self.hubs[HOME_HUB[acronym]])
        champion, created = Champion.objects.get_or_create(
            full_name=full_name, organization=organization, defaults=defaults
        )
        self.created["champions"] += created
        return champion

    def commitments(self, champion, cycle, plans, description=""):
        """The champion's commitments in the cycle by number: plans are (target, due date, status)."""
        result = {}
        for number, (target, due_on, status) in enumerate(plans[: cycle.max_commitments], start=1):
            result[number], created = Commitment.objects.get_or_create(
                champion=champion,
                cycle=cycle,
                number=number,
                defaults={**target.fields(), "description": description, "due_on": due_on, "status": status},
            )
            self.created["commitments"] += created
        return result

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
            ProgressEvent.objects.bulk_create(new, batch_size=BATCH_SIZE)
            Commitment.objects.filter(pk__in=wanted.keys() - logged).recount_rollups()
            self.created["events"] += len(new)

    # Dates and events.

    def day(self, days_ago, cycle=None):
        """A day that many days ago, but within the cycle and never in the future."""
        cycle = cycle or self.cycle
        return max(cycle.starts_on, min(self.today - days_ago * DAY, cycle.ends_on))

    def schedule(self, rng):
        """A due date and a status: steady to the cycle's end, due within 30 days, overdue, done or not started."""
        situation = rng.choices(
            ["steady", "due soon", "overdue", "done", "not started"], [35, 20, 15, 15, 15]
        )[0]
        if situation == "due soon":
            return self.today + rng.randint(1, 30) * DAY, rng.choice([Status.IN_PROGRESS, Status.AT_RISK])
        if situation == "overdue":
            # In the cycle when it has begun more than a day ago, else before it: overdue either way.
            floor = min(self.cycle.starts_on, self.today - DAY)
            due_on = max(self.today - rng.randint(3, 45) * DAY, floor)
            return due_on, rng.choice([Status.AT_RISK, Status.OFF_TRACK, Status.IN_PROGRESS])
        if situation == "done":
            return self.cycle.ends_on, Status.COMPLETED
        if situation == "not started":
            return self.cycle.ends_on, Status.NOT_STARTED
        return self.cycle.ends_on, rng.choice([Status.ON_TRACK, Status.IN_PROGRESS])

    @staticmethod
    def handful(rng, target, status):
        """How many events a network commitment has: none before it starts, its target once done."""
        if status == Status.NOT_STARTED:
            return 0
        if target.kind == TargetKind.PERCENTAGE:
            return rng.randint(1, 4)
        if target.kind == TargetKind.MILESTONE:
            return rng.randint(0, 2)
        if status == Status.COMPLETED:
            return min(target.value, 8)
        return rng.randint(1, max(1, min(target.value - 1, 4)))

    def event(self, rng, kind, logged_by_id):
        """A plausible progress event of this kind, on a day of the last four months in the cycle."""
        fields = {}
        if kind == EventKind.MEETING:
            in_field = rng.random() < 0.3
            fields = {
                "scope": Scope.FIELD if in_field else Scope.HQ,
                "location": rng.choice(FIELD_LOCATIONS) if in_field else "",
                "women_count": rng.randint(8, 40),
            }
        elif kind == EventKind.PANEL:
            women, men = rng.randint(0, 3), rng.randint(0, 3)
            women = women or (0 if men else 1)
            balanced = women >= men
            fields = {
                "women_count": women,
                "men_count": men,
                "pledge_asked": True,
                "panel_outcome": PanelOutcome.BALANCED if balanced else PanelOutcome.EXCEPTION,
                "outcome_reason": "" if balanced else "The organisers could not add a woman speaker in time.",
            }
        elif kind == EventKind.TRAINING:
            fields = {
                "audience": rng.choice(["senior managers", "heads of office", "all staff"]),
                "women_count": rng.randint(5, 30),
                "men_count": rng.randint(5, 30),
            }
        elif kind == EventKind.TASK_FORCE:
            fields = {
                "task_force_role": rng.choice([TaskForceRole.CO_CHAIRED] * 2 + [TaskForceRole.ATTENDED])
            }
        elif kind == EventKind.HIGH_LEVEL_EVENT:
            fields = {"location": rng.choice(HUB_NAMES), "women_count": rng.randint(20, 80)}
            fields["men_count"] = rng.randint(10, 60)
        return ProgressEvent(
            occurred_on=self.day(rng.randint(0, 120)),
            kind=kind,
            title=rng.choice(EVENT_TITLES[kind]),
            logged_by_id=logged_by_id,
            **fields,
        )

    # The seed's champion, the network, the scaled-up champions, the office and the admin.

    def seed_lacroix(self):
        user = self.user(LACROIX_EMAIL, "Jean-Pierre Lacroix", login=True)
        focal_point = self.user(FOCAL_POINT_EMAIL, FOCAL_POINTS["focal.point"], login=True)
        lacroix = self.champion(
            "Jean-Pierre Lacroix",
            "DPKO",
            title="Under-Secretary-General for Peacekeeping Operations",
            user=user,
            joined_on=datetime.date(2017, 12, 11),
        )
        lacroix.focal_points.add(focal_point)
        description = "Announced on joining the International Gender Champions, 11 December 2017."
        # The training falls due within the month, so there is a deadline to remind him of.
        due_on = [self.cycle.ends_on] * len(LACROIX_TARGETS)
        due_on[2] = min(self.today + 21 * DAY, self.cycle.ends_on)
        plans = list(zip(LACROIX_TARGETS, due_on, LACROIX_STATUSES, strict=True))
        current = self.commitments(lacroix, self.cycle, plans, description)
        planned = {}
        for number, days_ago, kind, title, fields in LACROIX_EVENTS:
            event = ProgressEvent(
                occurred_on=self.day(days_ago), kind=kind, title=title, logged_by=focal_point, **fields
            )
            planned.setdefault(current.get(number), []).append(event)

        cycle = self.previous_cycle
        plans = [
            (target, cycle.ends_on, status)
            for target, status in zip(LACROIX_TARGETS, LACROIX_PAST_STATUSES, strict=True)
        ]
        past = self.commitments(lacroix, cycle, plans, description)
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
        planned = []
        for full_name, title, acronym, focal_local_part in network:
            targets = rng.sample(TEMPLATES, 5)
            schedules = [self.schedule(rng) for _ in targets]
            joined_on = datetime.date(rng.randint(2016, 2024), rng.randint(1, 12), rng.randint(1, 28))
            first_name, _, last_name = full_name.partition(" ")
            user = self.user(f"{slugify(first_name)}.{slugify(last_name)}@{DOMAIN}", full_name)
            focal_point = self.user(f"{focal_local_part}@{DOMAIN}", FOCAL_POINTS[focal_local_part])
            champion = self.champion(full_name, acronym, title=title, user=user, joined_on=joined_on)
            champion.focal_points.add(focal_point)
            commitments = self.commitments(
                champion,
                self.cycle,
                [(t, due_on, status) for t, (due_on, status) in zip(targets, schedules, strict=True)],
            )
            for number, (target, (_, status)) in enumerate(zip(targets, schedules, strict=True), start=1):
                count = self.handful(rng, target, status)
                events = [
                    self.event(rng, target.event_kind(rng), rng.choice([focal_point.pk] * 3 + [user.pk]))
                    for _ in range(count)
                ]
                if full_name not in STALE:
                    planned.append((commitments.get(number), events))
        self.add_events(planned)

    def seed_scaled(self, count, events_per_commitment):
        """Champions 'Champion 0001'... for benchmarks: bulk inserts, one password hash, one recount."""
        if count <= 0:
            return
        numbers = range(1, count + 1)
        emails = {i: f"champion{i:04d}@{DOMAIN}" for i in numbers}
        focal_emails = {i: f"focal{(i + 1) // 2:04d}@{DOMAIN}" for i in numbers}
        names = {emails[i]: f"{SCALED_PREFIX}{i:04d}" for i in numbers}
        names.update({focal_emails[i]: f"Focal Point {(i + 1) // 2:04d}" for i in numbers})
        user_ids = self.bulk_users(names)
        plans = {i: self.scaled_plan(i) for i in numbers}
        champion_of_user = self.bulk_champions(
            plans.values(), [(user_ids[emails[i]], user_ids[focal_emails[i]]) for i in numbers]
        )
        # None for a champion left out because their user is already another champion's.
        champion_ids = {i: champion_of_user.get(user_ids[emails[i]]) for i in numbers}

        scaled = Commitment.objects.filter(cycle=self.cycle, champion__full_name__startswith=SCALED_PREFIX)
        existing = set(scaled.values_list("champion_id", "number"))
        new = [
            Commitment(
                champion_id=champion_ids[i],
                cycle=self.cycle,
                number=number,
                due_on=due_on,
                status=status,
                **target.fields(),
            )
            for i in numbers
            for number, (target, due_on, status) in enumerate(
                plans[i].commitments[: self.cycle.max_commitments], start=1
            )
            if champion_ids[i] and (champion_ids[i], number) not in existing
        ]
        Commitment.objects.bulk_create(new, batch_size=BATCH_SIZE)
        self.created["commitments"] += len(new)

        commitment_ids = {(c, n): pk for c, n, pk in scaled.values_list("champion_id", "number", "pk")}
        logged = set(
            ProgressEvent.objects.filter(commitment__in=scaled).values_list("commitment_id", flat=True)
        )
        affected, events = [], []
        for i in numbers:
            if not champion_ids[i] or (events_per_commitment is None and plans[i].stale):
                continue
            loggers = [user_ids[focal_emails[i]]] * 3 + [user_ids[emails[i]]]
            for number, (target, _, status) in enumerate(plans[i].commitments, start=1):
                commitment_id = commitment_ids.get((champion_ids[i], number))
                if commitment_id is None or commitment_id in logged:
                    continue
                rng = generator("commitment", i, number)
                how_many = (
                    self.handful(rng, target, status)
                    if events_per_commitment is None
                    else events_per_commitment
                )
                for _ in range(how_many):
                    event = self.event(rng, target.event_kind(rng), rng.choice(loggers))
                    event.commitment_id = commitment_id
                    events.append(event)
                if how_many:
                    affected.append(commitment_id)
                # Why flush: 200,000 unsaved model instances would hold hundreds of megabytes.
                if len(events) >= 5 * BATCH_SIZE:
                    ProgressEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
                    self.created["events"] += len(events)
                    events = []
        ProgressEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
        self.created["events"] += len(events)
        for start in range(0, len(affected), BATCH_SIZE):
            Commitment.objects.filter(pk__in=affected[start : start + BATCH_SIZE]).recount_rollups()

    def scaled_plan(self, i):
        """Who scaled champion i is and what they commit to, drawn from a generator of their own."""
        rng = generator("champion", i)
        acronym = SCALED_ORGANIZATIONS[(i - 1) % len(SCALED_ORGANIZATIONS)]
        return ScaledPlan(
            full_name=f"{SCALED_PREFIX}{i:04d}",
            title=rng.choice(SCALED_TITLES),
            organization=self.organizations[acronym],
            hub=self.hubs[HOME_HUB[acronym]],
            joined_on=datetime.date(rng.randint(2016, 2024), rng.randint(1, 12), rng.randint(1, 28)),
            commitments=[(target, *self.schedule(rng)) for target in rng.sample(TEMPLATES, 5)],
            stale=rng.random() < 0.15,
        )

    def bulk_users(self, names):
        """Insert the users missing among these emails (email → full name); returns email → id."""
        demo_users = User.objects.filter(email__endswith=f"@{DOMAIN}")
        existing = {email.lower() for email in demo_users.values_list("email", flat=True)}
        new = [
            User(email=email, full_name=full_name, password=self.password_hash)
            for email, full_name in names.items()
            if email not in existing
        ]
        User.objects.bulk_create(new, batch_size=BATCH_SIZE)
        self.created["users"] += len(new)
        return {email.lower(): pk for email, pk in demo_users.values_list("email", "pk")}

    def bulk_champions(self, plans, users):
        """Insert the planned champions missing, with their focal points; returns user id → champion id.

        users: the (champion's user id, focal point's user id) of each plan.
        """
        existing = set(
            Champion.objects.filter(full_name__startswith=SCALED_PREFIX).values_list(
                "full_name", "organization_id"
            )
        )
        taken_users = set(Champion.objects.filter(user__isnull=False).values_list("user_id", flat=True))
        new = [
            Champion(
                user_id=user_id,
                full_name=plan.full_name,
                title=plan.title,
                organization=plan.organization,
                hub=plan.hub,
                joined_on=plan.joined_on,
            )
            for plan, (user_id, _) in zip(plans, users, strict=True)
            if (plan.full_name, plan.organization.pk) not in existing and user_id not in taken_users
        ]
        Champion.objects.bulk_create(new, batch_size=BATCH_SIZE)
        self.created["champions"] += len(new)
        champion_of_user = dict(
            Champion.objects.filter(full_name__startswith=SCALED_PREFIX).values_list("user_id", "pk")
        )
        focal_point_of = dict(users)
        FocalPoint = Champion.focal_points.through
        FocalPoint.objects.bulk_create(
            [
                FocalPoint(champion_id=champion_of_user[c.user_id], user_id=focal_point_of[c.user_id])
                for c in new
            ],
            batch_size=BATCH_SIZE,
        )
        return champion_of_user

    def seed_office_and_admin(self):
        office = self.user(OFFICE_EMAIL, "Chief of Staff Office (demo)", login=True)
        office.groups.add(office_group())
        admin = self.user(ADMIN_EMAIL, "Demo Admin", login=True, is_staff=True, is_superuser=True)
        if not (admin.is_staff and admin.is_superuser):
            admin.is_staff = admin.is_superuser = True
            admin.save(update_fields=["is_staff", "is_superuser"])
