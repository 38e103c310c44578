"""Recruitment's part of a person's data: what an applicant, reviewer or panellist gets in their
export, what erasure removes, what it keeps for the figures, and what blocks it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from fellowship import privacy
from fellowship.models import User
from recruitment import equality
from recruitment.enums import OfferState, Stage
from recruitment.models import (
    Application,
    ApplicationDocument,
    Conflict,
    ConsensusScore,
    EqualityRecord,
    InterviewPanel,
    InterviewScore,
    InterviewSlot,
    Moderation,
    Offer,
    ReviewerAssignment,
    ShortlistScore,
    StageChange,
    Statement,
)
from reports.evidence import compute_evidence
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CriterionFactory,
    FundedPostFactory,
    RequiredDocumentFactory,
    RoundFactory,
    complete_draft,
    submitted,
)

NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.quill@example.org"
REGISTRATION = "9911223"
EMPLOYER = "Fernhollow Community Health Trust"
MANAGER = "Ottoline Brackwater"
MANAGER_EMAIL = "ottoline.brackwater@fernhollow.example"
STATEMENT = "I rebuilt the Marshgate ward sepsis pathway"
DECLINE = "moving to Tasmania with my family"
DOCUMENT = b"%PDF-1.4 reference letter for the Marshgate pathway lead"
CV = b"%PDF-1.4 curriculum vitae Marshgate"
REVIEW_NOTE = "Strong audit of the Marshgate pathway"
PANEL_NOTE = "Spoke movingly about her Marshgate patients"
CONSENSUS_NOTE = "Agreed: a compelling vision for Marshgate"
MODERATION_NOTE = "Settled on the Marshgate evidence"
CONFLICT_NOTE = "Worked alongside her at Fernhollow"
OTHER_STATEMENT = "Someone else's answer about Lindqvist clinics"

IDENTITY = [
    NAME,
    EMAIL,
    REGISTRATION,
    EMPLOYER,
    MANAGER,
    MANAGER_EMAIL,
    STATEMENT,
    DECLINE,
    REVIEW_NOTE,
    PANEL_NOTE,
    CONSENSUS_NOTE,
    MODERATION_NOTE,
    CONFLICT_NOTE,
]


def dump() -> str:
    """Every table, history tables included, as the support site's dumpdata writes it."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def figures(cohort_number: int):
    """The report's evidence for the cohort, less the moment it was built."""
    evidence = compute_evidence(cohort_number, suppress_below=0)
    return dataclasses.replace(evidence, data=dataclasses.replace(evidence.data, generated_at=None))


def export_zip(email: str) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    privacy.write_export(privacy.find_person(email), buffer, programme="The fellowship")
    return zipfile.ZipFile(buffer)


def part(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return json.loads(archive.read(f"{name}.json"))


def erase(email: str, faculty, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return privacy.erase_person(
            privacy.find_person(email), by=faculty, requested_by="the person"
        )


def equality_answers(application, sex: str = "female") -> EqualityRecord:
    return EqualityRecord.objects.create(
        application=application, sex=sex, age_band="30-34", ethnic_group="white_british"
    )


def others_in(rnd, cohort):
    """Two other applicants of the round: one appointed, one unsuccessful, with equality answers."""
    result = []
    for stage, furthest, sex in (
        (Stage.APPOINTED, Stage.APPOINTED, "male"),
        (Stage.UNSUCCESSFUL, Stage.INTERVIEWED, "female"),
    ):
        application = submitted(ApplicationFactory(round=rnd))
        application.stage, application.furthest_stage = stage, furthest
        application.save()
        application.statements.update(text=OTHER_STATEMENT)
        equality_answers(application, sex)
        result.append(application)
    return result


def identify(application: Application) -> Application:
    """Fill the application with the distinctive details the erasure must remove."""
    complete_draft(application)
    application.registration_number = REGISTRATION
    application.employer = EMPLOYER
    application.manager_name = MANAGER
    application.manager_email = MANAGER_EMAIL
    application.approval_decline_reason = f"{MANAGER} declined at first"
    application.cv.save("cv.pdf", ContentFile(CV), save=False)
    application.save()
    application.statements.update(text=STATEMENT)
    requirement = RequiredDocumentFactory(round=application.round)
    document = ApplicationDocument(application=application, requirement=requirement)
    document.file.save("reference.pdf", ContentFile(DOCUMENT), save=True)
    return application


@pytest.fixture
def closed(person, role_users):
    """An applicant whose round is over: shortlisted, interviewed, offered a post, declined it."""
    faculty = role_users["faculty"]
    cohort = CohortFactory()
    now = timezone.now()
    rnd = RoundFactory(
        cohort=cohort, opens_at=now - dt.timedelta(days=90), closes_at=now - dt.timedelta(days=60)
    )
    criteria = [
        CriterionFactory(round=rnd, position=1, title="Leadership"),
        CriterionFactory(round=rnd, position=2, title="Vision"),
    ]
    applicant = person("applicant", full_name=NAME, email=EMAIL)
    application = identify(ApplicationFactory(round=rnd, applicant=applicant))
    application.stage, application.furthest_stage = Stage.WITHDRAWN, Stage.OFFERED
    application.submitted_at = now - dt.timedelta(days=61)
    application.save()
    StageChange.objects.create(
        application=application,
        from_stage=Stage.SUBMITTED,
        to_stage=Stage.SHORTLISTED,
        by=faculty,
        reason="Shortlisted",
    )
    StageChange.objects.create(
        application=application,
        from_stage=Stage.OFFERED,
        to_stage=Stage.WITHDRAWN,
        by=applicant,
        reason=f"declined the offer: {DECLINE}",
    )
    equality_answers(application)

    reviewer = person(
        "panellist", full_name="Reviewer Ravensworth", email="ravensworth@example.org"
    )
    assignment = ReviewerAssignment.objects.create(
        application=application, reviewer=reviewer, assigned_by=faculty, completed_at=now
    )
    for criterion, score in zip(criteria, (3, 4), strict=True):
        ShortlistScore.objects.create(
            assignment=assignment, criterion=criterion, score=score, comment=REVIEW_NOTE
        )
    Moderation.objects.create(
        application=application, criterion=criteria[0], score=3, reason=MODERATION_NOTE, by=faculty
    )
    conflicted = person("panellist", full_name="Conflicted Colleague")
    Conflict.objects.create(
        application=application,
        person=conflicted,
        reason="declared",
        note=CONFLICT_NOTE,
        recorded_by=conflicted,
    )

    panellist = person("panellist", full_name="Panellist Pemberton", email="pemberton@example.org")
    panel = InterviewPanel.objects.create(
        round=rnd,
        name="Panel North",
        date=timezone.localdate() - dt.timedelta(days=40),
        location="Room 4",
    )
    panel.members.set([panellist])
    start = now - dt.timedelta(days=40)
    InterviewSlot.objects.create(
        panel=panel,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        application=application,
    )
    for criterion, score in zip(criteria, (2, 4), strict=True):
        InterviewScore.objects.create(
            application=application,
            panellist=panellist,
            criterion=criterion,
            score=score,
            comment=PANEL_NOTE,
        )
        ConsensusScore.objects.create(
            application=application,
            criterion=criterion,
            score=score,
            note=CONSENSUS_NOTE,
            by=faculty,
        )
    Offer.objects.create(
        application=application,
        post=FundedPostFactory(cohort=cohort),
        rank=1,
        state=OfferState.DECLINED,
        made_by=faculty,
        respond_by=now - dt.timedelta(days=20),
        responded_at=now - dt.timedelta(days=25),
    )
    return {
        "cohort": cohort,
        "round": rnd,
        "application": application,
        "applicant": applicant,
        "reviewer": reviewer,
        "panellist": panellist,
        "faculty": faculty,
        "others": others_in(rnd, cohort),
    }


@pytest.fixture
def open_round(person, role_users):
    """An applicant who has submitted to a round still open: no scores yet."""
    cohort = CohortFactory()
    rnd = RoundFactory(cohort=cohort)
    applicant = person("applicant", full_name=NAME, email=EMAIL)
    application = identify(ApplicationFactory(round=rnd, applicant=applicant))
    application.stage = application.furthest_stage = Stage.SUBMITTED
    application.submitted_at = timezone.now()
    application.save()
    StageChange.objects.create(
        application=application, from_stage=Stage.DRAFT, to_stage=Stage.SUBMITTED, by=applicant
    )
    equality_answers(application)
    other = submitted(ApplicationFactory(round=rnd))
    other.statements.update(text=OTHER_STATEMENT)
    equality_answers(other, "male")
    return {
        "cohort": cohort,
        "round": rnd,
        "application": application,
        "other": other,
        "faculty": role_users["faculty"],
    }


def panel_with(rnd, members, *, days_from_today: int, name: str) -> InterviewPanel:
    panel = InterviewPanel.objects.create(
        round=rnd,
        name=name,
        date=timezone.localdate() + dt.timedelta(days=days_from_today),
        location="Room 9",
    )
    panel.members.set(members)
    return panel


@pytest.fixture
def panellist_world(person, role_users):
    """A panellist who reviewed and interviewed: a panel that has finished, one still interviewing
    (with a colleague), a review started and one not, and a conflict they declared."""
    faculty = role_users["faculty"]
    now = timezone.now()
    cohort = CohortFactory()
    rnd = RoundFactory(
        cohort=cohort, opens_at=now - dt.timedelta(days=90), closes_at=now - dt.timedelta(days=30)
    )
    criterion = CriterionFactory(round=rnd, title="Leadership")
    panellist = person("panellist", full_name=NAME, email=EMAIL)
    colleague = person("panellist", full_name="Dr Second Member")

    interviewed = submitted(ApplicationFactory(round=rnd))
    interviewed.stage = interviewed.furthest_stage = Stage.INTERVIEWED
    interviewed.save()
    equality_answers(interviewed)
    done = panel_with(rnd, [panellist], days_from_today=-5, name="Panel Finished")
    InterviewSlot.objects.create(
        panel=done,
        starts_at=now - dt.timedelta(days=5),
        ends_at=now - dt.timedelta(days=5, minutes=-30),
        application=interviewed,
    )
    InterviewScore.objects.create(
        application=interviewed,
        panellist=panellist,
        criterion=criterion,
        score=3,
        comment=PANEL_NOTE,
    )
    ConsensusScore.objects.create(application=interviewed, criterion=criterion, score=3, by=faculty)
    assignment = ReviewerAssignment.objects.create(
        application=interviewed, reviewer=panellist, completed_at=now
    )
    ShortlistScore.objects.create(
        assignment=assignment, criterion=criterion, score=4, comment=REVIEW_NOTE
    )

    waiting = submitted(ApplicationFactory(round=rnd))
    waiting.stage = waiting.furthest_stage = Stage.SHORTLISTED
    waiting.save()
    equality_answers(waiting, "male")
    active = panel_with(rnd, [panellist, colleague], days_from_today=3, name="Panel Coming")
    start = now + dt.timedelta(days=3)
    InterviewSlot.objects.create(
        panel=active, starts_at=start, ends_at=start + dt.timedelta(minutes=30), application=waiting
    )

    in_running = submitted(ApplicationFactory(round=rnd))
    unstarted = ReviewerAssignment.objects.create(application=in_running, reviewer=panellist)
    Conflict.objects.create(
        application=waiting,
        person=panellist,
        reason="declared",
        note=CONFLICT_NOTE,
        recorded_by=panellist,
    )
    return {
        "cohort": cohort,
        "round": rnd,
        "panellist": panellist,
        "colleague": colleague,
        "done": done,
        "active": active,
        "interviewed": interviewed,
        "waiting": waiting,
        "unstarted": unstarted,
        "faculty": faculty,
    }


# Right of access: an applicant ----------------------------------------------------------------


def test_applicant_export_holds_every_kind_of_record_and_their_files(closed):
    archive = export_zip(EMAIL)
    ref = closed["application"].ref

    (application,) = part(archive, "applications")
    assert application["ref"] == ref
    assert (
        application["registration_number"] == REGISTRATION and application["employer"] == EMPLOYER
    )
    assert "approval_token" not in application and "applicant" not in application
    assert archive.read(application["cv"]) == CV
    assert part(archive, "application-answers")[0]["text"] == STATEMENT
    (document,) = part(archive, "application-documents")
    assert archive.read(document["file"]) == DOCUMENT
    assert any(DECLINE in change["reason"] for change in part(archive, "application-stages"))
    assert part(archive, "equality-monitoring")[0]["sex"] == "female"
    assert part(archive, "interviews")[0]["panel"] == "Panel North"
    assert part(archive, "offers")[0]["state"] == "Declined"


def test_scores_given_to_an_applicant_are_exported_once_the_round_is_over_without_who_gave_them(
    closed,
):
    archive = export_zip(EMAIL)
    scores = part(archive, "scores")
    assert {(s["stage"], s["criterion"], s["score"]) for s in scores} >= {
        ("shortlisting", "Leadership", 3),
        ("shortlisting", "Vision", 4),
        ("shortlisting, settled by faculty", "Leadership", 3),
        ("interview", "Leadership", 2),
        ("interview, agreed by the panel", "Vision", 4),
    }
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for private in (
        "Ravensworth",
        "Pemberton",
        "Conflicted Colleague",
        REVIEW_NOTE,
        PANEL_NOTE,
        CONFLICT_NOTE,
        OTHER_STATEMENT,
    ):
        assert private.encode() not in everything


def test_scores_are_not_exported_while_the_round_is_still_selecting(closed):
    still_interviewing = closed["others"][1]
    still_interviewing.stage = Stage.INTERVIEWED
    still_interviewing.save()
    archive = export_zip(EMAIL)
    assert "scores.json" not in archive.namelist()
    assert "applications.json" in archive.namelist()


def test_open_round_applicant_export_has_the_application_and_no_scores(open_round):
    archive = export_zip(EMAIL)
    assert part(archive, "applications")[0]["stage"] == "Submitted"
    assert part(archive, "application-answers")[0]["text"] == STATEMENT
    assert "scores.json" not in archive.namelist()


# Erasure: an applicant ------------------------------------------------------------------------


def test_erasing_an_applicant_of_a_closed_round_removes_identity_and_files_and_keeps_every_figure(
    closed, django_capture_on_commit_callbacks
):
    application = closed["application"]
    files = [
        application.cv.name,
        application.approval_form.name,
        ApplicationDocument.objects.get().file.name,
    ]
    assert all(default_storage.exists(name) for name in files)
    before = figures(closed["cohort"].number)
    funnels_before = equality.for_round(closed["round"], policy=equality.policy(0))
    assert before.objective4.applicants == 3 and before.objective4.gender
    text = dump()
    assert all(needle in text for needle in IDENTITY)  # the check below is not vacuous

    erase(EMAIL, closed["faculty"], django_capture_on_commit_callbacks)

    text = dump()
    for needle in IDENTITY:
        assert needle not in text, needle
    assert OTHER_STATEMENT in text  # other applicants keep theirs
    assert not any(default_storage.exists(name) for name in files)
    assert figures(closed["cohort"].number) == before
    assert equality.for_round(closed["round"], policy=equality.policy(0)) == funnels_before

    application.refresh_from_db()
    assert (
        application.applicant is None and not application.cv and not application.registration_number
    )
    assert (application.round, application.furthest_stage, application.profession) == (
        closed["round"],
        Stage.OFFERED,
        "medicine",
    )
    assert application.region is not None
    assert EqualityRecord.objects.filter(application=application).exists()
    assert ShortlistScore.objects.filter(assignment__application=application).count() == 2
    assert set(
        ConsensusScore.objects.filter(application=application).values_list("score", flat=True)
    ) == {2, 4}
    assert Offer.objects.get(application=application).post.cohort == closed["cohort"]
    assert not ApplicationDocument.objects.exists()


def test_erasing_an_applicant_of_an_open_round_withdraws_the_application_and_keeps_its_figures(
    open_round, django_capture_on_commit_callbacks
):
    application = open_round["application"]
    before = figures(open_round["cohort"].number)
    sources_before = equality.stage_totals(Application.objects.filter(round=open_round["round"]))
    assert all(needle in dump() for needle in (NAME, EMAIL, STATEMENT, REGISTRATION, MANAGER_EMAIL))

    erase(EMAIL, open_round["faculty"], django_capture_on_commit_callbacks)

    text = dump()
    for needle in IDENTITY:
        assert needle not in text, needle
    assert figures(open_round["cohort"].number) == before
    assert (
        equality.stage_totals(Application.objects.filter(round=open_round["round"]))
        == sources_before
    )
    application.refresh_from_db()
    assert (application.stage, application.furthest_stage) == (Stage.WITHDRAWN, Stage.SUBMITTED)
    assert EqualityRecord.objects.filter(application=application).exists()
    other = Statement.objects.get(application=open_round["other"])
    assert other.text == OTHER_STATEMENT and open_round["other"].applicant.email in text


def test_equality_answers_on_an_application_never_submitted_are_removed(
    person, role_users, django_capture_on_commit_callbacks
):
    applicant = person("applicant", full_name=NAME, email=EMAIL)
    draft = ApplicationFactory(applicant=applicant)
    equality_answers(draft)  # crafted: the form offers the questions only after submitting
    erase(EMAIL, role_users["faculty"], django_capture_on_commit_callbacks)
    assert not EqualityRecord.objects.filter(application=draft).exists()
    draft.refresh_from_db()
    assert draft.stage == Stage.WITHDRAWN and draft.applicant is None


def test_a_pending_offer_blocks_the_applicants_erasure_and_nothing_changes(
    closed, django_capture_on_commit_callbacks
):
    application = closed["application"]
    application.stage = Stage.OFFERED
    application.save()
    offer = Offer.objects.get(application=application)
    offer.state, offer.respond_by = OfferState.PENDING, timezone.now() + dt.timedelta(days=3)
    offer.save()
    person = privacy.find_person(EMAIL)
    (reason,) = privacy.blockers(person)
    assert reason.startswith(f"Application {application.ref} has an offer waiting for a reply")
    with pytest.raises(ValidationError):
        erase(EMAIL, closed["faculty"], django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.applicant.email == EMAIL and application.registration_number == REGISTRATION


def test_the_plan_says_applications_are_de_identified_and_files_removed(closed):
    lines = {line.what: line for line in privacy.plan(privacy.find_person(EMAIL))}
    assert lines["applications"].count == 1 and lines["applications"].fate == "de-identified"
    assert lines["uploaded documents, CVs and employer approval forms"].count == 3
    assert lines["equality monitoring answers of submitted applications"].fate == "kept"


# A panellist and reviewer ---------------------------------------------------------------------


def test_panellist_export_lists_what_they_scored_by_reference_only(panellist_world):
    archive = export_zip(EMAIL)
    assert {p["panel"] for p in part(archive, "interview-panels")} == {
        "Panel Finished",
        "Panel Coming",
    }
    (given,) = part(archive, "interview-scores-given")
    assert (given["application"], given["score"]) == (panellist_world["interviewed"].ref, 3)
    reviews = {r["application"]: r for r in part(archive, "shortlisting-reviews")}
    assert reviews[panellist_world["interviewed"].ref]["scores"][0]["score"] == 4
    assert (
        part(archive, "conflicts-of-interest")[0]["application"] == panellist_world["waiting"].ref
    )
    everything = b"".join(archive.read(name) for name in archive.namelist())
    applicant = panellist_world["interviewed"].applicant
    for other in (
        applicant.full_name,
        applicant.email,
        "I led a quality improvement project",
        "Dr Second Member",
    ):
        assert other.encode() not in everything


def test_the_only_member_of_a_panel_still_interviewing_blocks_erasure_and_nothing_changes(
    panellist_world, django_capture_on_commit_callbacks
):
    active = panellist_world["active"]
    active.members.remove(panellist_world["colleague"])
    person = privacy.find_person(EMAIL)
    assert privacy.blockers(person) == [f"Add another panel member to {active} first"]
    with pytest.raises(ValidationError) as refused:
        erase(EMAIL, panellist_world["faculty"], django_capture_on_commit_callbacks)
    assert f"Add another panel member to {active} first" in refused.value.messages
    panellist = User.objects.get(pk=panellist_world["panellist"].pk)
    assert (panellist.email, panellist.full_name) == (EMAIL, NAME)
    assert list(active.members.all()) == [panellist]
    assert InterviewScore.objects.get().comment == PANEL_NOTE
    assert ReviewerAssignment.objects.filter(pk=panellist_world["unstarted"].pk).exists()


def test_a_panel_whose_interviews_are_over_does_not_block(panellist_world):
    assert panellist_world["done"].members.count() == 1
    assert privacy.blockers(privacy.find_person(EMAIL)) == []


def test_a_panel_with_a_candidate_still_to_score_is_still_interviewing_after_its_day(
    panellist_world,
):
    active = panellist_world["active"]
    active.date = timezone.localdate() - dt.timedelta(days=1)
    active.save()
    active.members.remove(panellist_world["colleague"])
    assert privacy.blockers(privacy.find_person(EMAIL)) == [
        f"Add another panel member to {active} first"
    ]


def test_erasing_a_panellist_keeps_their_scores_and_takes_them_off_panels_still_interviewing(
    panellist_world, django_capture_on_commit_callbacks
):
    before = figures(panellist_world["cohort"].number)
    assert all(needle in dump() for needle in (NAME, EMAIL, PANEL_NOTE, REVIEW_NOTE, CONFLICT_NOTE))
    record = erase(EMAIL, panellist_world["faculty"], django_capture_on_commit_callbacks)

    text = dump()
    for needle in (NAME, EMAIL, PANEL_NOTE, REVIEW_NOTE, CONFLICT_NOTE):
        assert needle not in text, needle
    assert figures(panellist_world["cohort"].number) == before
    pseudonymous = User.objects.get(pk=panellist_world["panellist"].pk)
    assert pseudonymous.full_name == record.pseudonym
    score = InterviewScore.objects.get()
    assert (score.panellist, score.score, score.comment) == (pseudonymous, 3, "")
    assert ShortlistScore.objects.get().score == 4
    assert list(panellist_world["done"].members.all()) == [pseudonymous]
    assert list(panellist_world["active"].members.all()) == [panellist_world["colleague"]]
    assert not ReviewerAssignment.objects.filter(pk=panellist_world["unstarted"].pk).exists()
    assert Conflict.objects.get(person=pseudonymous).note == ""
