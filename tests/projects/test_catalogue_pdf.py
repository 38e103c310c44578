"""The catalogue PDF is made in the background: asking for it leads to a page that shows it being
made, then a download sent only to people who may browse that cohort. The same list is made once
and reused until a project is approved or withdrawn, and a failed PDF can be asked for again."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from fellowship.filejobs import FileJobState
from projects import catalogue
from projects.enums import ProposalStatus
from projects.models import CatalogueFile
from projects.tasks import render_catalogue_pdf

from ..factories import CohortFactory, ProjectFactory, RegionFactory

pytestmark = pytest.mark.django_db


def ask(client, number: int, capture, data=None):
    """Press "Get this list as a PDF" (the task runs in-process on commit); the page it leads to."""
    with capture(execute=True):
        response = client.post(reverse("catalogue_pdf", args=[number]), data or {})
    assert response.status_code == 302, response.status_code
    return response["Location"]


def get_pdf(client, number: int, capture, data=None):
    """Ask for the PDF and download it: the download response."""
    page = ask(client, number, capture, data)
    job = CatalogueFile.objects.get(pk=int(page.rstrip("/").rsplit("/", 1)[1]))
    assert client.get(page).status_code == 200
    return client.get(reverse("catalogue_file_download", args=[number, job.pk]))


@pytest.fixture
def cohort():
    cohort = CohortFactory(number=3)
    ProjectFactory(cohort=cohort, status=ProposalStatus.APPROVED, title="Chest X-ray triage")
    return cohort


def test_asking_for_the_pdf_makes_it_and_the_page_links_to_the_download(
    supervisor_client, cohort, django_capture_on_commit_callbacks
):
    page = ask(supervisor_client, 3, django_capture_on_commit_callbacks)
    job = CatalogueFile.objects.get()
    assert page == reverse("catalogue_file", args=[3, job.pk])
    assert job.state == FileJobState.DONE and job.file.name.startswith("catalogues/")
    html = supervisor_client.get(page).content.decode()
    assert "The PDF is ready." in html
    assert reverse("catalogue_file_download", args=[3, job.pk]) in html
    download = supervisor_client.get(reverse("catalogue_file_download", args=[3, job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="project-catalogue-cohort-3.pdf"' in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_get_cannot_ask_for_the_pdf(supervisor_client, cohort):
    assert supervisor_client.get(reverse("catalogue_pdf", args=[3])).status_code == 405
    assert not CatalogueFile.objects.exists()


@pytest.mark.parametrize("role", ["applicant", "outsider", "panellist", "funder"])
def test_people_who_may_not_browse_cannot_ask_see_or_download(
    request, role, cohort, faculty_client, django_capture_on_commit_callbacks
):
    ask(faculty_client, 3, django_capture_on_commit_callbacks)
    job = CatalogueFile.objects.get()
    client = request.getfixturevalue(f"{role}_client")
    assert client.post(reverse("catalogue_pdf", args=[3])).status_code == 403
    assert client.get(reverse("catalogue_file", args=[3, job.pk])).status_code == 403
    assert client.get(reverse("catalogue_file_download", args=[3, job.pk])).status_code == 403
    assert CatalogueFile.objects.count() == 1


def test_another_persons_pdf_of_the_same_list_is_shared_with_those_who_may_browse_it(
    faculty_client, fellow_client, cohort, django_capture_on_commit_callbacks
):
    # The PDF prints nothing personal: who asked for it does not decide who may read it.
    ask(faculty_client, 3, django_capture_on_commit_callbacks)
    job = CatalogueFile.objects.get()
    assert (
        fellow_client.get(reverse("catalogue_file_download", args=[3, job.pk])).status_code == 200
    )
    assert ask(fellow_client, 3, django_capture_on_commit_callbacks).endswith(f"/{job.pk}/")


def test_a_job_under_another_cohorts_url_or_a_guessed_id_is_not_found(
    fellow_client, cohort, django_capture_on_commit_callbacks
):
    ask(fellow_client, 3, django_capture_on_commit_callbacks)
    job = CatalogueFile.objects.get()
    CohortFactory(number=4)
    for number, pk in ((4, job.pk), (3, job.pk + 1), (99, job.pk)):
        assert fellow_client.get(reverse("catalogue_file", args=[number, pk])).status_code == 404
        url = reverse("catalogue_file_download", args=[number, pk])
        assert fellow_client.get(url).status_code == 404


def test_a_cohort_the_person_may_not_browse_is_not_found(
    fellow_client, cohort, settings, django_capture_on_commit_callbacks
):
    """The permission is checked with the job's cohort, so a rule that narrows browsing to some
    cohorts closes their PDFs too (today everyone who browses may browse every cohort)."""
    import rules

    ask(fellow_client, 3, django_capture_on_commit_callbacks)
    job = CatalogueFile.objects.get()
    original = rules.permissions.permissions["projects.browse_catalogue"]
    rules.set_perm(
        "projects.browse_catalogue",
        rules.predicate(lambda user, cohort=None: cohort is None or cohort.number != 3),
    )
    try:
        assert fellow_client.get(reverse("catalogue_file", args=[3, job.pk])).status_code == 404
        url = reverse("catalogue_file_download", args=[3, job.pk])
        assert fellow_client.get(url).status_code == 404
        assert fellow_client.post(reverse("catalogue_pdf", args=[3])).status_code == 404
    finally:
        rules.set_perm("projects.browse_catalogue", original)


def test_a_page_of_a_pdf_being_made_says_so_and_offers_no_download(fellow_client, cohort):
    job, created = catalogue.request_catalogue_pdf(cohort, query=None, by=None)  # never sent
    assert created and job.state == FileJobState.QUEUED
    html = fellow_client.get(reverse("catalogue_file", args=[3, job.pk])).content.decode()
    assert "The PDF is waiting to be made." in html
    assert "Refresh" in html and "js/file-job" in html
    assert (
        fellow_client.get(reverse("catalogue_file_download", args=[3, job.pk])).status_code == 404
    )


def test_asking_again_while_one_is_being_made_reuses_it(fellow_client, cohort):
    first, _ = catalogue.request_catalogue_pdf(cohort, query=None, by=None)
    again, created = catalogue.request_catalogue_pdf(cohort, query=None, by=None)
    assert again.pk == first.pk and not created
    response = fellow_client.post(reverse("catalogue_pdf", args=[3]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("catalogue_file", args=[3, first.pk])
    assert "already being made" in response.content.decode()


def test_a_finished_pdf_is_reused_until_the_catalogue_changes(
    fellow_client, cohort, django_capture_on_commit_callbacks
):
    first = ask(fellow_client, 3, django_capture_on_commit_callbacks)
    assert ask(fellow_client, 3, django_capture_on_commit_callbacks) == first
    old = CatalogueFile.objects.get()
    ProjectFactory(cohort=cohort, status=ProposalStatus.APPROVED, title="Newly approved")
    changed = ask(fellow_client, 3, django_capture_on_commit_callbacks)
    assert changed != first
    # The new PDF replaces the old one: its row and its file are gone.
    assert list(CatalogueFile.objects.values_list("state", flat=True)) == [FileJobState.DONE]
    assert not default_storage.exists(old.file.name)
    project = cohort.projects.get(title="Newly approved")
    project.status = ProposalStatus.WITHDRAWN
    project.save()
    assert ask(fellow_client, 3, django_capture_on_commit_callbacks) != changed


def test_a_finished_pdf_is_made_again_once_it_expires(
    fellow_client, cohort, django_capture_on_commit_callbacks
):
    first = ask(fellow_client, 3, django_capture_on_commit_callbacks)
    CatalogueFile.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert ask(fellow_client, 3, django_capture_on_commit_callbacks) != first


def test_each_filtered_list_has_its_own_pdf(
    fellow_client, cohort, django_capture_on_commit_callbacks
):
    london = RegionFactory(name="London")
    ProjectFactory(cohort=cohort, status=ProposalStatus.APPROVED, region=london)
    everything = ask(fellow_client, 3, django_capture_on_commit_callbacks)
    filtered = ask(fellow_client, 3, django_capture_on_commit_callbacks, {"region": london.pk})
    assert filtered != everything
    job = CatalogueFile.objects.get(filters=f"region={london.pk}")
    assert "matching London" in fellow_client.get(filtered).content.decode()
    assert job.state == FileJobState.DONE
    # A forged filter is ignored, as on the page: the whole list, which is already made.
    assert (
        ask(fellow_client, 3, django_capture_on_commit_callbacks, {"region": "nope"}) == everything
    )


def test_running_the_task_twice_stores_one_file(cohort, settings):
    job, _ = catalogue.request_catalogue_pdf(cohort, query=None, by=None)
    assert render_catalogue_pdf(file_id=job.pk) == FileJobState.DONE
    job.refresh_from_db()
    stored = job.file.name
    assert render_catalogue_pdf(file_id=job.pk) == FileJobState.DONE
    job.refresh_from_db()
    assert job.file.name == stored
    folder = settings.MEDIA_ROOT / "catalogues"
    assert [p.name for p in folder.iterdir()] == [stored.rsplit("/", 1)[1]]
    assert render_catalogue_pdf(file_id=job.pk + 100) is None  # gone: nothing to do


def test_a_failed_pdf_says_so_and_can_be_asked_for_again(
    fellow_client, cohort, settings, tmp_path, django_capture_on_commit_callbacks
):
    media = settings.MEDIA_ROOT
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("the storage cannot write under a file")
    settings.MEDIA_ROOT = blocked
    page = ask(fellow_client, 3, django_capture_on_commit_callbacks)
    job = CatalogueFile.objects.get()
    assert job.state == FileJobState.FAILED and not job.file
    html = fellow_client.get(page).content.decode()
    assert "The PDF could not be made" in html and "Try again" in html
    assert (
        fellow_client.get(reverse("catalogue_file_download", args=[3, job.pk])).status_code == 404
    )

    settings.MEDIA_ROOT = media  # the storage is back
    again = ask(fellow_client, 3, django_capture_on_commit_callbacks)
    assert again != page
    job = CatalogueFile.objects.get()  # the failed one is replaced by the PDF that was made
    assert job.state == FileJobState.DONE and again.endswith(f"/{job.pk}/")
