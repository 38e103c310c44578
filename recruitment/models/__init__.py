"""Recruitment's tables, one module per resource; every model is importable from here.

- `rounds`: rounds, eligibility lines, criteria and required documents.
- `applications`: applications, statements, uploaded documents and stage changes.
- `equality`: the equality-monitoring store and the counts kept after it is removed.
- `scores`: what every settled score shares (`SettledScore`).
- `shortlisting`: reviewer assignments, conflicts, reviewers' scores and moderations.
- `interviews`: panels, slots, panellists' scores and consensus scores.
- `offers`: offers of funded posts.
"""

from .applications import (
    Application,
    ApplicationDocument,
    ApplicationQuerySet,
    StageChange,
    Statement,
    new_reference,
)
from .equality import EqualityAggregate, EqualityRecord
from .interviews import (
    ConsensusScore,
    InterviewPanel,
    InterviewPanelQuerySet,
    InterviewScore,
    InterviewScoreQuerySet,
    InterviewSlot,
    InterviewSlotQuerySet,
)
from .offers import Offer, OfferQuerySet
from .rounds import (
    WORD,
    Criterion,
    Eligibility,
    RecruitmentRound,
    RequiredDocument,
    RoundQuerySet,
    count_words,
)
from .scores import SCORE_VALIDATORS, SettledScore
from .shortlisting import Conflict, Moderation, ReviewerAssignment, ShortlistScore

__all__ = [
    "SCORE_VALIDATORS",
    "WORD",
    "Application",
    "ApplicationDocument",
    "ApplicationQuerySet",
    "Conflict",
    "ConsensusScore",
    "Criterion",
    "Eligibility",
    "EqualityAggregate",
    "EqualityRecord",
    "InterviewPanel",
    "InterviewPanelQuerySet",
    "InterviewScore",
    "InterviewScoreQuerySet",
    "InterviewSlot",
    "InterviewSlotQuerySet",
    "Moderation",
    "Offer",
    "OfferQuerySet",
    "RecruitmentRound",
    "RequiredDocument",
    "ReviewerAssignment",
    "RoundQuerySet",
    "SettledScore",
    "ShortlistScore",
    "StageChange",
    "Statement",
    "count_words",
    "new_reference",
]
