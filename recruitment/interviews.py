"""Interviews: panels and their slots, allocating shortlisted candidates, invitations
with a calendar file, candidates choosing a slot, independent scoring, consensus, and how far each
panel's members agree.

Each operation validates, changes state in a transaction, and queues its e-mails for after the
commit. Who may call them is decided by the views (recruitment.rules); these functions still
refuse what would break a rule of the process (a conflicted panellist, a taken slot).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from fellowship import audit
from fellowship.enums import AuditAction, AuditSubject, Role
from fellowship.models import User
from fellowship.notifications import notify

from . import agreement, ics
from .conflicts import same_employer
from .enums import SCORE_MAX, SCORE_MIN, ConflictReason, Stage
from .models import (
    Application,
    Conflict,
    ConsensusScore,
    Criterion,
    InterviewPanel,
    InterviewScore,
    InterviewSlot,
    RecruitmentRound,
)
from .services import _change_stage

LONDON = ZoneInfo("Europe/London")
PANEL_ROLES = (Role.PANELLIST, Role.FACULTY)
OFFSET_FLAG = 2  # standard errors: beyond this a panel scores noticeably differently


def possible_members():
    """The people who may sit on a panel: those with the panellist or faculty role."""
    return (
        User.objects.filter(role_grants__role__in=PANEL_ROLES)
        .distinct()
        .order_by("full_name", "email")
    )


# Conflicts --------------------------------------------------------------------------------------


def conflict_between(person: User, application: Application) -> str | None:
    """Why this person may not interview this candidate (a recorded conflict, or the same employer), or None."""
    recorded = Conflict.objects.filter(application=application, person=person).first()
    if recorded:
        return recorded.get_reason_display()
    if same_employer(person.organisation, application.employer):
        return ConflictReason.SAME_EMPLOYER.label
    return None


def conflicted(person: User, applications: Iterable[Application]) -> set[int]:
    """The ids of those applications the person may not interview, in one query."""
    applications = [a for a in applications if a is not None]
    recorded = set(
        Conflict.objects.filter(person=person, application__in=applications).values_list(
            "application_id", flat=True
        )
    )
    return recorded | {a.pk for a in applications if same_employer(person.organisation, a.employer)}


def _refuse_conflicts(application: Application, members: Iterable[User], *, by: User) -> None:
    """Raise ValidationError naming every member who conflicts with the candidate.

    A same-employer pairing found here is recorded as a Conflict in its own transaction, so the
    record stays although the allocation is refused.
    """
    members = list(members)
    declared = set(
        Conflict.objects.filter(application=application, person__in=members).values_list(
            "person_id", flat=True
        )
    )
    problems: list[str] = []
    for member in members:
        if member.pk in declared:
            problems.append(f"{member} has a conflict of interest with {application.ref}")
        elif same_employer(member.organisation, application.employer):
            with transaction.atomic():
                Conflict.objects.get_or_create(
                    application=application,
                    person=member,
                    defaults={"reason": ConflictReason.SAME_EMPLOYER, "recorded_by": by},
                )
            problems.append(
                f"{member} works for the same organisation as the candidate for {application.ref}"
            )
    if problems:
        raise ValidationError(problems)


# Panels and slots -------------------------------------------------------------------------------


def save_panel(panel: InterviewPanel, members: Sequence[User], *, by: User) -> InterviewPanel:
    """Create or change a panel (the form has set its fields) with its members.

    Refuses a member who conflicts with a candidate already given a slot on the panel.
    Side effects: saves the panel and its members (with history); may record same-employer Conflicts.
    """
    if not panel.location and not panel.video_link:
        raise ValidationError("Enter where the panel meets, or a video link")
    if panel.pk:
        for slot in panel.slots.filter(application__isnull=False).select_related("application"):
            _refuse_conflicts(slot.application, members, by=by)
    with transaction.atomic():
        panel.save()
        panel.members.set(members)
    return panel


def add_slots(
    panel: InterviewPanel, *, start: time, count: int, minutes: int, gap: int = 0
) -> list[InterviewSlot]:
    """Add `count` slots of `minutes` each on the panel's day from `start` (UK time), `gap` minutes apart.

    Side effects: creates the slots. Refuses a slot that would overlap one the panel already has.
    """
    if count < 1 or minutes < 1 or gap < 0:
        raise ValidationError("Enter at least one slot of at least one minute")
    first = datetime.combine(panel.date, start, tzinfo=LONDON)
    new = []
    for i in range(count):
        starts = (first + i * timedelta(minutes=minutes + gap)).astimezone(ZoneInfo("UTC"))
        new.append(
            InterviewSlot(
                panel=panel, starts_at=starts, ends_at=starts + timedelta(minutes=minutes)
            )
        )
    overlap = Q()
    for slot in new:
        overlap |= Q(starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at)
    if panel.slots.filter(overlap).exists():
        raise ValidationError("These times overlap slots the panel already has")
    with transaction.atomic():
        return InterviewSlot.objects.bulk_create(new)


def allocatable(round: RecruitmentRound):
    """Shortlisted candidates of the round who have no slot yet."""
    return (
        Application.objects.filter(
            round=round, stage=Stage.SHORTLISTED, interview_slot__isnull=True
        )
        .select_related("applicant")
        .order_by("ref")
    )


def allocate(slot: InterviewSlot, application: Application | None, *, by: User) -> None:
    """Give the slot to a shortlisted candidate (or free it, with None).

    Refuses a candidate who already has a slot, who is not shortlisted in the panel's round, or
    who conflicts with a panel member (recording a same-employer conflict).
    Side effects: sets the slot's candidate and clears its invitation time.
    """
    panel = slot.panel
    if application is not None:
        if application.round_id != panel.round_id or application.stage != Stage.SHORTLISTED:
            raise ValidationError(
                f"{application.ref} is not a shortlisted candidate in {panel.round}"
            )
        _refuse_conflicts(application, panel.members.all(), by=by)
    with transaction.atomic():
        locked = InterviewSlot.objects.select_for_update().get(pk=slot.pk)
        if application is not None:
            if locked.application_id and locked.application_id != application.pk:
                raise ValidationError("This slot is already taken: free it first")
            if InterviewSlot.objects.filter(application=application).exclude(pk=slot.pk).exists():
                raise ValidationError(f"{application.ref} already has an interview slot")
        locked.application = application
        locked.chosen_by_candidate = False
        locked.invitation_sent_at = None
        locked.save()
    slot.refresh_from_db()


def _invite(slot: InterviewSlot, *, now: datetime) -> bool:
    application = slot.application
    if application is None or application.applicant is None:
        return False
    page = settings.SITE_URL + reverse("choose_slot", args=[application.ref])
    calendar = ics.for_slot(
        slot, stamp=now, domain=urlsplit(settings.SITE_URL).hostname or "localhost", page_url=page
    )
    notify(
        "interview_invitation",
        to=application.applicant.email,
        context={"slot": slot, "panel": slot.panel, "application": application, "page_url": page},
        attachments=[("interview.ics", calendar, "text/calendar")],
    )
    InterviewSlot.objects.filter(pk=slot.pk).update(invitation_sent_at=now)
    slot.invitation_sent_at = now
    return True


def send_invitations(panel: InterviewPanel, *, by: User, now: datetime | None = None) -> int:
    """E-mail each candidate with a slot on the panel who has not been invited yet.

    Side effects: e-mails `interview_invitation` with an interview.ics attachment; sets
    invitation_sent_at. Returns how many were invited.
    """
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        slots = panel.slots.select_for_update(of=("self",)).filter(
            application__isnull=False, invitation_sent_at__isnull=True
        )
        for slot in slots.select_related("panel", "application__applicant"):
            sent += _invite(slot, now=now)
    return sent


def offer_choice(round: RecruitmentRound, *, by: User) -> int:
    """Invite every shortlisted candidate without a slot to choose one of the free slots.

    Side effects: e-mails `interview_choose_slot`. Returns how many were e-mailed.
    """
    if not free_slots(round).exists():
        raise ValidationError("There are no free slots to choose from: add slots first")
    sent = 0
    with transaction.atomic():
        for application in allocatable(round):
            if application.applicant:
                page = settings.SITE_URL + reverse("choose_slot", args=[application.ref])
                notify(
                    "interview_choose_slot",
                    to=application.applicant.email,
                    context={"application": application, "round": round, "page_url": page},
                )
                sent += 1
    return sent


def free_slots(round: RecruitmentRound):
    """Slots of the round's panels that nobody has, in the future."""
    return (
        InterviewSlot.objects.filter(
            panel__round=round, application__isnull=True, starts_at__gt=timezone.now()
        )
        .select_related("panel")
        .order_by("starts_at", "pk")
    )


def choose_slot(
    application: Application, slot: InterviewSlot, *, by: User, now: datetime | None = None
) -> InterviewSlot:
    """The candidate takes a free slot: first come, first served under a row lock.

    Refuses a taken slot, a slot of another round, a candidate who already has one, or a panel
    member who conflicts with the candidate (a same-employer conflict is recorded).
    Side effects: sets the slot's candidate (chosen_by_candidate); e-mails the invitation with its .ics.
    """
    if application.applicant_id != by.pk or application.stage != Stage.SHORTLISTED:
        raise ValidationError("Only a shortlisted candidate can choose an interview slot")
    if slot.panel.round_id != application.round_id:
        raise ValidationError("Choose one of the slots offered")
    try:
        _refuse_conflicts(application, slot.panel.members.all(), by=by)
    except ValidationError as exc:
        raise ValidationError("You cannot have this slot. Choose another one") from exc
    now = now or timezone.now()
    with transaction.atomic():
        locked = InterviewSlot.objects.select_for_update().select_related("panel").get(pk=slot.pk)
        if InterviewSlot.objects.filter(application=application).exists():
            raise ValidationError("You already have an interview slot")
        if locked.application_id is not None or locked.starts_at <= now:
            raise ValidationError("Someone has just taken that slot. Choose another one")
        locked.application = application
        locked.chosen_by_candidate = True
        locked.save()
        _invite(locked, now=now)
    return locked


# Scoring ----------------------------------------------------------------------------------------


def scoring_members(slot: InterviewSlot) -> list[User]:
    """The panel's members who may score the slot's candidate (no conflict)."""
    application = slot.application
    members = list(slot.panel.members.all())
    if application is None:
        return []
    return [m for m in members if conflict_between(m, application) is None]


def has_scored(application: Application, panellist: User) -> bool:
    """Whether the panellist has scored every criterion for this candidate."""
    return application.pk in scored_by(panellist, [application])


def scored_by(panellist: User, applications: Iterable[Application]) -> set[int]:
    """The ids of the candidates for whom the panellist has scored every criterion (two queries,
    however many candidates)."""
    applications = list(applications)
    if not applications:
        return set()
    needed = dict(
        Criterion.objects.filter(round_id__in={a.round_id for a in applications})
        .values("round_id")
        .annotate(n=Count("pk"))
        .values_list("round_id", "n")
    )
    done = dict(
        InterviewScore.objects.filter(panellist=panellist, application__in=applications)
        .values("application_id")
        .annotate(n=Count("pk"))
        .values_list("application_id", "n")
    )
    return {
        a.pk
        for a in applications
        if needed.get(a.round_id, 0) > 0 and done.get(a.pk, 0) >= needed[a.round_id]
    }


def save_scores(slot: InterviewSlot, scores: dict[int, tuple[int | None, str]], *, by: User) -> int:
    """Save the panellist's own score and comment per criterion id; each criterion on its own.

    A criterion left without a score is left as it was. Refuses a person not on the panel or
    with a conflict, scores out of range, and changes after the consensus.
    Side effects: creates or updates InterviewScore rows (history keeps each change, who and when).
    Returns how many were saved.
    """
    application = slot.application
    if application is None:
        raise ValidationError("Nobody has this slot")
    if not slot.panel.members.filter(pk=by.pk).exists():
        raise ValidationError("Only the panel's members score its candidates")
    if conflict_between(by, application):
        raise ValidationError("You have a conflict of interest with this candidate")
    if ConsensusScore.objects.filter(application=application).exists():
        raise ValidationError("The panel has agreed its scores; yours can no longer change")
    criteria = {c.pk: c for c in Criterion.objects.filter(round_id=application.round_id)}
    saved = 0
    now = timezone.now()
    with transaction.atomic():
        for criterion_id, (score, comment) in scores.items():
            if criterion_id not in criteria or score is None:
                continue
            if not SCORE_MIN <= score <= SCORE_MAX:
                raise ValidationError(f"Scores are from {SCORE_MIN} to {SCORE_MAX}")
            current = InterviewScore.objects.filter(
                application=application, panellist=by, criterion_id=criterion_id
            ).first()
            if current and current.score == score and current.comment == comment:
                continue
            InterviewScore.objects.update_or_create(
                application=application,
                panellist=by,
                criterion_id=criterion_id,
                defaults={"score": score, "comment": comment, "scored_at": now},
            )
            saved += 1
        if saved:
            audit.record(
                AuditAction.CHANGED,
                AuditSubject.INTERVIEW_SCORE,
                by=by,
                reference=application.ref,
                summary=f"{saved} criteri{'on' if saved == 1 else 'a'} scored",
            )
    return saved


def everyone_scored(slot: InterviewSlot) -> bool:
    members = scoring_members(slot)
    return bool(members) and all(has_scored(slot.application, m) for m in members)


def record_consensus(slot: InterviewSlot, scores: dict[int, tuple[int, str]], *, by: User) -> None:
    """Record the score the panel agrees per criterion, after every member has scored.

    Side effects: creates or updates ConsensusScore rows (by, at, with history);
    the first time, moves the application from shortlisted to interviewed with a StageChange.
    """
    application = slot.application
    if application is None:
        raise ValidationError("Nobody has this slot")
    if not everyone_scored(slot):
        raise ValidationError(
            "Every panel member must score the candidate before the panel agrees its scores"
        )
    criteria = list(Criterion.objects.filter(round_id=application.round_id))
    missing = [c.title for c in criteria if scores.get(c.pk, (None, ""))[0] is None]
    if missing:
        raise ValidationError([f"Enter the agreed score for {title}" for title in missing])
    now = timezone.now()
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        for criterion in criteria:
            score, note = scores[criterion.pk]
            if not SCORE_MIN <= score <= SCORE_MAX:
                raise ValidationError(f"Scores are from {SCORE_MIN} to {SCORE_MAX}")
            ConsensusScore.objects.update_or_create(
                application=locked,
                criterion=criterion,
                defaults={"score": score, "note": note, "by": by, "at": now},
            )
        if locked.stage == Stage.SHORTLISTED:
            _change_stage(
                locked, Stage.INTERVIEWED, by=by, reason=f"Interviewed by {slot.panel.name}", at=now
            )
            locked.save()
        audit.record(
            AuditAction.CHANGED,
            AuditSubject.INTERVIEW_SCORE,
            by=by,
            reference=application.ref,
            summary=f"Panel's agreed scores recorded ({slot.panel.name})",
        )
    application.refresh_from_db()


# Agreement between panellists -------------------------------------------------------------------


@dataclass
class PanelAgreement:
    """One panel's figures for the faculty's comparison page."""

    panel: InterviewPanel
    members: list[User]
    candidates: int  # candidates every member has fully scored (the matrix's rows)
    waiting: int  # candidates with a slot not yet fully scored
    spreads: list[tuple[User, agreement.Spread]] = field(default_factory=list)
    icc_absolute: float | None = None
    icc_consistency: float | None = None
    mean: float | None = None
    offset: float | None = None
    scores: list[int] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.offset is not None and abs(self.offset) > OFFSET_FLAG


def panel_agreement(round: RecruitmentRound) -> list[PanelAgreement]:
    """Per panel of the round: each member's mean and spread of total interview scores, ICC(2,1),
    ICC(3,1), and the panel's offset from all panels. Only candidates every member has scored on
    every criterion count (the ICC needs a complete matrix)."""
    criteria = Criterion.objects.filter(round=round).count()
    panels = list(
        InterviewPanel.objects.filter(round=round)
        .prefetch_related("members", "slots")
        .order_by("date", "name")
    )
    scores = InterviewScore.objects.filter(application__round=round).values_list(
        "application_id", "panellist_id", "score"
    )
    totals: dict[tuple[int, int], list[int]] = {}
    for application_id, panellist_id, score in scores:
        totals.setdefault((application_id, panellist_id), []).append(score)
    results: list[PanelAgreement] = []
    for panel in panels:
        members = sorted(panel.members.all(), key=lambda m: (m.full_name, m.email))
        candidates = [s.application_id for s in panel.slots.all() if s.application_id]
        matrix = []
        for application_id in candidates:
            row = [totals.get((application_id, m.pk), []) for m in members]
            if members and criteria and all(len(cell) == criteria for cell in row):
                matrix.append([sum(cell) for cell in row])
        result = PanelAgreement(
            panel=panel,
            members=members,
            candidates=len(matrix),
            waiting=len(candidates) - len(matrix),
        )
        if matrix:
            result.spreads = list(zip(members, agreement.panellist_spreads(matrix), strict=True))
            result.icc_absolute = agreement.icc_absolute(matrix)
            result.icc_consistency = agreement.icc_consistency(matrix)
            result.mean = agreement.panel_mean(matrix)
            result.scores = [v for row in matrix for v in row]
        results.append(result)
    everyone = [v for r in results for v in r.scores]
    for result in results:
        if result.scores:
            result.offset = agreement.panel_offset(result.scores, everyone)
    return results
