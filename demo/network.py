"""The demo's data: the seed's champion and his five commitments as announced, the network of
champions around him, their organizations and focal points, and what the network commits to and logs.

Data only, with no database code: demo/management/commands/seed_demo.py writes it, and the
benchmark's scale loader (demo/scale.py) draws its champions from the same templates. The draws
at the end give the network plausible figures from a random generator of its own, so that the same
demo comes out on every run.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from champions.models import HUB_NAMES
from commitments.models import EventKind, Status, TargetKind, title_from_text
from events.models import PanelOutcome, Scope, TaskForceRole

SEED = 2026
DOMAIN = "demo.genderchampions.org"
PASSWORD = "demo-password-2026"
DAY = datetime.timedelta(days=1)

LACROIX_EMAIL = f"jean-pierre.lacroix@{DOMAIN}"
FOCAL_POINT_EMAIL = f"focal.point@{DOMAIN}"
OFFICE_EMAIL = f"office@{DOMAIN}"
ADMIN_EMAIL = f"admin@{DOMAIN}"
OFFICE_NAME = "Chief of Staff Office (demo)"
ADMIN_NAME = "Demo Admin"

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


@dataclass(frozen=True)
class DemoChampion:
    """A champion of the demo: who they are, their organization's acronym and their focal point's
    email before the @ (focal points who appear twice serve two champions)."""

    full_name: str
    title: str
    organization: str
    focal_point: str
    joined_on: datetime.date | None = None


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

# The seed's champion, as in shared/seed/gender-champion-announcement.txt.
LACROIX = DemoChampion(
    "Jean-Pierre Lacroix",
    "Under-Secretary-General for Peacekeeping Operations",
    "DPKO",
    "focal.point",
    joined_on=datetime.date(2017, 12, 11),
)
LACROIX_ANNOUNCEMENT = "Announced on joining the International Gender Champions, 11 December 2017."

# The network around him. When each joined is drawn (see the seeder), not stored.
NETWORK = [
    DemoChampion(*row)
    for row in [
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
]
# Champions who have not agreed to the public pages yet (Champion.is_public): every other is public.
NOT_PUBLIC = {"Kenji Watanabe", "Omar Benali"}
# Champions of the network who have logged nothing yet: the dashboards show them as stale.
STALE = {"Helena Lindqvist", "Kenji Watanabe", "Robert Ashworth"}

# The network's pledges (champions/migrations/0006), by short name: the Panel Parity Pledge is signed on
# joining; the pledge on gender-based violence once launched, on the day below or on joining after it.
PANEL_PARITY, GBV = "panel-parity", "gender-based-violence"
GBV_PLEDGE_LAUNCHED_ON = datetime.date(2022, 11, 25)
LACROIX_PLEDGES = [PANEL_PARITY]
# Who of the network signed which (the others, neither yet).
NETWORK_PLEDGES = {
    "Mariana Okonkwo-Reyes": [PANEL_PARITY, GBV],
    "David Mensah": [PANEL_PARITY],
    "Rashid Al-Khatib": [PANEL_PARITY, GBV],
    "Claire Dubois": [PANEL_PARITY],
    "Nomvula Dlamini": [PANEL_PARITY, GBV],
    "Ingrid Hofer": [PANEL_PARITY],
    "Elif Yildiz": [GBV],
    "Wanjiru Kamau": [PANEL_PARITY],
    "Fatou Ndiaye": [PANEL_PARITY, GBV],
    "Lucía Fernández": [PANEL_PARITY],
    "Camille Laurent": [PANEL_PARITY, GBV],
    "Amara Sesay": [PANEL_PARITY],
}
DEFAULT_CHAMPIONS = 1 + len(NETWORK)


@dataclass(frozen=True)
class Target:
    """What a commitment promises, and which progress events count toward it."""

    text: str
    category: str  # a category's short name (commitments/migrations/0015)
    kind: str = TargetKind.COUNT
    value: int | None = None
    unit: str = ""
    counts_kind: str = ""
    baseline: Decimal | None = None
    # An indicator's values as the network reports them: (days ago, value, comment).
    check_ins: tuple = ()

    def fields(self):
        return {
            "text": self.text,
            "title": title_from_text(self.text),
            "target_kind": self.kind,
            "target_value": self.value,
            "baseline": self.baseline,
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

    def handful(self, rng, status):
        """How many events a network commitment has: none before it starts, its target once done."""
        if status == Status.NOT_STARTED:
            return 0
        if self.kind == TargetKind.PERCENTAGE:
            return rng.randint(1, 4)
        if self.kind in (TargetKind.MILESTONE, TargetKind.INDICATOR):
            return rng.randint(0, 2)
        if status == Status.COMPLETED:
            return min(self.value, 8)
        return rng.randint(1, max(1, min(self.value - 1, 4)))


# Mr. Lacroix's five commitments, worded as announced on 11 December 2017.
LACROIX_TARGETS = [
    Target(
        "Hold a series of meetings with women staff at HQ and in the field, to hear, first hand, "
        "about the challenges in their work environment",
        *("culture", "count", 6, "meetings", "meeting"),
    ),
    Target("Promote gender balance on panels", "panel-parity", "percentage", 50, "% women speakers", "panel"),
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
# The training (commitment 3) falls due within this many days, so there is a deadline to remind him of.
LACROIX_TRAINING_DUE_IN_DAYS = 21
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
    *(Target(*row) for row in [
        ("Hold quarterly town halls with women staff", "culture", "count", 4, "town halls", "meeting"),
        ("Hold listening sessions with women staff in field offices", "culture", "count", 5, "sessions", "meeting"),
        ("Speak only on gender-balanced panels", "panel-parity", "percentage", 50, "% women speakers", "panel"),
        ("Reach 40% women speakers at the events we organise", "panel-parity", "percentage", 40, "", "panel"),
        ("Deliver unconscious bias training to all senior managers", "leadership", "count", 2, "trainings", "training"),
        ("Mentor women professionals at P-4 level and above", "leadership", "count", 6, "mentoring sessions", "meeting"),
        ("Co-chair the inter-agency task force on gender parity", "governance", "count", 4, "meetings", "task_force"),
        ("Appoint a gender focal point in every division", "governance", "milestone", None, "", ""),
        ("Publish the organisation's gender pay gap every year", "governance", "milestone", None, "", ""),
        ("Adopt a flexible working arrangements policy", "work-life", "milestone", None, "", ""),
        ("Extend paid parental leave to 16 weeks for all staff", "work-life", "milestone", None, "", ""),
        ("Host a high-level dialogue on women, peace and security", "programmatic", "count", 1, "events", "high_level_event"),
        ("Integrate gender analysis into every new programme document", "programmatic", "milestone", None, "", ""),
        ("Speak publicly on gender equality at least eight times a year", "programmatic", "count", 8, "speeches", ""),
        ("Launch a zero-tolerance campaign against sexual harassment", "gbv", "milestone", None, "", ""),
        ("Train all managers on preventing sexual exploitation and abuse", "gbv", "count", 3, "trainings", "training"),
    ]),
    # An indicator, with parts on lines of their own as networks publish them.
    Target(
        "Raise the share of women among staff at D-1 and above from 28% to 40%:\n"
        "a) publish the share every quarter;\n"
        "b) put at least one woman on every shortlist for a senior post.",
        "selection-recruitment", TargetKind.INDICATOR, 40, "% women at D-1 and above", baseline=Decimal(28),
        check_ins=(
            (110, Decimal("30.5"), "Human resources dashboard at the end of the first quarter."),
            (25, Decimal(33), "Three women appointed at D-1 after the spring recruitment round."),
        ),
    ),
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


# The draws: plausible figures from a random generator. Pure functions of their arguments.


def generator(*key):
    """A random generator of its own for each thing seeded, so it comes out the same whatever else exists."""
    return random.Random("-".join(str(part) for part in (SEED, *key)))


def draw_joined_on(rng):
    return datetime.date(rng.randint(2016, 2024), rng.randint(1, 12), rng.randint(1, 28))


def day(cycle, today, days_ago):
    """A day that many days ago, but within the cycle and never in the future."""
    return max(cycle.starts_on, min(today - days_ago * DAY, cycle.ends_on))


def draw_schedule(rng, cycle, today):
    """A due date and a status: steady to the cycle's end, due within 30 days, overdue, done or not started."""
    situation = rng.choices(["steady", "due soon", "overdue", "done", "not started"], [35, 20, 15, 15, 15])[0]
    if situation == "due soon":
        return today + rng.randint(1, 30) * DAY, rng.choice([Status.IN_PROGRESS, Status.AT_RISK])
    if situation == "overdue":
        # In the cycle when it has begun more than a day ago, else before it: overdue either way.
        floor = min(cycle.starts_on, today - DAY)
        due_on = max(today - rng.randint(3, 45) * DAY, floor)
        return due_on, rng.choice([Status.AT_RISK, Status.OFF_TRACK, Status.IN_PROGRESS])
    if situation == "done":
        return cycle.ends_on, Status.COMPLETED
    if situation == "not started":
        return cycle.ends_on, Status.NOT_STARTED
    return cycle.ends_on, rng.choice([Status.ON_TRACK, Status.IN_PROGRESS])


def draw_event(rng, kind, cycle, today):
    """A plausible progress event of this kind, on a day of the last four months in the cycle: the
    fields of a ProgressEvent but its commitment and who logged it."""
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
        fields = {"task_force_role": rng.choice([TaskForceRole.CO_CHAIRED] * 2 + [TaskForceRole.ATTENDED])}
    elif kind == EventKind.HIGH_LEVEL_EVENT:
        fields = {"location": rng.choice(HUB_NAMES), "women_count": rng.randint(20, 80)}
        fields["men_count"] = rng.randint(10, 60)
    occurred_on = day(cycle, today, rng.randint(0, 120))
    return {"occurred_on": occurred_on, "kind": kind, "title": rng.choice(EVENT_TITLES[kind]), **fields}
