"""Vocabularies of recruitment and of equality monitoring (Equality Act 2010, ONS 2021 categories)."""

from django.db import models


class Stage(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    INELIGIBLE = "ineligible", "Ineligible"
    LONGLISTED = "longlisted", "Longlisted"
    SHORTLISTED = "shortlisted", "Shortlisted"
    INTERVIEWED = "interviewed", "Interviewed"
    OFFERED = "offered", "Offered"
    APPOINTED = "appointed", "Appointed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    UNSUCCESSFUL = "unsuccessful", "Unsuccessful"


# The selection funnel, in order: how far an application got (the history import's furthest_stage).
FUNNEL = (
    Stage.SUBMITTED,
    Stage.LONGLISTED,
    Stage.SHORTLISTED,
    Stage.INTERVIEWED,
    Stage.OFFERED,
    Stage.APPOINTED,
)
EDITABLE_STAGES = (Stage.DRAFT,)
SUBMITTED_STAGES = tuple(s for s in Stage if s not in (Stage.DRAFT,))


class RegistrationBody(models.TextChoices):
    GMC = "gmc", "General Medical Council (GMC)"
    NMC = "nmc", "Nursing and Midwifery Council (NMC)"
    HCPC = "hcpc", "Health and Care Professions Council (HCPC)"
    GPHC = "gphc", "General Pharmaceutical Council (GPhC)"
    GDC = "gdc", "General Dental Council (GDC)"
    GOC = "goc", "General Optical Council (GOC)"
    OTHER = "other", "Other"


class ApprovalMethod(models.TextChoices):
    UPLOAD = "upload", "Upload a form signed by my manager"
    MANAGER_LINK = "manager_link", "E-mail my manager a link to confirm"


PREFER_NOT = ("prefer_not_to_say", "Prefer not to say")


class Sex(models.TextChoices):
    """The history import's `gender` vocabulary."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Other"
    PREFER_NOT_TO_SAY = PREFER_NOT


class YesNoPrefer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT_TO_SAY = PREFER_NOT


class AgeBand(models.TextChoices):
    UNDER_25 = "under_25", "Under 25"
    A25 = "25-29", "25 to 29"
    A30 = "30-34", "30 to 34"
    A35 = "35-39", "35 to 39"
    A40 = "40-44", "40 to 44"
    A45 = "45-49", "45 to 49"
    A50 = "50+", "50 or over"
    PREFER_NOT_TO_SAY = PREFER_NOT


class SexualOrientation(models.TextChoices):
    STRAIGHT = "straight", "Straight or heterosexual"
    GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
    BISEXUAL = "bisexual", "Bisexual"
    OTHER = "other", "Other sexual orientation"
    PREFER_NOT_TO_SAY = PREFER_NOT


class EthnicGroup(models.TextChoices):
    """ONS 2021 census categories for England and Wales."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = "black_other", "Black, Black British, Caribbean or African: any other background"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or multiple ethnic groups: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        "Mixed or multiple ethnic groups: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed or multiple ethnic groups: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed_other", "Mixed or multiple ethnic groups: any other background"
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY = "white_gypsy", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other ethnic group"
    PREFER_NOT_TO_SAY = PREFER_NOT


class Religion(models.TextChoices):
    NONE = "none", "No religion"
    BUDDHIST = "buddhist", "Buddhist"
    CHRISTIAN = "christian", "Christian"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Any other religion or belief"
    PREFER_NOT_TO_SAY = PREFER_NOT


class MaritalStatus(models.TextChoices):
    SINGLE = "single", "Never married and never registered a civil partnership"
    MARRIED = "married", "Married"
    CIVIL_PARTNERSHIP = "civil_partnership", "In a registered civil partnership"
    SEPARATED = "separated", "Separated, but still legally married or in a civil partnership"
    DIVORCED = "divorced", "Divorced or civil partnership dissolved"
    WIDOWED = "widowed", "Widowed or surviving civil partner"
    PREFER_NOT_TO_SAY = PREFER_NOT


class ConflictReason(models.TextChoices):
    DECLARED = "declared", "Declared by the reviewer or panellist"
    SAME_EMPLOYER = "same_employer", "Same employing organisation"


class OfferState(models.TextChoices):
    """The values match recruitment.ranking's states."""

    PENDING = "pending", "Waiting for a reply"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    LAPSED = "lapsed", "Lapsed (no reply by the deadline)"
    WITHDRAWN = "withdrawn", "Withdrawn"


SCORE_MIN, SCORE_MAX = 0, 4
