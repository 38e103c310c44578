"""Fellows: one record per person per cohort, with their post, region, funder and status."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from .. import rules as r
from ..enums import FellowStatus, Profession, Role
from .programme import Cohort, Funder, Region


class FellowQuerySet(models.QuerySet["Fellow"]):
    def for_user(self, user) -> FellowQuerySet:
        """Fellows this person may see: faculty see all; everyone else only their own records."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.FACULTY):
            return self
        return self.filter(user=user)

    def in_post(self) -> FellowQuerySet:
        return self.filter(status=FellowStatus.IN_POST)

    def graduated(self) -> FellowQuerySet:
        return self.filter(status=FellowStatus.GRADUATED)

    def without_account(self) -> FellowQuerySet:
        return self.filter(user__isnull=True)

    def without_project(self) -> FellowQuerySet:
        return self.filter(project_ref="")

    def counts_by_funder_and_cohort(self):
        """Rows of funder_id, cohort__number, in_post, graduated and total: how many fellows each
        funder funds in each cohort. Counts only, no one's name; one query."""
        return (
            self.exclude(funder__isnull=True)
            .values("funder_id", "cohort__number")
            .annotate(
                in_post=models.Count("pk", filter=Q(status=FellowStatus.IN_POST)),
                graduated=models.Count("pk", filter=Q(status=FellowStatus.GRADUATED)),
                total=models.Count("pk"),
            )
            .order_by("funder_id", "cohort__number")
        )


class Fellow(RulesModel):
    """A person's place in a cohort: the region and funder of their post, profession and status."""

    ref = models.CharField("reference", max_length=40, unique=True)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="fellows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fellowships",
    )
    full_name = models.CharField(max_length=150, blank=True)
    # From the programme history; used only to invite the fellow to the service (fellowship.invitations).
    email = models.EmailField("e-mail address for invitations", blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="fellows")
    profession = models.CharField(max_length=30, choices=Profession.choices)
    specialty = models.CharField(max_length=100, blank=True)
    funder = models.ForeignKey(
        Funder, null=True, blank=True, on_delete=models.PROTECT, related_name="fellows"
    )
    status = models.CharField(
        max_length=20, choices=FellowStatus.choices, default=FellowStatus.IN_POST
    )
    # The specialty theme of the funded post (e.g. Haematology): themed posts take projects of that theme.
    post_theme = models.CharField(max_length=100, blank=True)
    # The matched project's reference as the history records it; the projects app links it.
    project_ref = models.CharField("project reference", max_length=40, blank=True)
    # The clinical domain of that project (e.g. Imaging), recorded by the projects app when it places
    # the fellow, so that mentor matching can compare domains without reading the projects app.
    project_domain = models.CharField("project domain", max_length=100, blank=True)
    history = HistoricalRecords()

    objects = FellowQuerySet.as_manager()

    class Meta:
        ordering = ["cohort__number", "ref"]
        rules_permissions = {
            "view": r.is_faculty | r.is_own_fellowship,
            "add": r.is_faculty,
            "change": r.is_faculty,
        }

    def __str__(self) -> str:
        return f"{self.display_name} ({self.cohort})"

    @property
    def display_name(self) -> str:
        """The fellow's name for every page: their own name once they have an account, the name the
        programme history records before that. Never the reference, which means nothing to fellows,
        mentors, supervisors or funders (faculty pages show it as a second line)."""
        if name := self.recorded_name:
            return name
        if self.user_id:
            return self.user.email
        return "Name not recorded"

    @property
    def recorded_name(self) -> str:
        """The name on the fellow's account, else the one the programme history records, else ""."""
        if self.user_id and self.user.full_name:
            return self.user.full_name
        return self.full_name

    @property
    def is_non_medic(self) -> bool:
        return self.profession != Profession.MEDICINE
