"""Interview pages: faculty set up panels and slots, allocate candidates and compare panels;
panellists see their schedule, the candidates' applications and score them; the panel agrees its
scores; candidates choose a slot and see it.

Panellists' pages show statements, the CV and scores only: equality data is never read here.
A candidate outside the person's panels is a 404; a candidate they conflict with is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from fellowship import audit
from fellowship.enums import AuditAction, AuditSubject
from fellowship.uploads import attachment

from .. import interviews
from ..forms.interviews import (
    AllocateForm,
    ChooseSlotForm,
    CriterionScoresForm,
    PanelForm,
    SlotsForm,
)
from ..models import (
    Application,
    ConsensusScore,
    InterviewPanel,
    InterviewScore,
    InterviewSlot,
    RecruitmentRound,
)

manage_panels = permission_required("recruitment.manage_panels", raise_exception=True)
see_interviews = permission_required("recruitment.see_interviews", raise_exception=True)


def _panel_or_404(pk: int) -> InterviewPanel:
    return get_object_or_404(InterviewPanel.objects.select_related("round"), pk=pk)


# Faculty: panels and slots ----------------------------------------------------------------------


@manage_panels
def panel_list(request, pk: int):
    rnd = get_object_or_404(RecruitmentRound, pk=pk)
    panels = InterviewPanel.objects.for_user(request.user).filter(round=rnd)
    panels = panels.prefetch_related("members", "slots__application__applicant")
    context = {
        "round": rnd,
        "panels": panels,
        "waiting": interviews.allocatable(rnd),
        "free_slots": interviews.free_slots(rnd).count(),
    }
    return render(request, "recruitment/interviews/panel_list.html", context)


@manage_panels
def panel_create(request, pk: int):
    rnd = get_object_or_404(RecruitmentRound, pk=pk)
    return _panel_form(request, InterviewPanel(round=rnd))


@manage_panels
def panel_update(request, pk: int):
    return _panel_form(request, _panel_or_404(pk))


def _panel_form(request, panel: InterviewPanel):
    creating = panel.pk is None
    form = PanelForm(request.POST or None, instance=panel)
    if request.method == "POST" and form.is_valid():
        try:
            panel = interviews.save_panel(
                form.save(commit=False), form.cleaned_data["members"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{panel.name} {'added' if creating else 'saved'}")
            return redirect("panel_detail", pk=panel.pk)
    context = {"form": form, "panel": panel, "round": panel.round, "creating": creating}
    return render(request, "recruitment/interviews/panel_form.html", context)


@manage_panels
def panel_detail(request, pk: int):
    panel = _panel_or_404(pk)
    slots = panel.slots.select_related("application__applicant")
    candidates = interviews.allocatable(panel.round)
    context = {
        "panel": panel,
        "round": panel.round,
        "members": panel.members.all(),
        "slots": [
            (slot, AllocateForm(candidates=candidates, prefix=f"slot{slot.pk}")) for slot in slots
        ],
        "slots_form": SlotsForm(),
        "uninvited": sum(1 for s in slots if s.application_id and not s.invitation_sent_at),
    }
    return render(request, "recruitment/interviews/panel_detail.html", context)


@require_POST
@manage_panels
def panel_slots(request, pk: int):
    panel = _panel_or_404(pk)
    form = SlotsForm(request.POST)
    if form.is_valid():
        try:
            new = interviews.add_slots(panel, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{len(new)} slot{'s' if len(new) != 1 else ''} added")
    else:
        messages.error(request, "Enter a start time, the number of slots and their length")
    return redirect("panel_detail", pk=panel.pk)


@require_POST
@manage_panels
def slot_allocate(request, pk: int):
    slot = get_object_or_404(InterviewSlot.objects.select_related("panel__round"), pk=pk)
    candidates = Application.objects.filter(round=slot.panel.round_id)
    form = AllocateForm(request.POST, candidates=candidates, prefix=f"slot{slot.pk}")
    if form.is_valid():
        application = form.cleaned_data["application"]
        try:
            interviews.allocate(slot, application, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"{application.ref} given the slot" if application else "Slot freed"
            )
    return redirect("panel_detail", pk=slot.panel_id)


@require_POST
@manage_panels
def panel_invite(request, pk: int):
    panel = _panel_or_404(pk)
    sent = interviews.send_invitations(panel, by=request.user)
    messages.success(request, f"Invitations emailed to {sent} candidate{'s' if sent != 1 else ''}")
    return redirect("panel_detail", pk=panel.pk)


@require_POST
@manage_panels
def slot_choice(request, pk: int):
    rnd = get_object_or_404(RecruitmentRound, pk=pk)
    try:
        sent = interviews.offer_choice(rnd, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{sent} candidate{'s' if sent != 1 else ''} emailed to choose a slot"
        )
    return redirect("panel_list", pk=rnd.pk)


@manage_panels
def panel_agreement(request, pk: int):
    rnd = get_object_or_404(RecruitmentRound, pk=pk)
    context = {
        "round": rnd,
        "panels": interviews.panel_agreement(rnd),
        "flag": interviews.OFFSET_FLAG,
    }
    return render(request, "recruitment/interviews/panel_agreement.html", context)


# Candidates -------------------------------------------------------------------------------------


def choose_slot(request, ref: str):
    """The candidate's interview: their slot, or the free slots to choose from."""
    application = get_object_or_404(
        Application.objects.select_related("round"), ref=ref, applicant=request.user
    )
    slot = InterviewSlot.objects.filter(application=application).select_related("panel").first()
    free = interviews.free_slots(application.round)
    form = None
    if slot is None and application.stage == "shortlisted":
        form = ChooseSlotForm(request.POST or None, slots=free)
        if request.method == "POST" and form.is_valid():
            try:
                interviews.choose_slot(application, form.cleaned_data["slot"], by=request.user)
            except ValidationError as exc:
                form.add_error("slot", exc)
                form.fields["slot"].queryset = interviews.free_slots(application.round)
            else:
                messages.success(
                    request, "Your interview is booked. We have emailed you the details"
                )
                return redirect("choose_slot", ref=application.ref)
    context = {"application": application, "slot": slot, "form": form}
    return render(request, "recruitment/interviews/choose_slot.html", context)


# Panellists -------------------------------------------------------------------------------------


def _members_slot(request, pk: int) -> tuple[InterviewSlot, Application]:
    """The slot on one of the person's panels (else 404) whose candidate they have no conflict with (else 403)."""
    slot = get_object_or_404(
        InterviewSlot.objects.select_related("panel__round", "application__applicant"),
        pk=pk,
        panel__members=request.user,
        application__isnull=False,
    )
    if interviews.conflict_between(request.user, slot.application):
        raise PermissionDenied("You have a conflict of interest with this candidate")
    return slot, slot.application


@see_interviews
def my_interviews(request):
    slots = (
        InterviewSlot.objects.for_user(request.user)
        .filter(panel__members=request.user)
        .select_related("panel__round", "application__applicant")
        .order_by("starts_at")
    )
    scored = set(
        InterviewScore.objects.for_user(request.user)
        .filter(panellist=request.user)
        .values_list("application_id", flat=True)
    )
    slots = list(slots)
    conflicts = interviews.conflicted(request.user, [s.application for s in slots])
    rows = [
        {
            "slot": s,
            "conflict": s.application_id in conflicts,
            "started": s.application_id in scored,
        }
        for s in slots
    ]
    return render(
        request, "recruitment/interviews/my_interviews.html", {"rows": rows, "now": timezone.now()}
    )


@see_interviews
def panel_cv(request, pk: int):
    try:
        _slot, application = _members_slot(request, pk)
    except PermissionDenied:
        raise Http404 from None
    if not application.cv:
        raise Http404
    audit.record(
        AuditAction.DOWNLOADED,
        AuditSubject.APPLICATION_FILE,
        by=request.user,
        reference=application.ref,
        summary=f"CV, for interview panel {_slot.panel.name}",
    )
    return attachment(application.cv, download_name=f"{application.ref} CV.pdf")


@see_interviews
def interview_score(request, pk: int):
    slot, application = _members_slot(request, pk)
    criteria = list(application.round.criteria.all())
    mine = {
        s.criterion_id: s
        for s in InterviewScore.objects.filter(application=application, panellist=request.user)
    }
    initial = {}
    for c in criteria:
        if c.pk in mine:
            initial[f"score_{c.pk}"] = str(mine[c.pk].score)
            initial[f"comment_{c.pk}"] = mine[c.pk].comment
    form = CriterionScoresForm(
        request.POST or None, criteria=criteria, required=False, initial=initial
    )
    agreed = ConsensusScore.objects.filter(application=application).exists()
    if request.method == "POST" and form.is_valid():
        try:
            interviews.save_scores(slot, form.scores(), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your scores are saved")
            return redirect("interview_score", pk=slot.pk)
    submitted = interviews.has_scored(application, request.user)
    others = []
    if submitted:  # only once their own scores are in do they see anyone else's
        others = (
            InterviewScore.objects.for_user(request.user)
            .filter(application=application)
            .exclude(panellist=request.user)
            .select_related("panellist", "criterion")
            .order_by("panellist__full_name", "criterion__position")
        )
    statements = {s.criterion_id: s for s in application.statements.all()}
    context = {
        "slot": slot,
        "application": application,
        "form": form,
        "answers": [(c, statements.get(c.pk)) for c in criteria],
        "submitted": submitted,
        "others": others,
        "agreed": agreed,
    }
    return render(request, "recruitment/interviews/interview_score.html", context)


def interview_consensus(request, pk: int):
    slot = get_object_or_404(
        InterviewSlot.objects.select_related("panel__round", "application__applicant"),
        pk=pk,
        application__isnull=False,
    )
    if not request.user.has_perm("recruitment.agree_scores", slot.panel):
        raise Http404
    application = slot.application
    if slot.panel.members.filter(pk=request.user.pk).exists() and interviews.conflict_between(
        request.user, application
    ):
        raise PermissionDenied("You have a conflict of interest with this candidate")
    criteria = list(application.round.criteria.all())
    members = interviews.scoring_members(slot)
    ready = interviews.everyone_scored(slot)
    agreed = {
        c.criterion_id: c
        for c in ConsensusScore.objects.filter(application=application).select_related("by")
    }
    initial = {}
    for c in criteria:
        if c.pk in agreed:
            initial[f"score_{c.pk}"] = str(agreed[c.pk].score)
            initial[f"comment_{c.pk}"] = agreed[c.pk].note
    form = CriterionScoresForm(
        request.POST or None,
        criteria=criteria,
        required=True,
        initial=initial,
        comment_label="Note",
    )
    if request.method == "POST" and form.is_valid():
        try:
            interviews.record_consensus(slot, form.scores(), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Agreed scores for {application.ref} saved")
            return redirect("interview_consensus", pk=slot.pk)
    table = []
    if ready:
        scores = {
            (s.panellist_id, s.criterion_id): s
            for s in InterviewScore.objects.for_user(request.user).filter(
                application=application, panellist__in=members
            )
        }
        table = [
            (c, [scores.get((m.pk, c.pk)) for m in members], agreed.get(c.pk)) for c in criteria
        ]
    waiting = [m for m in members if not interviews.has_scored(application, m)]
    context = {
        "slot": slot,
        "application": application,
        "members": members,
        "ready": ready,
        "waiting": waiting,
        "table": table,
        "form": form,
        "agreed": agreed,
    }
    return render(request, "recruitment/interviews/interview_consensus.html", context)
