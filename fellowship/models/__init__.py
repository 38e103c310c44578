"""The programme core's tables, one module per resource; every model is importable from here.

- `people`: users and their roles.
- `programme`: cohorts, regions, organisations, curriculum themes, funders and funded posts,
  the programme record, history imports.
- `fellows`: fellows.
- `workshops`: workshops and their speakers.
- `mentoring`: mentor offers, requests, pairings and exclusions.
- `audit`: the audit log, erasures and retention runs.
- `invitations`: account invitations and their batches.
- `emails`: the e-mail texts faculty edit.
- `outbox`: the e-mail outbox (sending is `fellowship.outbox`).
- `interest`: the public website's list of people to tell when applications open.
"""

from .audit import AuditEvent, Erasure, RetentionRun
from .emails import EmailText, EmailTextQuerySet
from .fellows import Fellow, FellowQuerySet
from .interest import InterestSignup
from .invitations import (
    InvitationBatch,
    InvitationBatchQuerySet,
    PersonInvitation,
    PersonInvitationQuerySet,
)
from .mentoring import (
    MentorExclusion,
    MentorOffer,
    MentorPairing,
    MentorPairingQuerySet,
    MentorRequest,
)
from .outbox import OutboxMessage
from .people import TITLES, RoleGrant, User, UserManager, roles_of
from .programme import (
    Cohort,
    CohortQuerySet,
    CurriculumTheme,
    FundedPost,
    Funder,
    FunderQuerySet,
    HistoryImport,
    Organisation,
    Programme,
    Region,
    programme,
)
from .workshops import WORKSHOP_MAX_MINUTES, Speaker, Workshop, WorkshopQuerySet

__all__ = [
    "TITLES",
    "WORKSHOP_MAX_MINUTES",
    "AuditEvent",
    "Cohort",
    "CohortQuerySet",
    "CurriculumTheme",
    "EmailText",
    "EmailTextQuerySet",
    "Erasure",
    "Fellow",
    "FellowQuerySet",
    "FundedPost",
    "Funder",
    "FunderQuerySet",
    "HistoryImport",
    "InterestSignup",
    "InvitationBatch",
    "InvitationBatchQuerySet",
    "MentorExclusion",
    "MentorOffer",
    "MentorPairing",
    "MentorPairingQuerySet",
    "MentorRequest",
    "Organisation",
    "OutboxMessage",
    "PersonInvitation",
    "PersonInvitationQuerySet",
    "Programme",
    "Region",
    "RetentionRun",
    "RoleGrant",
    "Speaker",
    "User",
    "UserManager",
    "Workshop",
    "WorkshopQuerySet",
    "programme",
    "roles_of",
]
