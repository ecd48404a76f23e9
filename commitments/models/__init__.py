"""The commitments' models, one module per concern; every name is importable from here.

- `vocabulary`: choices, the figures statuses stand for, and the one wording of each rule
- `category`: the themes commitments are grouped under (data the admins edit)
- `cycle`: the reporting years
- `commitment`: a champion's commitments, their progress, status and approval
- `handover`: a champion handing their open commitments over to a successor
- `history`: the steps of a commitment's approval and its status changes
- `status_check`: where the self-set status and measured progress disagree
- `comment`: the conversation on a commitment between the office and the champion's side
- `months`: the monthly roll-ups behind the dashboard's trends (kept by `commitments/rollups.py`)
- `ambition`: whether a returning champion's commitment raised the ambition of last year's
"""

from commitments.models.ambition import (
    Ambition,
    AmbitionFigures,
    LastYear,
    ambition_mark,
    compare_with_last_year,
    returning_champions_ambition,
)
from commitments.models.category import Category, CategoryQuerySet
from commitments.models.comment import COMMENT_MAX_LENGTH, Comment, CommentQuerySet
from commitments.models.commitment import (
    EDITABLE_FIELDS,
    PANEL_ROLLUPS,
    CarryOver,
    Commitment,
    CommitmentQuerySet,
    PanelFigures,
)
from commitments.models.cycle import Cycle, CycleQuerySet, changes_stored, yet_to_submit
from commitments.models.handover import Handover, HandoverQuerySet
from commitments.models.history import ApprovalChange, StatusChange
from commitments.models.months import CommitmentMonth, CommitmentMonthQuerySet, CycleMonth, CycleMonthQuerySet
from commitments.models.status_check import (
    ON_TRACK_DOUBTED_DAYS,
    ON_TRACK_DOUBTED_UNDER,
    STATUS_RULES,
    StatusDisagreement,
)
from commitments.models.vocabulary import (
    CLOSED_STATUSES,
    COMMITMENT_FIELDS_COUNTED,
    CYCLE_FIELDS_COUNTED,
    EDITABLE_APPROVALS,
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
    event_kind_unit,
    kinds_counted,
    percent_wording,
    plain_number,
    share_percent,
    stale_cutoff,
    target_wording,
    title_from_text,
    women_share,
)

__all__ = [
    "Ambition",
    "AmbitionFigures",
    "LastYear",
    "ambition_mark",
    "compare_with_last_year",
    "returning_champions_ambition",
    "ON_TRACK_DOUBTED_DAYS",
    "ON_TRACK_DOUBTED_UNDER",
    "STATUS_RULES",
    "CLOSED_STATUSES",
    "COMMENT_MAX_LENGTH",
    "COMMITMENT_FIELDS_COUNTED",
    "CYCLE_FIELDS_COUNTED",
    "EDITABLE_APPROVALS",
    "EDITABLE_FIELDS",
    "PANEL_ROLLUPS",
    "ROLLUP_FIELDS",
    "STATUS_PERCENT",
    "TEXT_MAX_LENGTH",
    "TITLE_MAX_LENGTH",
    "Approval",
    "ApprovalChange",
    "CarryOver",
    "Category",
    "CategoryQuerySet",
    "Comment",
    "CommentQuerySet",
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
    "StatusDisagreement",
    "TargetKind",
    "average_percent",
    "changes_stored",
    "counted_unit_wording",
    "event_kind_unit",
    "percent_wording",
    "kinds_counted",
    "plain_number",
    "share_percent",
    "stale_cutoff",
    "target_wording",
    "title_from_text",
    "women_share",
    "yet_to_submit",
]
