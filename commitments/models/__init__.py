"""The commitments' models, one module per concern; every name is importable from here.

- `vocabulary`: choices, the figures statuses stand for, and the one wording of each rule
- `cycle`: the reporting years
- `commitment`: a champion's commitments, their progress, status and approval
- `history`: the steps of a commitment's approval and its status changes
- `months`: the monthly roll-ups behind the dashboard's trends (kept by `commitments/rollups.py`)
"""

from commitments.models.commitment import EDITABLE_FIELDS, Commitment, CommitmentQuerySet
from commitments.models.cycle import Cycle, CycleQuerySet, changes_stored, yet_to_submit
from commitments.models.history import ApprovalChange, StatusChange
from commitments.models.months import CommitmentMonth, CommitmentMonthQuerySet, CycleMonth, CycleMonthQuerySet
from commitments.models.vocabulary import (
    CLOSED_STATUSES,
    COMMITMENT_FIELDS_COUNTED,
    CYCLE_FIELDS_COUNTED,
    EDITABLE_APPROVALS,
    EVENT_KIND_PLURALS,
    ROLLUP_FIELDS,
    STATUS_PERCENT,
    Approval,
    Category,
    EventKind,
    Status,
    TargetKind,
    average_percent,
    counted_unit_wording,
    share_percent,
    stale_cutoff,
    target_wording,
    women_share,
)

__all__ = [
    "CLOSED_STATUSES",
    "COMMITMENT_FIELDS_COUNTED",
    "CYCLE_FIELDS_COUNTED",
    "EDITABLE_APPROVALS",
    "EDITABLE_FIELDS",
    "EVENT_KIND_PLURALS",
    "ROLLUP_FIELDS",
    "STATUS_PERCENT",
    "Approval",
    "ApprovalChange",
    "Category",
    "Commitment",
    "CommitmentMonth",
    "CommitmentMonthQuerySet",
    "CommitmentQuerySet",
    "Cycle",
    "CycleMonth",
    "CycleMonthQuerySet",
    "CycleQuerySet",
    "EventKind",
    "Status",
    "StatusChange",
    "TargetKind",
    "average_percent",
    "changes_stored",
    "counted_unit_wording",
    "share_percent",
    "stale_cutoff",
    "target_wording",
    "women_share",
    "yet_to_submit",
]
