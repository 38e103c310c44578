"""Vocabularies of fellows' portfolios, with the history import's lower-case keys as values."""

from django.db import models


class EntryKind(models.TextChoices):
    CERTIFICATE = "certificate", "Certificate"
    QUALIFICATION = "qualification", "Qualification"
    GRANT = "grant", "Grant"
    PRIZE = "prize", "Prize"
    PUBLICATION = "publication", "Publication"
    PRESENTATION = "presentation", "Presentation"
    INVITATION = "invitation", "Panel or speaker invitation"
    ONWARD_PROGRAMME = "onward_programme", "Onward programme"
    CODE_REPOSITORY = "code_repository", "Code repository"
    MEDIA = "media", "Media piece"
    POLICY = "policy", "Policy or guidelines"


# Things a fellow was awarded: they have happened, so they cannot be dated in the future.
AWARDED = frozenset(
    {EntryKind.CERTIFICATE, EntryKind.QUALIFICATION, EntryKind.GRANT, EntryKind.PRIZE}
)

# The flags the benefits report counts, and the kinds each applies to (objectives 5 and 6):
# publications with academic co-authors; policy work and media pieces with a royal college or
# national body.
ACADEMIC_COAUTHOR_KINDS = frozenset({EntryKind.PUBLICATION})
NATIONAL_BODY_KINDS = frozenset({EntryKind.POLICY, EntryKind.MEDIA})


class QuoteAs(models.TextChoices):
    NAMED = "named", "With my name and cohort"
    ANONYMOUS = "anonymous", "Anonymously, as “a fellow of cohort N”"


class ConsentPurpose(models.TextChoices):
    """What a fellow agrees the programme may do with their testimonial."""

    QUOTE_IN_REPORTS = "quote_in_reports", "Quote it in reports"
    PUBLISH_ON_WEBSITE = "publish_on_website", "Publish it on the website"


class WebsitePurpose(models.TextChoices):
    """What a fellow agrees the programme's public website may show of theirs."""

    PUBLIC_PROFILE = "public_profile", "Show my profile on the fellows and alumni page"
    POSTER = "poster", "Publish my graduation poster on the projects page"


# A fellow's public profile: each part they may choose to show, in the order the page shows them.
PROFILE_PARTS = ("name", "profession", "region", "photo", "bio", "project", "links")
