"""Vocabularies of the programme core, with the history import's lower-case keys as values."""

from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    FELLOW = "fellow", "Fellow"
    ALUMNUS = "alumnus", "Alumnus"
    SUPERVISOR = "supervisor", "Supervisor"
    PANELLIST = "panellist", "Panellist"
    FACULTY = "faculty", "Faculty"
    FUNDER = "funder", "Funder"


class Profession(models.TextChoices):
    MEDICINE = "medicine", "Medicine"
    DENTISTRY = "dentistry", "Dentistry"
    NURSING = "nursing", "Nursing"
    MIDWIFERY = "midwifery", "Midwifery"
    AHP = "ahp", "AHP"
    PHARMACY = "pharmacy", "Pharmacy"
    OPTOMETRY = "optometry", "Optometry"
    PUBLIC_HEALTH = "public_health", "Public Health"
    HEALTHCARE_SCIENCE = "healthcare_science", "Healthcare Science"
    PSYCHOLOGICAL_PROFESSIONS = "psychological_professions", "Psychological Professions"


# Everyone but doctors counts as "non-medic" in the paper (dentists included, objective 4).
NON_MEDICAL_PROFESSIONS = frozenset(p for p in Profession if p != Profession.MEDICINE)


class FellowStatus(models.TextChoices):
    IN_POST = "in_post", "In post"
    GRADUATED = "graduated", "Graduated"
    WITHDRAWN = "withdrawn", "Withdrawn"


class FunderKind(models.TextChoices):
    EDUCATION_BODY = "education_body", "NHS regional education body"
    PROFESSIONAL_SOCIETY = "professional_society", "Professional society"
    EMPLOYER = "employer", "NHS employer"
    OTHER = "other", "Other"


class OrganisationKind(models.TextChoices):
    NHS_TRUST = "nhs_trust", "NHS trust or health board"
    NHS_TEAM = "nhs_team", "NHS team"
    ACADEMIA = "academia", "University or academic body"
    INDUSTRY = "industry", "Industry"
    REGULATOR = "regulator", "Regulator or public body"
    OTHER = "other", "Other"


class SpeakerSector(models.TextChoices):
    NHS = "nhs", "NHS"
    ACADEMIA = "academia", "Academia"
    INDUSTRY = "industry", "Industry"
    REGULATOR = "regulator", "Regulator or public sector"
    GOVERNMENT = "government", "Government"
    CHARITY = "charity", "Charity"
    ALUMNI = "alumni", "Fellowship alumni"
    OTHER = "other", "Other"


class Importance(models.IntegerChoices):
    """How much a shared attribute matters to a fellow asking for a mentor (the weight in the assignment)."""

    NOT_IMPORTANT = 0, "Does not matter"
    SOMEWHAT = 1, "Matters a little"
    IMPORTANT = 2, "Matters"
    VERY_IMPORTANT = 3, "Matters most"


class MentoringStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    PUBLISHED = "published", "Published"


class AuditAction(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    DOWNLOADED = "downloaded", "Downloaded"
    EXPORTED = "exported", "Exported"
    CHANGED = "changed", "Changed"
    OVERRIDDEN = "overridden", "Overridden"
    PUBLISHED = "published", "Published"
    ERASED = "erased", "Erased"


class AuditSubject(models.TextChoices):
    """What an audit event is about: the records the programme must account for who saw or changed."""

    APPLICATION = "application", "Application"
    APPLICATION_FILE = "application_file", "Application file (CV, approval, document)"
    SHORTLIST_SCORE = "shortlist_score", "Shortlisting score"
    INTERVIEW_SCORE = "interview_score", "Interview score"
    EQUALITY = "equality", "Equality monitoring figures"
    MATCHING = "matching", "Fellow–project matching"
    MENTORING = "mentoring", "Mentor pairs"
    REPORT = "report", "Benefits report"
    INVITATION = "invitation", "Invitation to a role"
    EMAIL_TEXT = "email_text", "E-mail text"
    CONSENT = "consent", "Consent to quote or publish a testimonial"
    PERSONAL_DATA = "personal_data", "A person's data (access and erasure)"


class InvitationState(models.TextChoices):
    """Where an e-mailed invitation stands; derived from its dates, never stored."""

    PENDING = "pending", "Pending"
    EXPIRED = "expired", "Expired"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"


# The roles faculty give by invitation: anyone may sign up as an applicant without one.
INVITABLE_ROLES = (
    Role.FELLOW,
    Role.ALUMNUS,
    Role.SUPERVISOR,
    Role.PANELLIST,
    Role.FUNDER,
    Role.FACULTY,
)
