"""The commitments' models, one module per concern; every name is importable from here.

- `vocabulary`: choices, the figures statuses stand for, and the one wording of each rule
- `category`: the themes commitments are grouped under (data the admins edit)
- `cycle`: the reporting years
- `commitment`: a champion's commitments, their progress, status and approval
- `handover`: a champion handing their open commitments over to a successor
- `history`: the steps of a commitment's approval and its status changes
- `months`: the monthly roll-ups behind the dashboard's trends (kept by `commitments/rollups.py`)
"""

from commitments.models.category import Category, CategoryQuerySet
from commitments.models.commitment import (
    EDITABLE_FIELDS,
    PANEL_ROLLUPS,
    Commitment,
    CommitmentQuerySet,
    PanelFigures,
)
from commitments.models.cycle import Cycle, CycleQuerySet, changes_stored, yet_to_submit
from commitments.models.handover import Handover, HandoverQuerySet
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
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Approval,
    EventKind,
    Status,
    TargetKind,
    average_percent,
    counted_unit_wording,
    plain_number,
    share_percent,
    stale_cutoff,
    target_wording,
    title_from_text,
    women_share,
)

__all__ = [
    "CLOSED_STATUSES",
    "COMMITMENT_FIELDS_COUNTED",
    "CYCLE_FIELDS_COUNTED",
    "EDITABLE_APPROVALS",
    "EDITABLE_FIELDS",
    "EVENT_KIND_PLURALS",
    "PANEL_ROLLUPS",
    "ROLLUP_FIELDS",
    "STATUS_PERCENT",
    "TEXT_MAX_LENGTH",
    "TITLE_MAX_LENGTH",
    "Approval",
    "ApprovalChange",
    "Category",
    "CategoryQuerySet",
    "Commitment",
    "CommitmentMonth",
    "CommitmentMonthQuerySet",
    "CommitmentQuerySet",
    "Cycle",
    "CycleMonth",
    "CycleMonthQuerySet",
    "CycleQuerySet",
    "EventKind",
    "Handover",
    "HandoverQuerySet",
    "PanelFigures",
    "Status",
    "StatusChange",
    "TargetKind",
    "average_percent",
    "changes_stored",
    "counted_unit_wording",
    "plain_number",
    "share_percent",
    "stale_cutoff",
    "target_wording",
    "title_from_text",
    "women_share",
    "yet_to_submit",
]
