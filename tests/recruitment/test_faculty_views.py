"""The faculty's recruitment pages: rounds save whole or not at all, eligibility follows the sponsor
rule, lists filter and stay cheap, exports carry no equality data, and only the equality view
(for faculty holding its permission) shows equality figures."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fellowship.enums import AuditAction, AuditSubject, Profession, Role
from fellowship.models import AuditEvent
from recruitment import services
from recruitment.enums import Stage
from recruitment.equality_access import holds_equality_access
from recruitment.models import (
    Application,
    Criterion,
    Eligibility,
    EqualityRecord,
    RecruitmentRound,
    RequiredDocument,
    Statement,
)

from ..factories import (
    ApplicationFactory,
    CohortFactory,
    CriterionFactory,
    EligibilityFactory,
    FundedPostFactory,
    FunderFactory,
    RegionFactory,
    RequiredDocumentFactory,
    RoundFactory,
    UserFactory,
    submitted,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


def round_data(cohort, **overrides) -> dict:
    data = {
        "cohort": cohort.pk,
        "name": "Cohort 9 national recruitment",
        "opens_at": "2027-01-04T09:00",
        "closes_at": "2027-01-31T23:59",
        "guidance": "Read the person specification first.",
        "declaration": "I confirm that this is true.",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-title": "Leadership",
        "criteria-0-description": "Show how you have led change.",
        "criteria-0-scoring_guidance": "4 excellent, 0 none",
        "criteria-0-word_limit": "300",
        "criteria-0-position": "1",
        "criteria-1-title": "Digital skills",
        "criteria-1-description": "Show what you have built.",
        "criteria-1-word_limit": "250",
        "criteria-1-position": "2",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-0-name": "Reference letter",
        "documents-0-description": "From your clinical supervisor.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def equality_user(person):
    user = person(Role.FACULTY)
    user.user_permissions.add(Permission.objects.get(codename="view_equality_monitoring"))
    return user


def closed(rnd):
    """The round, its deadline passed: equality figures are worked out only then."""
    rnd.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    rnd.save(update_fields=["closes_at"])
    return rnd


# Rounds ---------------------------------------------------------------------------------------


def test_faculty_creates_a_round_with_criteria_and_documents(faculty_client):
    cohort = CohortFactory(number=9)
    response = faculty_client.post(reverse("round_create"), round_data(cohort))
    assert response.status_code == 302, response.content.decode()
    rnd = RecruitmentRound.objects.get()
    assert response["Location"] == reverse("round_detail", args=[rnd.pk])
    # Entered as UK time: GMT in January, so the same as UTC.
    assert rnd.opens_at == datetime.datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert rnd.closes_at == datetime.datetime(2027, 1, 31, 23, 59, tzinfo=UTC)
    assert [(c.title, c.word_limit) for c in rnd.criteria.all()] == [
        ("Leadership", 300),
        ("Digital skills", 250),
    ]
    assert rnd.required_documents.get().name == "Reference letter"

    page = faculty_client.get(reverse("round_detail", args=[rnd.pk])).content.decode()
    assert "31 January 2027, 23:59 GMT" in page
    assert "Leadership" in page and "4 excellent, 0 none" in page


def test_summer_times_are_british_summer_time(faculty_client):
    cohort = CohortFactory()
    data = round_data(cohort, opens_at="2027-06-01T09:00", closes_at="2027-06-30T23:59")
    assert faculty_client.post(reverse("round_create"), data).status_code == 302
    rnd = RecruitmentRound.objects.get()
    assert rnd.closes_at == datetime.datetime(2027, 6, 30, 22, 59, tzinfo=UTC)
    assert (
        "30 June 2027, 23:59 BST"
        in faculty_client.get(reverse("round_detail", args=[rnd.pk])).content.decode()
    )
    # The edit form shows it back as UK time.
    edit = faculty_client.get(reverse("round_update", args=[rnd.pk])).content.decode()
    assert 'value="2027-06-30T23:59"' in edit


def test_round_that_closes_before_it_opens_is_refused_and_nothing_saved(faculty_client):
    data = round_data(CohortFactory(), closes_at="2027-01-01T09:00")
    response = faculty_client.post(reverse("round_create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "The closing date and time must be after the opening date and time" in page
    assert not RecruitmentRound.objects.exists()
    assert not Criterion.objects.exists() and not RequiredDocument.objects.exists()


def test_a_bad_criterion_saves_nothing(faculty_client):
    data = round_data(CohortFactory(), **{"criteria-1-word_limit": "5"})
    response = faculty_client.post(reverse("round_create"), data)
    assert response.status_code == 200
    assert "greater than or equal to 10" in response.content.decode()
    assert not RecruitmentRound.objects.exists()


def test_a_time_the_clocks_skip_is_refused_with_a_message(faculty_client):
    data = round_data(CohortFactory(), opens_at="2027-03-28T01:30", closes_at="2027-04-30T12:00")
    response = faculty_client.post(reverse("round_create"), data)
    assert "because the clocks change" in response.content.decode()
    assert not RecruitmentRound.objects.exists()


def test_faculty_changes_a_round_and_removes_an_unused_criterion(faculty_client):
    rnd = RoundFactory(name="Old name")
    keep, drop = (
        CriterionFactory(round=rnd, title="Keep"),
        CriterionFactory(round=rnd, title="Drop"),
    )
    data = round_data(
        rnd.cohort,
        name="New name",
        **{
            "criteria-TOTAL_FORMS": "2",
            "criteria-INITIAL_FORMS": "2",
            "criteria-0-id": keep.pk,
            "criteria-0-title": "Keep",
            "criteria-1-id": drop.pk,
            "criteria-1-title": "Drop",
            "criteria-1-description": "x",
            "criteria-1-word_limit": "50",
            "criteria-1-position": "2",
            "criteria-1-DELETE": "on",
            "documents-TOTAL_FORMS": "0",
        },
    )
    response = faculty_client.post(reverse("round_update", args=[rnd.pk]), data)
    assert response.status_code == 302, response.content.decode()
    rnd.refresh_from_db()
    assert rnd.name == "New name"
    assert [c.title for c in rnd.criteria.all()] == ["Keep"]


def test_a_criterion_with_statements_cannot_be_removed(faculty_client):
    application = submitted()
    rnd = application.round
    criterion = rnd.criteria.get()
    data = round_data(
        rnd.cohort,
        **{
            "criteria-TOTAL_FORMS": "1",
            "criteria-INITIAL_FORMS": "1",
            "criteria-0-id": criterion.pk,
            "criteria-0-title": criterion.title,
            "criteria-0-description": criterion.description,
            "criteria-0-word_limit": criterion.word_limit,
            "criteria-0-position": "0",
            "criteria-0-DELETE": "on",
            "documents-TOTAL_FORMS": "0",
        },
    )
    response = faculty_client.post(reverse("round_update", args=[rnd.pk]), data)
    assert response.status_code == 200
    assert "applicants have already written statements against it" in response.content.decode()
    assert rnd.criteria.filter(pk=criterion.pk).exists()
    assert RecruitmentRound.objects.get(pk=rnd.pk).name == rnd.name


def test_round_list_counts_drafts_and_submitted(faculty_client):
    rnd = RoundFactory(name="Cohort 5 recruitment")
    ApplicationFactory(round=rnd)
    submitted(round=rnd)
    submitted(round=rnd)
    response = faculty_client.get(reverse("round_admin_list"))
    (row,) = response.context["rounds"]
    assert (row.drafts, row.submitted) == (1, 2)
    assert "Cohort 5 recruitment" in response.content.decode()


def test_round_detail_shows_posts_on_offer_and_eligibility(faculty_client):
    rnd = RoundFactory()
    london = RegionFactory(name="London")
    funder = FunderFactory(name="Pharmacy Society")
    FundedPostFactory(
        funder=funder, cohort=rnd.cohort, region=london, places=2, specialty_theme="Oncology"
    )
    FundedPostFactory(cohort=CohortFactory(), region=london, places=7)  # another cohort's
    Eligibility.objects.create(
        round=rnd, region=london, profession=Profession.PHARMACY, sponsor=funder
    )
    page = faculty_client.get(reverse("round_detail", args=[rnd.pk])).content.decode()
    assert "Pharmacy (sponsored by Pharmacy Society)" in page
    assert "Oncology" in page
    assert "<strong>2</strong>" in page  # all places on offer in this cohort


# Eligibility ----------------------------------------------------------------------------------


@pytest.fixture
def grid():
    rnd = RoundFactory()
    london, kent = RegionFactory(name="London"), RegionFactory(name="Kent")
    society = FunderFactory(name="Nursing Society")
    FundedPostFactory(funder=society, cohort=rnd.cohort, region=london)
    return {"round": rnd, "london": london, "kent": kent, "society": society}


def test_faculty_sets_eligibility_with_a_sponsor(faculty_client, grid):
    rnd, london, kent, society = grid["round"], grid["london"], grid["kent"], grid["society"]
    data = {
        f"eligible_{london.pk}_medicine": "on",
        f"eligible_{kent.pk}_medicine": "on",
        f"eligible_{london.pk}_nursing": "on",
        f"sponsor_{london.pk}_nursing": society.pk,
    }
    response = faculty_client.post(reverse("round_eligibility", args=[rnd.pk]), data)
    assert response.status_code == 302, response.content.decode()
    lines = {(e.region.name, e.profession, e.sponsor_id) for e in rnd.eligibilities.all()}
    assert lines == {
        ("London", "medicine", None),
        ("Kent", "medicine", None),
        ("London", "nursing", society.pk),
    }

    # Saving again replaces the grid.
    response = faculty_client.post(
        reverse("round_eligibility", args=[rnd.pk]), {f"eligible_{kent.pk}_medicine": "on"}
    )
    assert response.status_code == 302
    assert [(e.region.name, e.profession) for e in rnd.eligibilities.all()] == [
        ("Kent", "medicine")
    ]
    # The page shows the grid as saved.
    page = faculty_client.get(reverse("round_eligibility", args=[rnd.pk])).content.decode()
    assert (
        f'name="eligible_{kent.pk}_medicine" class="nhsuk-checkboxes__input" id="id_eligible_{kent.pk}_medicine" checked'
        in page
    )


def test_a_non_medic_without_a_sponsor_is_refused_and_nothing_changes(faculty_client, grid):
    rnd, london = grid["round"], grid["london"]
    EligibilityFactory(round=rnd, region=london)
    data = {f"eligible_{london.pk}_pharmacy": "on"}
    response = faculty_client.post(reverse("round_eligibility", args=[rnd.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose the sponsor that funds pharmacy posts in London" in page
    assert [(e.region_id, e.profession) for e in rnd.eligibilities.all()] == [
        (london.pk, "medicine")
    ]


def test_a_sponsor_that_funds_no_post_in_the_region_is_refused(faculty_client, grid):
    rnd, london, kent, society = grid["round"], grid["london"], grid["kent"], grid["society"]
    # The society funds posts in London for this cohort, and in Kent only for another cohort.
    FundedPostFactory(funder=society, cohort=CohortFactory(), region=kent)
    EligibilityFactory(round=rnd, region=london)
    data = {
        f"eligible_{london.pk}_medicine": "on",
        f"eligible_{kent.pk}_nursing": "on",
        f"sponsor_{kent.pk}_nursing": society.pk,
    }
    response = faculty_client.post(reverse("round_eligibility", args=[rnd.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nursing Society does not fund a post in Kent" in page
    assert [(e.region_id, e.profession) for e in rnd.eligibilities.all()] == [
        (london.pk, "medicine")
    ]


def test_every_broken_line_of_the_grid_is_shown_at_once_on_its_cell(faculty_client, grid):
    rnd, kent, society = grid["round"], grid["kent"], grid["society"]
    data = {
        f"eligible_{kent.pk}_nursing": "on",
        f"eligible_{kent.pk}_pharmacy": "on",
        f"sponsor_{kent.pk}_pharmacy": society.pk,
        f"sponsor_{kent.pk}_midwifery": society.pk,  # a sponsor, but midwifery is not ticked
    }
    response = faculty_client.post(reverse("round_eligibility", args=[rnd.pk]), data)
    errors = response.context["form"].errors
    assert errors[f"sponsor_{kent.pk}_nursing"] == [
        "Choose the sponsor that funds nursing posts in Kent"
    ]
    assert (
        "Nursing Society does not fund a post in Kent" in errors[f"sponsor_{kent.pk}_pharmacy"][0]
    )
    assert "Tick midwifery in Kent" in errors[f"sponsor_{kent.pk}_midwifery"][0]
    page = response.content.decode()
    assert f'href="#id_sponsor_{kent.pk}_pharmacy"' in page  # the error summary links to the cell
    assert f'aria-describedby="id_sponsor_{kent.pk}_pharmacy-error"' in page
    assert not rnd.eligibilities.exists()


def test_set_eligibility_checks_the_sponsor_rule_itself(grid):
    rnd, kent, society = grid["round"], grid["kent"], grid["society"]
    with pytest.raises(ValidationError, match="does not fund a post in Kent"):
        services.set_eligibility(rnd, [(kent, Profession.NURSING, society)], by=None)
    with pytest.raises(ValidationError, match="Choose the sponsor"):
        services.set_eligibility(rnd, [(kent, Profession.NURSING, None)], by=None)
    assert not rnd.eligibilities.exists()
    # Medicine needs no sponsor, and is given none.
    (line,) = services.set_eligibility(rnd, [(kent, Profession.MEDICINE, society)], by=None)
    assert line.sponsor is None


# Applications ---------------------------------------------------------------------------------


@pytest.fixture
def applications():
    rnd = RoundFactory()
    london, kent = RegionFactory(name="London"), RegionFactory(name="Kent")
    ada = submitted(
        ApplicationFactory(
            round=rnd, applicant=UserFactory(full_name="Ada Lovelace", email="ada@example.org")
        )
    )
    ada.region, ada.employer = london, "Barts Health"
    ada.save()
    bob = submitted(ApplicationFactory(round=rnd, applicant=UserFactory(full_name="Bob Nurse")))
    bob.region, bob.profession, bob.employer = kent, Profession.NURSING, "Kent Community Health"
    bob.stage = Stage.INELIGIBLE
    bob.save()
    draft = ApplicationFactory(round=rnd, applicant=UserFactory(full_name="Cy Draft"))
    ApplicationFactory(applicant=UserFactory(full_name="Other Round"))  # another round's
    return {"round": rnd, "ada": ada, "bob": bob, "draft": draft, "london": london}


def listed(client, rnd, **params) -> list[str]:
    response = client.get(reverse("application_list", args=[rnd.pk]), params)
    assert response.status_code == 200
    return sorted(a.ref for a in response.context["page_obj"])


def test_application_list_filters_and_searches(faculty_client, applications):
    rnd, ada, bob, draft = (
        applications["round"],
        applications["ada"],
        applications["bob"],
        applications["draft"],
    )
    assert listed(faculty_client, rnd) == sorted([ada.ref, bob.ref, draft.ref])
    assert listed(faculty_client, rnd, region=applications["london"].pk) == [ada.ref]
    assert listed(faculty_client, rnd, profession="nursing") == [bob.ref]
    assert listed(faculty_client, rnd, stage="ineligible") == [bob.ref]
    assert listed(faculty_client, rnd, status="submitted") == sorted([ada.ref, bob.ref])
    assert listed(faculty_client, rnd, status="draft") == [draft.ref]
    assert listed(faculty_client, rnd, q="lovelace") == [ada.ref]
    assert listed(faculty_client, rnd, q="ADA@EXAMPLE") == [ada.ref]
    assert listed(faculty_client, rnd, q="kent community") == [bob.ref]
    assert listed(faculty_client, rnd, q=draft.ref.lower()) == [draft.ref]
    page = faculty_client.get(
        reverse("application_list", args=[rnd.pk]), {"q": "ada"}
    ).content.decode()
    assert "Ada Lovelace" in page and "Bob Nurse" not in page
    assert f"{reverse('application_export', args=[rnd.pk, 'csv'])}?q=ada" in page


@pytest.mark.parametrize("url_name", ["round_admin_list", "application_list", "round_detail"])
def test_list_pages_use_a_fixed_number_of_queries(faculty_client, url_name):
    rnd = RoundFactory()
    url = reverse(url_name) if url_name == "round_admin_list" else reverse(url_name, args=[rnd.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert faculty_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    submitted(round=rnd)
    ApplicationFactory(round=rnd)
    FundedPostFactory(cohort=rnd.cohort)
    few = queries()
    for _ in range(8):
        submitted(round=rnd)
        ApplicationFactory(round=rnd)
        submitted(round=RoundFactory())
        FundedPostFactory(cohort=rnd.cohort)
        EligibilityFactory(round=rnd)
    assert queries() == few


# Exports --------------------------------------------------------------------------------------

# Distinctive equality answers: none of these may appear anywhere but the equality view.
EQUALITY_ANSWERS = {
    "sex": "non_binary",
    "ethnic_group": "white_roma",
    "religion": "buddhist",
    "sexual_orientation": "bisexual",
    "age_band": "50+",
    "disability": "yes",
}
EQUALITY_PROBES = [
    "non_binary",
    "non-binary",
    "white_roma",
    "white: roma",
    "buddhist",
    "bisexual",
    "50 or over",
]


def assert_no_equality(text: str, where: str) -> None:
    lowered = text.lower()
    found = [probe for probe in EQUALITY_PROBES if probe in lowered]
    assert not found, f"{where} shows equality data: {found}"


@pytest.fixture
def with_equality(applications):
    for application in (applications["ada"], applications["bob"]):
        EqualityRecord.objects.create(application=application, **EQUALITY_ANSWERS)
    return applications


def test_csv_export_has_the_applications_and_no_equality_data(faculty_client, with_equality):
    rnd, ada = with_equality["round"], with_equality["ada"]
    criterion = rnd.criteria.get()
    Statement.objects.filter(application=ada).update(text="one two three four five")
    response = faculty_client.get(
        reverse("application_export", args=[rnd.pk, "csv"]), {"status": "submitted"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8-sig")
    assert_no_equality(text, "the CSV export")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["Reference"] for r in rows) == sorted([ada.ref, with_equality["bob"].ref])
    row = next(r for r in rows if r["Reference"] == ada.ref)
    assert row["Name"] == "Ada Lovelace" and row["Email"] == "ada@example.org"
    assert row["Region"] == "London" and row["Employer"] == "Barts Health"
    assert (
        row["Registration body"] == "General Medical Council (GMC)"
        and row["Registration number"] == "1234567"
    )
    assert row["Employer approval"] == "Signed form uploaded"
    assert row[f"Words: {criterion.title} (limit {criterion.word_limit})"] == "5"
    expected = timezone.localtime(ada.submitted_at, LONDON).strftime("%Y-%m-%d %H:%M:%S")
    assert row["Submitted at (Europe/London)"] == expected
    assert set(rows[0]) == {
        "Reference",
        "Stage",
        "Furthest stage",
        "Submitted at (Europe/London)",
        "Name",
        "Email",
        "Profession",
        "Registration body",
        "Registration number",
        "Grade",
        "Region",
        "Specialty",
        "Employer",
        "Employer approval",
        f"Words: {criterion.title} (limit {criterion.word_limit})",
    }


def test_xlsx_export_has_the_applications_and_no_equality_data(faculty_client, with_equality):
    rnd = with_equality["round"]
    response = faculty_client.get(reverse("application_export", args=[rnd.pk, "xlsx"]))
    assert response.status_code == 200
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        for name in archive.namelist():
            assert_no_equality(
                archive.read(name).decode("utf-8", "replace"), f"the XLSX export ({name})"
            )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Reference"
    refs = sorted(row[0] for row in rows[1:])
    assert refs == sorted(with_equality[k].ref for k in ("ada", "bob", "draft"))
    ada_row = next(row for row in rows if row[0] == with_equality["ada"].ref)
    assert ada_row[3] == timezone.localtime(with_equality["ada"].submitted_at, LONDON).replace(
        tzinfo=None, microsecond=0
    )


def test_export_defuses_spreadsheet_formulas(faculty_client, applications):
    ada = applications["ada"]
    ada.employer = '=HYPERLINK("http://evil")'
    ada.save()
    text = faculty_client.get(
        reverse("application_export", args=[applications["round"].pk, "csv"])
    ).content.decode()
    assert "'=HYPERLINK" in text


def test_export_in_another_format_is_not_found(faculty_client, applications):
    assert (
        faculty_client.get(
            reverse("application_export", args=[applications["round"].pk, "pdf"])
        ).status_code
        == 404
    )


# Eligibility decisions ------------------------------------------------------------------------


def test_faculty_marks_an_application_ineligible_and_the_applicant_is_emailed(
    faculty_client, applications, django_capture_on_commit_callbacks
):
    ada = applications["ada"]
    url = reverse("application_ineligible", args=[ada.ref])
    assert faculty_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = faculty_client.post(
            url, {"reason": "Your post is outside the eligible regions."}, follow=True
        )
    ada.refresh_from_db()
    assert ada.stage == Stage.INELIGIBLE
    assert ada.ineligible_reason == "Your post is outside the eligible regions."
    assert ada.stage_changes.get().to_stage == Stage.INELIGIBLE
    (message,) = mail.outbox
    assert message.to == ["ada@example.org"]
    assert ada.ref in message.subject
    assert "Your post is outside the eligible regions." in message.body
    page = response.content.decode()
    assert "is marked ineligible. We have emailed the applicant the reason." in page
    assert "Your post is outside the eligible regions." in page  # on the application's page


def test_marking_ineligible_needs_a_reason(
    faculty_client, applications, django_capture_on_commit_callbacks
):
    ada = applications["ada"]
    with django_capture_on_commit_callbacks(execute=True):
        response = faculty_client.post(
            reverse("application_ineligible", args=[ada.ref]), {"reason": "   "}
        )
    assert "Enter the reason, which the applicant will be told" in response.content.decode()
    ada.refresh_from_db()
    assert ada.stage == Stage.SUBMITTED
    assert mail.outbox == []


def test_a_draft_cannot_be_marked_ineligible(
    faculty_client, applications, django_capture_on_commit_callbacks
):
    draft = applications["draft"]
    url = reverse("application_ineligible", args=[draft.ref])
    assert "Only a submitted application" in faculty_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = faculty_client.post(url, {"reason": "Not eligible."})
    assert (
        "Only a submitted application that has not moved on can be marked ineligible"
        in response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.stage == Stage.DRAFT
    assert mail.outbox == []


def test_application_detail_shows_the_application_and_its_history(faculty_client, applications):
    bob = applications["bob"]
    bob.stage = Stage.SUBMITTED
    bob.save()
    services.mark_ineligible(
        bob, by=UserFactory(full_name="Fay Faculty"), reason="No sponsor in Kent."
    )
    page = faculty_client.get(reverse("application_detail", args=[bob.ref])).content.decode()
    assert "Bob Nurse" in page and "Kent Community Health" in page
    assert "I led a quality improvement project." in page
    assert reverse("application_cv", args=[bob.ref]) in page
    assert reverse("application_approval_form", args=[bob.ref]) in page
    assert (
        "Submitted to ineligible" in page
        and "Fay Faculty" in page
        and "No sponsor in Kent." in page
    )


def test_application_detail_links_each_uploaded_document(faculty_client, applications):
    from django.core.files.base import ContentFile

    from recruitment.models import ApplicationDocument

    ada = applications["ada"]
    requirement = RequiredDocumentFactory(round=ada.round, name="Reference letter")
    upload = ApplicationDocument(application=ada, requirement=requirement)
    upload.file.save("ref.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    page = faculty_client.get(reverse("application_detail", args=[ada.ref])).content.decode()
    assert reverse("application_document", args=[ada.ref, upload.pk]) in page


# Who may see what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["applicant", "fellow", "panellist", "supervisor", "funder", "outsider"]
)
def test_only_faculty_reach_the_recruitment_pages(role, role_users, login, applications):
    client = login(role_users[role])
    rnd, ada = applications["round"], applications["ada"]
    for url in [
        reverse("round_admin_list"),
        reverse("round_create"),
        reverse("round_detail", args=[rnd.pk]),
        reverse("round_update", args=[rnd.pk]),
        reverse("round_eligibility", args=[rnd.pk]),
        reverse("application_list", args=[rnd.pk]),
        reverse("application_export", args=[rnd.pk, "csv"]),
        reverse("application_detail", args=[ada.ref]),
        reverse("application_ineligible", args=[ada.ref]),
        reverse("equality_monitoring", args=[rnd.pk]),
    ]:
        assert client.get(url).status_code == 403, url


def test_applicant_cannot_use_the_faculty_page_of_their_own_application(person, login):
    applicant = person(Role.APPLICANT)
    mine = submitted(ApplicationFactory(applicant=applicant))
    assert login(applicant).get(reverse("application_detail", args=[mine.ref])).status_code == 403


def test_equality_view_needs_the_dedicated_permission(
    faculty_client, login, equality_user, with_equality
):
    url = reverse("equality_monitoring", args=[closed(with_equality["round"]).pk])
    assert faculty_client.get(url).status_code == 403
    response = login(equality_user).get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Applications reaching each stage, by sex" in page
    assert "<5" in page or "&lt;5" in page
    # Only the allowed viewing is in the audit log (the refused one never reached the figures).
    (event,) = AuditEvent.objects.filter(subject=AuditSubject.EQUALITY)
    assert (event.actor, event.action) == (equality_user, AuditAction.VIEWED)
    assert event.reference == f"round {with_equality['round'].pk}"


def test_equality_view_uses_a_fixed_number_of_queries(login, equality_user):
    client, rnd = login(equality_user), RoundFactory()
    url = reverse("equality_monitoring", args=[rnd.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    EqualityRecord.objects.create(application=submitted(round=rnd), **EQUALITY_ANSWERS)
    closed(rnd)
    few = queries()
    for sex in ["female", "male", "female", "", "non_binary"] * 3:
        application = submitted(round=rnd)
        application.furthest_stage = Stage.SHORTLISTED
        application.save()
        EqualityRecord.objects.create(application=application, sex=sex, ethnic_group="asian_indian")
    assert queries() == few


def test_the_permission_alone_is_not_enough_without_the_faculty_role(person, login, with_equality):
    panellist = person(Role.PANELLIST)
    panellist.user_permissions.add(Permission.objects.get(codename="view_equality_monitoring"))
    url = reverse("equality_monitoring", args=[with_equality["round"].pk])
    assert login(panellist).get(url).status_code == 403


def test_round_page_links_to_equality_monitoring_only_for_holders(
    faculty_client, login, equality_user
):
    rnd = RoundFactory()
    link = reverse("equality_monitoring", args=[rnd.pk])
    assert link not in faculty_client.get(reverse("round_detail", args=[rnd.pk])).content.decode()
    assert link in login(equality_user).get(reverse("round_detail", args=[rnd.pk])).content.decode()


def test_a_manager_allows_and_stops_equality_monitoring_for_a_colleague(login, person):
    manager = person(Role.FACULTY)
    manager.user_permissions.add(Permission.objects.get(codename="manage_equality_access"))
    client, colleague = login(manager), person(Role.FACULTY)
    url = reverse("person_detail", args=[colleague.pk])
    assert "Can see equality monitoring" in client.get(url).content.decode()
    response = client.post(url, {"form": "equality", "may_see_equality": "on"}, follow=True)
    assert "can now see equality monitoring" in response.content.decode()
    colleague = type(colleague).objects.get(pk=colleague.pk)
    assert colleague.has_perm("recruitment.see_equality")
    client.post(url, {"form": "equality"})
    colleague = type(colleague).objects.get(pk=colleague.pk)
    assert not colleague.has_perm("recruitment.see_equality")


def test_equality_monitoring_cannot_be_given_to_someone_who_is_not_faculty(login, person):
    manager = person(Role.FACULTY)
    manager.user_permissions.add(Permission.objects.get(codename="manage_equality_access"))
    client, applicant = login(manager), person(Role.APPLICANT)
    url = reverse("person_detail", args=[applicant.pk])
    assert "Can see equality monitoring" not in client.get(url).content.decode()
    response = client.post(url, {"form": "equality", "may_see_equality": "on"}, follow=True)
    assert "Give this person the faculty role first" in response.content.decode()
    assert not holds_equality_access(applicant)


def test_faculty_navigation_has_recruitment(faculty_client):
    page = faculty_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("round_admin_list")}"' in page


# No page but the equality view shows equality data --------------------------------------------

APPLICANT_PAGES = [
    "application_overview",
    "application_eligibility",
    "application_statement",
    "application_documents",
    "application_approval",
    "application_review",
    "application_withdraw",
    "application_equality",
]


def test_no_page_but_the_equality_view_shows_equality_answers(login, equality_user, with_equality):
    rnd, ada = with_equality["round"], with_equality["ada"]
    client = login(equality_user)  # faculty who may see equality monitoring: the strictest case
    faculty_urls = [
        reverse("round_admin_list"),
        reverse("round_create"),
        reverse("round_detail", args=[rnd.pk]),
        reverse("round_update", args=[rnd.pk]),
        reverse("round_eligibility", args=[rnd.pk]),
        reverse("application_list", args=[rnd.pk]),
        reverse("application_list", args=[rnd.pk]) + "?q=ada",
        reverse("application_export", args=[rnd.pk, "csv"]),
        reverse("application_detail", args=[ada.ref]),
        reverse("application_ineligible", args=[ada.ref]),
        reverse("person_detail", args=[ada.applicant_id]),
        reverse("person_list"),
    ]
    for url in faculty_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_equality(response.content.decode("utf-8-sig"), url)

    applicant = login(ada.applicant)
    applicant_urls = [reverse("round_list")] + [
        reverse(name, args=[ada.ref]) for name in APPLICANT_PAGES
    ]
    for url in applicant_urls:
        response = applicant.get(url, follow=True)
        assert response.status_code == 200, url
        assert_no_equality(response.content.decode(), url)

    # The probes do find the data where it is allowed to be: the equality view, as counts,
    # once the round has closed.
    page = client.get(reverse("equality_monitoring", args=[closed(rnd).pk])).content.decode()
    assert "Non-binary" in page and "Buddhist" in page


def test_application_queryset_has_no_way_to_the_equality_record():
    """The model gives no reverse accessor, so no template can reach it from an application."""
    application = ApplicationFactory()
    EqualityRecord.objects.create(application=application, sex="non_binary")
    assert not any(
        rel.related_model is EqualityRecord
        and rel.get_accessor_name() not in ("+",)
        and not rel.hidden
        for rel in Application._meta.related_objects
    )
