"""The programme core: people and roles, cohorts, regions, organisations, funders, fellows, workshops."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from . import rules as r
from .enums import (
    AuditAction,
    AuditSubject,
    FellowStatus,
    FunderKind,
    Importance,
    InvitationState,
    MentoringStatus,
    OrganisationKind,
    Profession,
    Role,
    SpeakerSector,
)
from .uploads import private_upload_to

if TYPE_CHECKING:
    from collections.abc import Iterable


TITLES = {"dr", "prof", "professor", "mr", "mrs", "ms", "miss", "mx", "sir", "dame"}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address; what they may do comes from their roles."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    # Where reviewers and panellists work: the same employer as a candidate's is a conflict of interest.
    organisation = models.CharField("employing organisation", max_length=200, blank=True)
    is_staff = models.BooleanField(default=False, help_text="May use the support admin site.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        """The first name, for greetings ("Hello, Nadia"), skipping titles such as Dr or Prof."""
        words = [w for w in self.full_name.split() if w.rstrip(".").lower() not in TITLES]
        return words[0] if words else (self.full_name or self.email)

    @cached_property
    def roles(self) -> frozenset[str]:
        """The roles this person holds (cached for the request; grants invalidate it)."""
        if not self.pk:
            return frozenset()
        return frozenset(self.role_grants.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @cached_property
    def funder_ids(self) -> frozenset[int]:
        """The funders this person acts for (through their funder role grants)."""
        return frozenset(
            self.role_grants.filter(role=Role.FUNDER).values_list("funder_id", flat=True)
        )

    def forget_roles(self) -> None:
        for name in ("roles", "funder_ids"):
            self.__dict__.pop(name, None)


class RoleGrant(models.Model):
    """One role held by one person; a funder role names the funder the person acts for."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    funder = models.ForeignKey(
        "Funder", null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(funder__isnull=True), name="one_grant_per_role"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "funder"],
                condition=Q(funder__isnull=False),
                name="one_grant_per_funder",
            ),
            models.CheckConstraint(
                condition=Q(role=Role.FUNDER, funder__isnull=False)
                | (~Q(role=Role.FUNDER) & Q(funder__isnull=True)),
                name="funder_role_names_funder",
            ),
        ]

    def __str__(self) -> str:
        suffix = f" ({self.funder})" if self.funder_id else ""
        return f"{self.user}: {self.get_role_display()}{suffix}"


class CohortQuerySet(models.QuerySet["Cohort"]):
    def funded_by(self, funder_ids) -> CohortQuerySet:
        """The cohorts these funders fund: those where one of them pays for a post or for a fellow
        (the fellows imported from the programme history carry their funder and have no post)."""
        return self.filter(
            Q(pk__in=FundedPost.objects.filter(funder_id__in=funder_ids).values("cohort_id"))
            | Q(pk__in=Fellow.objects.filter(funder_id__in=funder_ids).values("cohort_id"))
        )

    def with_counts(self) -> CohortQuerySet:
        return self.annotate(
            fellow_count=models.Count("fellows", distinct=True),
            region_count=models.Count("fellows__region", distinct=True),
            workshop_count=models.Count("workshops", distinct=True),
        )


class Cohort(RulesModel):
    """One year-long intake of fellows, numbered from 1."""

    number = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(1)])
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="cohort_number_positive"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gt=models.F("start_date")),
                name="cohort_ends_after_start",
            ),
        ]
        rules_permissions = {"view": r.is_faculty, "add": r.is_faculty, "change": r.is_faculty}

    def __str__(self) -> str:
        return f"Cohort {self.number}"


class Region(RulesModel):
    """A geography whose funders pay for posts (an NHS England region, Wales, Scotland ...)."""

    name = models.CharField(max_length=100, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        rules_permissions = {"view": r.is_faculty, "add": r.is_faculty, "change": r.is_faculty}

    def __str__(self) -> str:
        return self.name


class Organisation(RulesModel):
    """An NHS trust or team, university, company or public body that hosts projects or workshops."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(
        max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.NHS_TRUST
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="organisations"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        rules_permissions = {"view": r.is_faculty, "add": r.is_faculty, "change": r.is_faculty}

    def __str__(self) -> str:
        return self.name


class CurriculumTheme(models.Model):
    """One of the five themes of the Clinical AI curriculum (seeded; keys match the history import)."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class FunderQuerySet(models.QuerySet["Funder"]):
    def for_user(self, user) -> FunderQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.FACULTY):
            return self
        return self.acting_for(user)

    def without_mou(self) -> FunderQuerySet:
        return self.filter(Q(mou="") | Q(mou__isnull=True))

    def acting_for(self, user) -> FunderQuerySet:
        """The funders this person holds the funder role for (faculty included: not every funder)."""
        return self.filter(pk__in=user.funder_ids)


class Funder(RulesModel):
    """A body that pays for fellows' posts under a memorandum of understanding."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(
        max_length=30, choices=FunderKind.choices, default=FunderKind.EDUCATION_BODY
    )
    mou = models.FileField(
        "memorandum of understanding",
        upload_to=private_upload_to("mou"),
        blank=True,
        max_length=255,
    )
    mou_signed_on = models.DateField("MoU signed on", null=True, blank=True)
    history = HistoricalRecords()

    objects = FunderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        rules_permissions = {
            "view": r.is_faculty | r.acts_for_funder,
            "add": r.is_faculty,
            "change": r.is_faculty,
        }

    def __str__(self) -> str:
        return self.name


class FundedPost(models.Model):
    """Posts a funder pays for in one cohort and region, optionally themed to a specialty."""

    funder = models.ForeignKey(Funder, on_delete=models.CASCADE, related_name="posts")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="funded_posts")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="funded_posts")
    specialty_theme = models.CharField(
        max_length=100,
        blank=True,
        help_text="Leave blank unless the posts are for one specialty, such as Haematology.",
    )
    places = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["cohort__number", "region__name", "funder__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["funder", "cohort", "region", "specialty_theme"],
                name="one_funded_post_line",
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="funded_post_places_positive"),
        ]

    def __str__(self) -> str:
        theme = f", {self.specialty_theme}" if self.specialty_theme else ""
        return f"{self.places} × {self.region} ({self.funder}, {self.cohort}{theme})"


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


class WorkshopQuerySet(models.QuerySet["Workshop"]):
    def upcoming(self) -> WorkshopQuerySet:
        return self.filter(date__gte=timezone.localdate()).order_by("date")


# The longest teaching a workshop record may hold: one day of at most 12 hours.
WORKSHOP_MAX_MINUTES = 12 * 60


class Workshop(RulesModel):
    """A teaching day of the curriculum; some are regional showcases hosted at centres of excellence."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="workshops")
    date = models.DateField()
    title = models.CharField(max_length=200)
    host_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_workshops",
    )
    regional_showcase = models.BooleanField(default=False)
    # How long the teaching lasted, breaks included: the report's teaching hours. Blank when not
    # recorded (older history); the report then says how many workshops have no length.
    duration_minutes = models.PositiveSmallIntegerField(
        "length in minutes",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(WORKSHOP_MAX_MINUTES)],
        help_text="Optional. For example, 390 for a day from 9:30am to 4pm. At most 12 hours (720).",
    )
    themes = models.ManyToManyField(CurriculumTheme, blank=True, related_name="workshops")
    # Who came: workshop feedback surveys go to the attendees.
    attendees = models.ManyToManyField("Fellow", blank=True, related_name="workshops_attended")
    history = HistoricalRecords(m2m_fields=[themes])

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["date", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "date", "title"], name="one_workshop_per_title_and_day"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True)
                | Q(duration_minutes__gte=1, duration_minutes__lte=WORKSHOP_MAX_MINUTES),
                name="workshop_duration_in_range",
            ),
        ]
        rules_permissions = {
            "view": r.is_faculty | r.attends_workshop_cohort,
            "add": r.is_faculty,
            "change": r.is_faculty,
        }

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%-d %B %Y})"


class Programme(models.Model):
    """The programme this service runs: extends the site record, whose name is the programme's name."""

    site = models.OneToOneField(
        "sites.Site", primary_key=True, on_delete=models.CASCADE, related_name="programme"
    )
    short_name = models.CharField(max_length=40, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    website = models.URLField(max_length=200, blank=True)
    # Shown on the benefits report's cover. PNG or JPEG only (checked by content), never SVG: an
    # SVG can carry scripts and links. Stored under a private name, like every upload.
    logo = models.FileField(upload_to=private_upload_to("programme"), blank=True, max_length=255)

    LOGO_KINDS = ("png", "jpeg")
    LOGO_MAX_BYTES = 1024 * 1024

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.site.name


def programme() -> Programme:
    """The programme's name, short name, organisation and website, for pages, reports and e-mails.

    Set by the history import's programme table; until then, the site's name and blank details.
    """
    from django.contrib.sites.models import Site

    # One query, always, and afresh: another process may have imported a new programme record.
    site = Site.objects.select_related("programme").get(pk=settings.SITE_ID)
    try:
        return site.programme
    except Programme.DoesNotExist:
        return Programme(site=site)


class Speaker(models.Model):
    """Someone who taught at a workshop; the sector tells industry and regulator speakers apart."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(max_length=150)
    role_title = models.CharField("role", max_length=150, blank=True)
    affiliation = models.CharField(max_length=200, blank=True)
    sector = models.CharField(
        max_length=20, choices=SpeakerSector.choices, default=SpeakerSector.NHS
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talks",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["workshop", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.affiliation}" if self.affiliation else self.name


def roles_of(users: Iterable[User]) -> dict[int, list[str]]:
    """Roles per user id in one query, for lists of people."""
    result: dict[int, list[str]] = {u.pk: [] for u in users}
    for user_id, role in RoleGrant.objects.filter(user_id__in=result).values_list(
        "user_id", "role"
    ):
        result[user_id].append(role)
    return result


rules.add_perm("fellowship.manage_programme", r.is_faculty)
rules.add_perm("fellowship.import_history", r.is_faculty)
rules.add_perm("fellowship.manage_people", r.is_faculty)
rules.add_perm("fellowship.list_funders", r.is_faculty | r.is_funder)
rules.add_perm("fellowship.list_workshops", r.is_faculty | r.is_fellow | r.is_alumnus)


class HistoryImport(models.Model):
    """A record of one successful history import: who, when, from what, and what it changed."""

    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=255)
    summary = models.JSONField(default=list)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.source} at {self.imported_at:%Y-%m-%d %H:%M}"


class MentorOffer(models.Model):
    """An alumnus's offer to mentor fellows of an incoming cohort, with what they can match on."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="mentor_offers")
    # The alumnus's own fellowship record (the history import names mentors by fellow ref).
    mentor = models.ForeignKey(Fellow, on_delete=models.CASCADE, related_name="mentor_offers")
    capacity = models.PositiveSmallIntegerField(
        "mentees you can take", default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    specialty = models.CharField("clinical specialty", max_length=100, blank=True)
    # Clinical domains of AI projects the mentor knows, e.g. ["Radiology", "Oncology"].
    domains = models.JSONField("project domains", default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cohort__number", "mentor__ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "mentor"], name="one_mentor_offer_per_cohort"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=3), name="mentor_capacity_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.display_name} mentors {self.capacity} in {self.cohort}"


class MentorRequest(models.Model):
    """An incoming fellow asking for a mentor, and how much region, specialty and domain matter to them."""

    fellow = models.OneToOneField(Fellow, on_delete=models.CASCADE, related_name="mentor_request")
    domain = models.CharField("AI project domain", max_length=100, blank=True)
    region_importance = models.PositiveSmallIntegerField(
        choices=Importance.choices, default=Importance.IMPORTANT
    )
    specialty_importance = models.PositiveSmallIntegerField(
        choices=Importance.choices, default=Importance.IMPORTANT
    )
    domain_importance = models.PositiveSmallIntegerField(
        choices=Importance.choices, default=Importance.IMPORTANT
    )
    note = models.TextField("anything else the faculty should know", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fellow__cohort__number", "fellow__ref"]

    def __str__(self) -> str:
        return f"{self.fellow.ref} asks for a mentor"


class MentorPairingQuerySet(models.QuerySet["MentorPairing"]):
    def published(self) -> MentorPairingQuerySet:
        return self.filter(status=MentoringStatus.PUBLISHED)


class MentorPairing(models.Model):
    """A mentor–mentee pair: proposed by the assignment, adjusted by faculty, then published (or imported)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="mentor_pairings")
    mentor = models.ForeignKey(Fellow, on_delete=models.PROTECT, related_name="mentee_pairings")
    mentee = models.ForeignKey(Fellow, on_delete=models.CASCADE, related_name="mentor_pairings")
    status = models.CharField(
        max_length=20, choices=MentoringStatus.choices, default=MentoringStatus.PROPOSED
    )
    # What the pair shares, recorded when the pair is made so the report can count it (objective 5).
    shares_region = models.BooleanField(default=False)
    shares_specialty = models.BooleanField(default=False)
    shares_domain = models.BooleanField(default=False)
    quality = models.PositiveSmallIntegerField(default=0)
    # Faculty pinned this pair by hand; re-running the assignment keeps it.
    pinned = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = MentorPairingQuerySet.as_manager()

    class Meta:
        ordering = ["cohort__number", "mentor__ref", "mentee__ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee"], name="one_pairing_per_mentor_and_mentee"
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")), name="mentor_is_not_own_mentee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.display_name} mentors {self.mentee.display_name}"

    @property
    def shares_any(self) -> bool:
        return self.shares_region or self.shares_specialty or self.shares_domain


class MentorExclusion(models.Model):
    """A pair faculty removed: re-running the assignment never proposes it again (pinning it lifts this)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Fellow, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Fellow, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mentor", "mentee"], name="one_exclusion_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.mentor} not to mentor {self.mentee}"


rules.add_perm("fellowship.manage_mentoring", r.is_faculty)
rules.add_perm("fellowship.offer_mentoring", r.is_alumnus)
rules.add_perm("fellowship.request_mentor", r.is_fellow)


class AuditEvent(models.Model):
    """One line of the audit log: who viewed or changed which sensitive record, and when. Append-only."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # The person, and their e-mail as it was then (kept if the account is later removed).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    subject = models.CharField(max_length=30, choices=AuditSubject.choices, db_index=True)
    # The record's own reference (application ref, cohort number, report job id) and a short summary.
    reference = models.CharField(max_length=100, blank=True, db_index=True)
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or 'system'} {self.action} {self.subject} {self.reference}"


rules.add_perm("fellowship.view_audit_log", r.is_faculty)


class Erasure(models.Model):
    """A person erased at their request: under which pseudonym, who asked, and who carried it out.

    Holds nothing that identifies the person: the pseudonym is what the audit log now names.
    """

    pseudonym = models.CharField(max_length=40, unique=True)
    requested_by = models.CharField(
        "who asked",
        max_length=200,
        help_text="For example: the person, by e-mail to the programme team",
    )
    request_received = models.DateField()
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried_out_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-carried_out_at"]
        permissions = [
            ("manage_personal_data", "Can export and erase a person's data, and apply retention"),
        ]

    def __str__(self) -> str:
        return f"{self.pseudonym}, erased {self.carried_out_at:%-d %B %Y}"


class InvitationBatchQuerySet(models.QuerySet["InvitationBatch"]):
    def for_user(self, user) -> InvitationBatchQuerySet:
        if not user.is_authenticated or not user.has_role(Role.FACULTY):
            return self.none()
        return self


class InvitationBatch(models.Model):
    """Many invitations sent by one background job: the addresses, the roles, and how far it has got."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    roles = models.JSONField(default=list)
    funder = models.ForeignKey(
        Funder, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What faculty invited from (a cohort's fellows, a round's panellists ...), shown on the page.
    description = models.CharField(max_length=200, blank=True)
    # One {"email": ..., "fellow": id or null} per person, in the order given.
    entries = models.JSONField(default=list)
    # One outcome per entry done so far: "invited", "resent", or why it was not sent.
    outcomes = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="invitation_batch_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.done} of {self.total} invitations ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def sent_count(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome in ("invited", "resent"))

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(e-mail address, why it was not sent) for each entry that failed."""
        return [
            (entry["email"], outcome)
            for entry, outcome in zip(self.entries, self.outcomes, strict=False)
            if outcome not in ("invited", "resent")
        ]


class PersonInvitationQuerySet(models.QuerySet["PersonInvitation"]):
    def for_user(self, user) -> PersonInvitationQuerySet:
        """Invitations this person may see: faculty see all; nobody else any."""
        if not user.is_authenticated or not user.has_role(Role.FACULTY):
            return self.none()
        return self

    def in_state(self, state: str) -> PersonInvitationQuerySet:
        now = timezone.now()
        unanswered = Q(accepted_at__isnull=True, revoked_at__isnull=True)
        condition = {
            InvitationState.PENDING: unanswered & Q(expires_at__gt=now),
            InvitationState.EXPIRED: unanswered & Q(expires_at__lte=now),
            InvitationState.ACCEPTED: Q(accepted_at__isnull=False),
            InvitationState.REVOKED: Q(revoked_at__isnull=False),
        }[InvitationState(state)]
        return self.filter(condition)

    def unanswered(self) -> PersonInvitationQuerySet:
        """Neither accepted nor revoked: pending, or expired and still able to be sent again."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class PersonInvitation(models.Model):
    """An e-mailed invitation to take up roles in the service; the link's secret is kept only as a hash."""

    email = models.EmailField("e-mail address", db_index=True)
    roles = models.JSONField(default=list)
    # For the funder role: the funder the person will act for.
    funder = models.ForeignKey(
        Funder, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    # A fellow imported from the history without an account: accepting links the account to it.
    fellow = models.ForeignKey(
        Fellow, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    batch = models.ForeignKey(
        InvitationBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    # The link carries "<selector>.<secret>": the selector finds the row, the secret's SHA-256 proves it.
    selector = models.CharField(max_length=32, unique=True)
    token_hash = models.CharField(max_length=64)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_invitations",
    )

    objects = PersonInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {', '.join(self.role_labels)}"

    @property
    def state(self) -> InvitationState:
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def role_labels(self) -> list[str]:
        """The roles in the programme's order, named as people see them."""
        return [role.label for role in Role if role.value in self.roles]


rules.add_perm("fellowship.grant_faculty_role", r.is_faculty)


# E-mail texts faculty edit ------------------------------------------------------------------------


class EmailTextQuerySet(models.QuerySet["EmailText"]):
    def for_user(self, user) -> EmailTextQuerySet:
        """Versions this person may see: those who may edit e-mail texts see all; nobody else any."""
        if not user.is_authenticated or not user.has_perm("fellowship.edit_email_texts"):
            return self.none()
        return self

    def latest_for(self, kind: str) -> EmailText | None:
        return self.filter(kind=kind).order_by("-pk").first()


class EmailText(models.Model):
    """One version of an e-mail's subject and body as faculty saved it, restored it or reset it to the default."""

    kind = models.CharField(max_length=60, db_index=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    # A reset to the default text in templates/email/: the e-mail then follows that file.
    is_default = models.BooleanField(default=False)
    restored_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = EmailTextQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.kind} version {self.pk}"


rules.add_perm("fellowship.edit_email_texts", r.is_faculty)


class RetentionRun(models.Model):
    """One application of the retention policy, or a dry run of it: when, who (None: the nightly
    task or the command line), and how many records of each kind it removed (or would remove)."""

    class Source(models.TextChoices):
        NIGHTLY = "nightly", "The nightly task"
        COMMAND = "command", "The command line"
        PAGE = "page", "The Retention page"

    at = models.DateTimeField(default=timezone.now)
    dry_run = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(default=dict)  # kind -> records removed (or due, in a dry run)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        what = "dry run" if self.dry_run else "retention run"
        return f"{what} {self.at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


from .outbox_model import OutboxMessage  # noqa: E402, F401  (the e-mail outbox)
