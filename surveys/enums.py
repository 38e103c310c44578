"""Vocabularies of the surveys app: question kinds and the 5-point agreement scale."""

from django.db import models


class QuestionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    AGREEMENT = "agreement", "Agreement (5-point scale)"
    NUMBER = "number", "Number"
    TEXT = "text", "Free text"
    GRID = "grid", "Grid (rows answered on a scale or yes/no)"


class GridScale(models.TextChoices):
    """What each row of a grid question is answered on."""

    AGREEMENT = "agreement", "5-point agreement scale"
    YES_NO = "yes_no", "Yes or no"


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class Audience(models.TextChoices):
    """Who a survey is sent to; the invitation list is drawn from it when the survey is sent."""

    COHORT_FELLOWS = "cohort_fellows", "The fellows of a cohort"
    WORKSHOP_ATTENDEES = "workshop_attendees", "Those who attended a workshop"
    ALUMNI = "alumni", "Alumni"
    ROUND_PANELLISTS = "round_panellists", "A recruitment round's panellists"


class Agreement(models.TextChoices):
    STRONGLY_AGREE = "strongly_agree", "Strongly agree"
    AGREE = "agree", "Agree"
    NEUTRAL = "neutral", "Neither agree nor disagree"
    DISAGREE = "disagree", "Disagree"
    STRONGLY_DISAGREE = "strongly_disagree", "Strongly disagree"


# Kinds whose answers are counted option by option in the results.
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.AGREEMENT)

# An anonymous survey's results (and its free text) are shown only once it has closed with at
# least this many answers; while it is open, how many have answered is shown in steps of this
# size. The same number as the disclosure-control policy's default (EQUALITY_SUPPRESS_BELOW).
ANONYMITY_THRESHOLD = 5

# An anonymous survey's waiting answers are released into its responses once this many wait (and
# all of them when it closes). Never fewer than ANONYMITY_THRESHOLD.
RELEASE_BATCH = ANONYMITY_THRESHOLD

# The longest free-text answer we keep.
TEXT_MAX_LENGTH = 5000

PANELLIST_FEEDBACK = "panellist_feedback"
