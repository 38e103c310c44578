"""Fellows' portfolios: entries of their output in clinical AI, a graduation poster and a testimonial."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from fellowship.enums import Role
from fellowship.uploads import private_upload_to

from . import rules as r
from .enums import AWARDED, EntryKind, QuoteAs
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


class TestimonialQuerySet(models.QuerySet["Testimonial"]):
    def for_user(self, user) -> TestimonialQuerySet:
        """Faculty see all; a fellow their own (supervisors do not read testimonials)."""
        if not user.is_authenticated:
            return self.none()
        return self if user.has_role(Role.FACULTY) else self.filter(fellow__user=user)

    def quotable(self) -> TestimonialQuerySet:
        """Only those whose fellow agreed to be quoted: the only ones reports may use."""
        return self.filter(may_quote=True).exclude(text="")


class Testimonial(RulesModel):
    """A fellow's narrative of their fellowship and its impact, with their consent to quote it."""

    fellow = models.OneToOneField(
        "fellowship.Fellow", on_delete=models.CASCADE, related_name="testimonial"
    )
    text = models.TextField("your testimonial")
    may_quote = models.BooleanField("may be quoted in reports", default=False)
    quote_as = models.CharField(
        "quoted", max_length=10, choices=QuoteAs.choices, default=QuoteAs.ANONYMOUS
    )
    may_publish = models.BooleanField("may be published on the programme's website", default=False)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = TestimonialQuerySet.as_manager()

    class Meta:
        ordering = ["fellow"]
        rules_permissions = {
            "view": r.is_faculty | r.is_portfolio_owner,
            "change": r.is_portfolio_owner,
        }
        constraints = [
            # Publishing is a kind of quoting: never one without the other.
            models.CheckConstraint(
                condition=Q(may_publish=False) | Q(may_quote=True), name="publish_needs_quote"
            ),
        ]

    def __str__(self) -> str:
        return f"Testimonial of {self.fellow.ref}"

    @property
    def attribution(self) -> str:
        """How a report credits the quote: the fellow's name, or only their cohort."""
        cohort = self.fellow.cohort
        if self.quote_as == QuoteAs.NAMED:
            return f"{self.fellow.display_name}, {cohort}"
        return f"A fellow of cohort {cohort.number}"
