"""Faculty pages of the programme core: forms save, bad input changes nothing, lists stay cheap."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fellowship.enums import FellowStatus, Role
from fellowship.models import Cohort, Fellow, Funder, RoleGrant, Workshop

from ..factories import (
    CohortFactory,
    FellowFactory,
    FunderFactory,
    RegionFactory,
    UserFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_faculty_adds_a_cohort(faculty_client):
    response = faculty_client.post(
        reverse("cohort_create"),
        {"number": 5, "start_date": "2027-09-01", "end_date": "2028-08-31"},
    )
    assert response.status_code == 302
    assert Cohort.objects.get(number=5).end_date.isoformat() == "2028-08-31"


def test_cohort_that_ends_before_it_starts_is_refused_with_a_message(faculty_client):
    response = faculty_client.post(
        reverse("cohort_create"),
        {"number": 5, "start_date": "2027-09-01", "end_date": "2027-01-01"},
    )
    assert response.status_code == 200
    assert "The end date must be after the start date" in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not Cohort.objects.exists()


def test_duplicate_cohort_number_is_refused(faculty_client):
    CohortFactory(number=3)
    response = faculty_client.post(reverse("cohort_create"), {"number": 3})
    assert "Cohort with this Number already exists" in response.content.decode()
    assert Cohort.objects.count() == 1


def test_funder_with_mou_and_funded_posts(faculty_client):
    cohort, region = CohortFactory(), RegionFactory()
    data = {
        "name": "Wessex Education Board",
        "kind": "education_body",
        "mou": SimpleUploadedFile("mou.pdf", PDF, content_type="application/pdf"),
        "mou_signed_on": "2026-01-10",
        "posts-TOTAL_FORMS": "1",
        "posts-INITIAL_FORMS": "0",
        "posts-0-cohort": cohort.pk,
        "posts-0-region": region.pk,
        "posts-0-specialty_theme": "Haematology",
        "posts-0-places": "3",
    }
    response = faculty_client.post(reverse("funder_create"), data)
    assert response.status_code == 302, response.content.decode()
    funder = Funder.objects.get(name="Wessex Education Board")
    assert funder.posts.get().places == 3
    assert funder.mou.name.startswith("mou/") and funder.mou.name.endswith(".pdf")

    download = faculty_client.get(reverse("funder_mou", args=[funder.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 this is a renamed program", "The selected file must be a PDF"),
        (b"%PDF-1.4\n truncated", "damaged or incomplete"),
        (b"", "The submitted file is empty"),
    ],
)
def test_mou_must_really_be_a_pdf(faculty_client, content, message):
    data = {
        "name": "Bad File Trust",
        "kind": "employer",
        "mou": SimpleUploadedFile("mou.pdf", content, content_type="application/pdf"),
        "posts-TOTAL_FORMS": "0",
        "posts-INITIAL_FORMS": "0",
    }
    response = faculty_client.post(reverse("funder_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Funder.objects.filter(name="Bad File Trust").exists()


def test_invalid_funded_post_keeps_the_funder_unsaved(faculty_client):
    data = {
        "name": "Half Filled",
        "kind": "employer",
        "posts-TOTAL_FORMS": "1",
        "posts-INITIAL_FORMS": "0",
        "posts-0-places": "0",
        "posts-0-specialty_theme": "Cardiology",
    }
    response = faculty_client.post(reverse("funder_create"), data)
    assert response.status_code == 200
    assert not Funder.objects.filter(name="Half Filled").exists()


def test_fellow_list_filters_and_searches(faculty_client):
    london = RegionFactory(name="London")
    FellowFactory(ref="F-1", region=london, full_name="Ada Example")
    FellowFactory(ref="F-2", status=FellowStatus.GRADUATED)
    response = faculty_client.get(reverse("fellow_list"), {"region": london.pk})
    assert [f.ref for f in response.context["object_list"]] == ["F-1"]
    response = faculty_client.get(reverse("fellow_list"), {"q": "ada"})
    assert [f.ref for f in response.context["object_list"]] == ["F-1"]
    response = faculty_client.get(reverse("fellow_list"), {"status": "graduated"})
    assert [f.ref for f in response.context["object_list"]] == ["F-2"]


@pytest.mark.parametrize(
    "url_name", ["fellow_list", "cohort_list", "workshop_list", "funder_list", "person_list"]
)
def test_list_pages_use_a_fixed_number_of_queries(faculty_client, url_name):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert faculty_client.get(reverse(url_name)).status_code == 200
        return len(ctx.captured_queries)

    cohort = CohortFactory()
    FellowFactory(cohort=cohort)
    WorkshopFactory(cohort=cohort)
    UserFactory(roles=[Role.FELLOW])
    queries()  # the first request fills per-process caches (the current site, content types)
    few = queries()
    for _ in range(10):
        FellowFactory(cohort=CohortFactory(), funder=FunderFactory())
        WorkshopFactory(cohort=cohort)
        UserFactory(roles=[Role.SUPERVISOR, Role.ALUMNUS])
    assert queries() == few


def test_workshop_with_themes_and_speakers(faculty_client):
    from fellowship.models import CurriculumTheme

    cohort = CohortFactory()
    themes = list(CurriculumTheme.objects.values_list("pk", flat=True)[:2])
    data = {
        "cohort": cohort.pk,
        "date": "2027-03-02",
        "title": "Regulation masterclass",
        "themes": themes,
        "speakers-TOTAL_FORMS": "1",
        "speakers-INITIAL_FORMS": "0",
        "speakers-0-name": "Jo Invented",
        "speakers-0-affiliation": "A Regulator",
        "speakers-0-sector": "regulator",
    }
    assert faculty_client.post(reverse("workshop_create"), data).status_code == 302
    workshop = Workshop.objects.get(title="Regulation masterclass")
    assert workshop.themes.count() == 2
    assert workshop.speakers.get().sector == "regulator"


def _workshop_data(workshop, **extra) -> dict:
    return {
        "cohort": workshop.cohort_id,
        "date": workshop.date.isoformat(),
        "title": workshop.title,
        "speakers-TOTAL_FORMS": "1",
        "speakers-INITIAL_FORMS": "0",
        "speakers-0-name": "Jo Invented",
        "speakers-0-sector": "nhs",
        **extra,
    }


def test_faculty_record_attendance_and_link_a_speaker_account(faculty_client, person):
    workshop = WorkshopFactory()
    came, stayed_away = FellowFactory(cohort=workshop.cohort), FellowFactory(cohort=workshop.cohort)
    speaker = person(Role.SUPERVISOR)
    data = _workshop_data(
        workshop, attendees=[came.pk], **{"speakers-0-account_email": speaker.email.upper()}
    )
    assert (
        faculty_client.post(reverse("workshop_update", args=[workshop.pk]), data).status_code == 302
    )
    assert list(workshop.attendees.all()) == [came]
    assert stayed_away not in workshop.attendees.all()
    assert workshop.speakers.get().user == speaker


def test_unknown_speaker_account_or_outside_attendee_changes_nothing(faculty_client):
    workshop = WorkshopFactory()
    other_cohorts_fellow = FellowFactory()
    bad_email = _workshop_data(workshop, **{"speakers-0-account_email": "nobody@example.org"})
    response = faculty_client.post(reverse("workshop_update", args=[workshop.pk]), bad_email)
    assert response.status_code == 200
    assert "No account uses this e-mail address" in response.content.decode()
    outsider = _workshop_data(workshop, attendees=[other_cohorts_fellow.pk])
    response = faculty_client.post(reverse("workshop_update", args=[workshop.pk]), outsider)
    assert response.status_code == 200
    assert not workshop.speakers.exists() and not workshop.attendees.exists()


def test_fellows_see_only_their_cohorts_workshops(login, person):
    fellow_user = person(Role.FELLOW)
    mine = FellowFactory(user=fellow_user)
    WorkshopFactory(cohort=mine.cohort, title="Mine")
    WorkshopFactory(cohort=CohortFactory(), title="Not mine")
    response = login(fellow_user).get(reverse("workshop_list"))
    assert [w.title for w in response.context["object_list"]] == ["Mine"]


@pytest.mark.parametrize("cohort", ["²", "①", "abc"])
def test_a_cohort_filter_that_is_not_a_number_shows_every_workshop(faculty_client, cohort):
    WorkshopFactory(title="Shown")
    response = faculty_client.get(reverse("workshop_list"), {"cohort": cohort})
    assert response.status_code == 200
    assert [w.title for w in response.context["object_list"]] == ["Shown"]


def test_faculty_gives_a_role_and_the_person_is_emailed(
    faculty_client, django_capture_on_commit_callbacks
):
    someone = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = faculty_client.post(
            reverse("person_detail", args=[someone.pk]), {"role": "panellist"}
        )
    assert response.status_code == 302
    assert RoleGrant.objects.filter(user=someone, role="panellist").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [someone.email]
    assert "Panellist role" in mail.outbox[0].subject


def test_funder_role_needs_a_funder(faculty_client):
    someone = UserFactory()
    response = faculty_client.post(reverse("person_detail", args=[someone.pk]), {"role": "funder"})
    assert "Select the funder this person acts for" in response.content.decode()
    assert not RoleGrant.objects.filter(user=someone).exists()
    assert mail.outbox == []


def test_faculty_removes_a_role(faculty_client):
    someone = UserFactory(roles=[Role.SUPERVISOR])
    grant = someone.role_grants.get()
    response = faculty_client.post(reverse("role_revoke", args=[someone.pk, grant.pk]))
    assert response.status_code == 302
    assert not someone.role_grants.exists()
    assert grant.history.filter(history_type="-").exists()  # the audit trail keeps it


def test_faculty_edits_a_fellow_and_history_records_who(faculty_client, role_users):
    fellow = FellowFactory()
    data = {
        "ref": fellow.ref,
        "full_name": "Renamed Person",
        "cohort": fellow.cohort_id,
        "region": fellow.region_id,
        "profession": "nursing",
        "status": "graduated",
    }
    assert faculty_client.post(reverse("fellow_update", args=[fellow.pk]), data).status_code == 302
    fellow.refresh_from_db()
    assert (fellow.profession, fellow.status) == ("nursing", "graduated")
    assert fellow.history.first().history_user == role_users["faculty"]


def test_history_upload_page_previews_then_imports_and_reports_problems(faculty_client):
    good = SimpleUploadedFile(
        "cohorts.csv", b"number,start_date,end_date\n7,2027-09-01,2028-08-31\n"
    )
    preview = faculty_client.post(reverse("history_import"), {"files": [good]})
    assert preview.status_code == 200 and not Cohort.objects.exists()  # nothing written yet
    response = faculty_client.post(reverse("history_import"), {"token": preview.context["token"]})
    assert response.status_code == 302
    assert Cohort.objects.filter(number=7).exists()

    bad = SimpleUploadedFile(
        "fellows.csv", b"ref,cohort,region,profession,status\nF-9,7,London,wizard,in_post\n"
    )
    response = faculty_client.post(reverse("history_import"), {"files": [bad]})
    assert response.status_code == 400
    assert "fellows row 2, column profession: must be one of" in response.content.decode()
    assert not Fellow.objects.exists()
