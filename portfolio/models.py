"""Fellows' portfolios: entries of their output in clinical AI, a graduation poster and a testimonial."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from fellowship.enums import Role
from fellowship.uploads import private_upload_to

from . import rules as r
from .enums import AWARDED, ConsentPurpose, EntryKind, QuoteAs, WebsitePurpose
from .links import doi_of


def _readable_by(user) -> Q | None:
    """Whose portfolio items this person may read, as a filter on `fellow`; None for everything."""
    if user.has_role(Role.FACULTY):
        return None
    return Q(fellow__user=user) | Q(fellow__placement__project__supervisor=user)


class PortfolioEntryQuerySet(models.QuerySet["PortfolioEntry"]):
    def for_user(self, user) -> PortfolioEntryQuerySet:
        """Faculty see all; a fellow their own; a supervisor those of fellows placed on their projects."""
        if not user.is_authenticated:
            return self.none()
        visible = _readable_by(user)
        return self if visible is None else self.filter(visible)


class PortfolioEntry(RulesModel):
    """One piece of a fellow's output: a certificate, publication, invitation, onward programme..."""

    fellow = models.ForeignKey(
        "fellowship.Fellow", on_delete=models.CASCADE, related_name="portfolio_entries"
    )
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    title = models.CharField(max_length=300)
    date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    url = models.URLField("link", max_length=500, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    academic_coauthors = models.BooleanField("with academic co-authors", default=False)
    national_body = models.BooleanField("with a royal college or national body", default=False)
    evidence = models.FileField(
        upload_to=private_upload_to("portfolio/evidence"), blank=True, max_length=255
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = PortfolioEntryQuerySet.as_manager()

    class Meta:
        ordering = ["fellow", "kind", models.F("date").desc(nulls_last=True), "title"]
        verbose_name_plural = "portfolio entries"
        indexes = [models.Index(fields=["kind", "date"])]
        rules_permissions = {
            "view": r.can_read,
            "add": r.is_portfolio_owner,
            "change": r.is_portfolio_owner,
            "delete": r.is_portfolio_owner,
        }

    def __str__(self) -> str:
        return self.title

    @property
    def doi(self) -> str:
        return doi_of(self.url)

    @property
    def is_awarded(self) -> bool:
        return self.kind in AWARDED


class PosterQuerySet(models.QuerySet["Poster"]):
    def for_user(self, user) -> PosterQuerySet:
        if not user.is_authenticated:
            return self.none()
        visible = _readable_by(user)
        return self if visible is None else self.filter(visible)


class Poster(RulesModel):
    """A fellow's graduation poster on the outcomes of their AI project (a PDF or an image)."""

    fellow = models.OneToOneField(
        "fellowship.Fellow", on_delete=models.CASCADE, related_name="poster"
    )
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to=private_upload_to("portfolio/posters"), max_length=255)
    file_kind = models.CharField(max_length=10)  # pdf, png or jpeg, from the file's content
    file_size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = PosterQuerySet.as_manager()

    class Meta:
        ordering = ["fellow"]
        rules_permissions = {"view": r.can_read, "change": r.is_portfolio_owner}

    def __str__(self) -> str:
        return self.title

    @property
    def is_image(self) -> bool:
        return self.file_kind in ("png", "jpeg")


class ConsentQuerySet(models.QuerySet):
    """Consent records of either kind (about a testimonial, or about the website)."""

    def current(self) -> ConsentQuerySet:
        """Consents given and not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self) -> ConsentQuerySet:
        return self.filter(withdrawn_at__isnull=False)


class ConsentRecord(RulesModel):
    """What every consent a fellow gives keeps: the exact words they agreed to and their version,
    who gave it and when, and, once withdrawn, who withdrew it and when. A consent is never edited
    or deleted when withdrawn; giving it again makes a new record."""

    wording = models.TextField(help_text="The exact words the fellow agreed to.")
    wording_version = models.CharField(max_length=40)
    given_at = models.DateTimeField(default=timezone.now)
    given_by = models.ForeignKey(
        "fellowship.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "fellowship.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None

    def mark_withdrawn(self, by, *, at: datetime.datetime | None = None) -> None:
        """Record the withdrawal (by `by`, or by no one when a job or an anonymous request does
        it) and save only those two fields. The caller holds the row lock and audits it."""
        self.withdrawn_at = at or timezone.now()
        self.withdrawn_by = by if by is not None and by.is_authenticated else None
        self.save(update_fields=["withdrawn_at", "withdrawn_by"])


def _current_consent(purpose: str, **fields) -> Exists:
    """Whether the testimonial of the outer query has a current consent for `purpose`."""
    return Exists(
        Consent.objects.current().filter(testimonial=OuterRef("pk"), purpose=purpose, **fields)
    )


class TestimonialQuerySet(models.QuerySet["Testimonial"]):
    def for_user(self, user) -> TestimonialQuerySet:
        """Faculty see all; a fellow their own (supervisors do not read testimonials)."""
        if not user.is_authenticated:
            return self.none()
        return self if user.has_role(Role.FACULTY) else self.filter(fellow__user=user)

    def with_consents(self) -> TestimonialQuerySet:
        """Each testimonial with its current consents read in one further query."""
        return self.prefetch_related(
            Prefetch("consents", queryset=Consent.objects.current(), to_attr="current_consents")
        )

    def quotable(self) -> TestimonialQuerySet:
        """Only those whose fellow's consent to be quoted is current (given, not withdrawn): the
        only ones reports may use."""
        return (
            self.filter(_current_consent(ConsentPurpose.QUOTE_IN_REPORTS))
            .exclude(text="")
            .with_consents()
        )

    def publishable(self) -> TestimonialQuerySet:
        """Only those whose fellow's consents to be quoted and published on the website are both
        current: the only ones the public website may show."""
        return self.quotable().filter(_current_consent(ConsentPurpose.PUBLISH_ON_WEBSITE))


class Testimonial(RulesModel):
    """A fellow's narrative of their fellowship and its impact; their consents say who may use it."""

    fellow = models.OneToOneField(
        "fellowship.Fellow", on_delete=models.CASCADE, related_name="testimonial"
    )
    text = models.TextField("your testimonial")
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = TestimonialQuerySet.as_manager()

    class Meta:
        ordering = ["fellow"]
        rules_permissions = {
            "view": r.is_faculty | r.is_portfolio_owner,
            "change": r.is_portfolio_owner,
        }

    def __str__(self) -> str:
        return f"Testimonial of {self.fellow.ref}"

    def current_consent(self, purpose: str) -> Consent | None:
        """The consent for `purpose` given and not withdrawn, if any (prefetched by
        `with_consents()`, else read once and kept)."""
        if not self.pk:
            return None
        if not hasattr(self, "current_consents"):
            self.current_consents = list(self.consents.current())
        return next((c for c in self.current_consents if c.purpose == purpose), None)

    def forget_consents(self) -> None:
        """Drop the kept consents, so the next read sees a change just made."""
        self.__dict__.pop("current_consents", None)

    @property
    def quote_consent(self) -> Consent | None:
        return self.current_consent(ConsentPurpose.QUOTE_IN_REPORTS)

    @property
    def publish_consent(self) -> Consent | None:
        return self.current_consent(ConsentPurpose.PUBLISH_ON_WEBSITE)

    @property
    def may_quote(self) -> bool:
        return self.current_consent(ConsentPurpose.QUOTE_IN_REPORTS) is not None

    @property
    def quote_as(self) -> str:
        """How the fellow asked to be credited when quoted ("" when they may not be quoted)."""
        consent = self.current_consent(ConsentPurpose.QUOTE_IN_REPORTS)
        return consent.quote_as if consent else ""

    @property
    def may_publish(self) -> bool:
        return self.current_consent(ConsentPurpose.PUBLISH_ON_WEBSITE) is not None

    def get_quote_as_display(self) -> str:
        return QuoteAs(self.quote_as).label if self.quote_as else ""

    @property
    def attribution(self) -> str:
        """How a report credits the quote: the fellow's name, or only their cohort."""
        cohort = self.fellow.cohort
        if self.quote_as == QuoteAs.NAMED:
            return f"{self.fellow.display_name}, {cohort}"
        return f"A fellow of cohort {cohort.number}"


class Consent(ConsentRecord):
    """One consent a fellow gave about their testimonial, with the words they agreed to; kept
    when withdrawn (with the date), and given again as a new record."""

    testimonial = models.ForeignKey(Testimonial, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=ConsentPurpose.choices)
    quote_as = models.CharField(
        "credited", max_length=10, choices=QuoteAs.choices, blank=True
    )  # for quoting only

    class Meta:
        ordering = ["testimonial", "-given_at", "-pk"]
        rules_permissions = {
            "view": r.is_faculty | r.is_portfolio_owner,
            "change": r.is_portfolio_owner,
        }
        constraints = [
            models.UniqueConstraint(
                fields=["testimonial", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_current_consent_per_purpose",
            ),
            # Quoting names how the fellow is credited; publishing follows that choice.
            models.CheckConstraint(
                condition=Q(purpose=ConsentPurpose.QUOTE_IN_REPORTS, quote_as__in=QuoteAs.values)
                | Q(purpose=ConsentPurpose.PUBLISH_ON_WEBSITE, quote_as=""),
                name="consent_credit_for_quoting_only",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.testimonial.fellow.ref})"

    @property
    def fellow(self):
        """Whose consent it is (the rules predicates read `fellow`)."""
        return self.testimonial.fellow


# The public website ------------------------------------------------------------------------------

BIO_MAX_LENGTH = 600
MAX_PUBLIC_LINKS = 3


def website_consent_current(purpose: str, fellow_path: str = "fellow") -> Exists:
    """Whether the fellow of the outer query (at `fellow_path`) lets the website show `purpose`."""
    return Exists(
        WebsiteConsent.objects.current().filter(fellow=OuterRef(fellow_path), purpose=purpose)
    )


class WebsiteConsent(ConsentRecord):
    """A fellow's consent to show their profile or poster on the public website, with the words
    they agreed to; kept when withdrawn (with the date), and given again as a new record."""

    fellow = models.ForeignKey(
        "fellowship.Fellow", on_delete=models.CASCADE, related_name="website_consents"
    )
    purpose = models.CharField(max_length=20, choices=WebsitePurpose.choices)

    class Meta:
        ordering = ["fellow", "-given_at", "-pk"]
        rules_permissions = {
            "view": r.is_faculty | r.is_portfolio_owner,
            "change": r.is_portfolio_owner,
        }
        constraints = [
            models.UniqueConstraint(
                fields=["fellow", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_current_website_consent_per_purpose",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="website_consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.fellow.ref})"


class PublicProfileQuerySet(models.QuerySet["PublicProfile"]):
    def published(self) -> PublicProfileQuerySet:
        """Only the profiles whose fellow's consent to show them is current: the only ones the
        public website may show."""
        return self.filter(website_consent_current(WebsitePurpose.PUBLIC_PROFILE))


class PublicProfile(RulesModel):
    """What a fellow chooses to show of themselves on the public fellows and alumni page; shown
    only while their consent (a WebsiteConsent) is current."""

    fellow = models.OneToOneField(
        "fellowship.Fellow", on_delete=models.CASCADE, related_name="public_profile"
    )
    show_name = models.BooleanField("my name", default=True)
    show_profession = models.BooleanField("my profession", default=True)
    show_region = models.BooleanField("my region", default=False)
    show_photo = models.BooleanField("my photo", default=False)
    show_bio = models.BooleanField("my short biography", default=False)
    show_project = models.BooleanField("the title of my AI project", default=False)
    show_links = models.BooleanField("my links", default=False)
    bio = models.TextField("short biography", max_length=BIO_MAX_LENGTH, blank=True)
    links = models.JSONField(default=list, blank=True)  # web addresses, each normalise_link()ed
    photo = models.FileField(
        upload_to=private_upload_to("portfolio/photos"), blank=True, max_length=255
    )
    photo_kind = models.CharField(max_length=10, blank=True)  # png or jpeg, from the content
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = PublicProfileQuerySet.as_manager()

    class Meta:
        ordering = ["fellow"]
        rules_permissions = {
            "view": r.is_faculty | r.is_portfolio_owner,
            "change": r.is_portfolio_owner,
        }

    def __str__(self) -> str:
        return f"Public profile of {self.fellow.ref}"
