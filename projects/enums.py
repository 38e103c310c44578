"""Vocabularies of AI project proposals, vetting and milestones."""

from django.db import models


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    REVISE = "revise", "Revise and resubmit"
    RESUBMITTED = "resubmitted", "Resubmitted"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A supervisor may edit only in these states; faculty vet only in AWAITING_REVIEW.
EDITABLE = (ProposalStatus.DRAFT, ProposalStatus.REVISE)
AWAITING_REVIEW = (ProposalStatus.SUBMITTED, ProposalStatus.RESUBMITTED)


class Decision(models.TextChoices):
    APPROVED = "approved", "Approve"
    REVISE = "revise", "Ask for revision and resubmission"
    DECLINED = "declined", "Decline"


class AIModality(models.TextChoices):
    IMAGING = "imaging", "Imaging"
    LANGUAGE = "language", "Language (text or speech)"
    PREDICTION = "prediction", "Prediction from structured data"
    SIGNAL = "signal", "Physiological signals"
    GENOMICS = "genomics", "Genomics or omics"
    OPTIMISATION = "optimisation", "Operational optimisation"
    GENERATIVE = "generative", "Generative AI"
    OTHER = "other", "Other"


class RegulatoryStatus(models.TextChoices):
    UKCA_I = "ukca_i", "UKCA/CE class I"
    UKCA_IIA = "ukca_iia", "UKCA/CE class IIa"
    UKCA_IIB = "ukca_iib", "UKCA/CE class IIb"
    UKCA_III = "ukca_iii", "UKCA/CE class III"
    NOT_DEVICE = "not_device", "Not a medical device"
    IN_DEVELOPMENT = "in_development", "In development (not yet marked)"
    RESEARCH = "research", "Research use only"
    OTHER = "other", "Other"


class Severity(models.IntegerChoices):
    """DCB0129/DCB0160 hazard severity."""

    MINOR = 1, "Minor"
    SIGNIFICANT = 2, "Significant"
    CONSIDERABLE = 3, "Considerable"
    MAJOR = 4, "Major"
    CATASTROPHIC = 5, "Catastrophic"


class Likelihood(models.IntegerChoices):
    VERY_LOW = 1, "Very low"
    LOW = 2, "Low"
    MEDIUM = 3, "Medium"
    HIGH = 4, "High"
    VERY_HIGH = 5, "Very high"


class ChecklistGroup(models.TextChoices):
    RISK = "risk", "Risk mitigation and hazard identification"
    ROLES = "roles", "Roles"
    RESPONSIBILITIES = "responsibilities", "Responsibilities"
    RESOURCES = "resources", "Resources"
    EDUCATION = "education", "Educational aims"


class Answer(models.TextChoices):
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    NOT_APPLICABLE = "na", "Not applicable"


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    LATE = "late", "Late"
    DONE = "done", "Done"


class MatchingStatus(models.TextChoices):
    RANKING = "ranking", "Fellows are ranking projects"
    PROPOSED = "proposed", "Allocation proposed"
    PUBLISHED = "published", "Published"
