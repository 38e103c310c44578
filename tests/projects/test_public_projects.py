"""The public projects page: approved projects by cohort with only their non-personal fields, and
graduation posters only while their fellows' consent to publish them is current (the poster URL
re-checks it on every request); its queries do not grow with the number of projects or posters."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio import publishing
from portfolio.enums import WebsitePurpose
from projects.enums import ProposalStatus
from projects.models import Placement

from ..factories import CohortFactory, FellowFactory, ProjectFactory, complete_proposal
from ..factories.portfolio import PosterFactory, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

PAGE = "/projects/"


def page() -> str:
    response = Client().get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


def approved(title: str, cohort=None, **fields):
    project = complete_proposal(
        ProjectFactory(
            title=title, cohort=cohort or CohortFactory(number=2), status=ProposalStatus.APPROVED
        )
    )
    for name, value in fields.items():
        setattr(project, name, value)
    project.save()
    return project


def poster_of(project, title: str, *, consent: bool = True, pdf: bool = False):
    fellow = FellowFactory(cohort=project.cohort, full_name="Wanda Poster-Maker")
    Placement.objects.create(project=project, fellow=fellow)
    poster = PosterFactory(
        fellow=fellow,
        title=title,
        **(
            {"file": ContentFile(pdf_bytes(), name="poster.pdf"), "file_kind": "pdf"} if pdf else {}
        ),
    )
    if consent:
        publishing.give_website_consent(fellow, WebsitePurpose.POSTER, by=None)
    return poster


def test_approved_projects_appear_with_only_their_non_personal_fields():
    project = approved(
        "Chest X-ray triage",
        summary="Faster reporting of chest films",
        supervisor_name="Professor Hidden",
        clinical_safety_officer="Dr Safety Person",
        ig_lead="Ms Governance Person",
    )
    approved_draft = ProjectFactory(title="Draft idea", cohort=project.cohort)
    declined = ProjectFactory(
        title="Declined idea", cohort=project.cohort, status=ProposalStatus.DECLINED
    )
    html = page()
    assert "Chest X-ray triage" in html and "Faster reporting of chest films" in html
    assert project.host_organisation.name in html and "Radiology" in html
    for hidden in (
        approved_draft.title,
        declined.title,
        "Professor Hidden",
        "Dr Safety Person",
        "Ms Governance Person",
        project.supervisor.email,
        project.ref,
    ):
        assert hidden not in html


def test_poster_without_website_consent_is_absent_and_its_url_404s():
    project = approved("Sepsis alerts")
    poster = poster_of(project, "Sepsis poster", consent=False)
    assert "Sepsis poster" not in page()
    assert Client().get(reverse("public_poster_file", args=[poster.pk])).status_code == 404


def test_published_poster_is_shown_and_served_until_consent_is_withdrawn():
    project = approved("Stroke imaging")
    poster = poster_of(project, "Stroke poster")
    url = reverse("public_poster_file", args=[poster.pk])
    html = page()
    assert "Stroke poster" in html and url in html
    assert "Wanda Poster-Maker" not in html  # the poster, not the person
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    assert "no-store" in response["Cache-Control"]

    publishing.withdraw_website_consent(poster.fellow, WebsitePurpose.POSTER, by=None)
    assert "Stroke poster" not in page()
    assert Client().get(url).status_code == 404


def test_consent_to_show_a_profile_does_not_publish_the_poster():
    poster = poster_of(approved("Retinal screening"), "Retina poster", consent=False)
    publishing.give_website_consent(poster.fellow, WebsitePurpose.PUBLIC_PROFILE, by=None)
    assert "Retina poster" not in page()
    assert Client().get(reverse("public_poster_file", args=[poster.pk])).status_code == 404


def test_a_pdf_poster_is_sent_as_a_download():
    poster = poster_of(approved("Pathology slides"), "Pathology poster", pdf=True)
    response = Client().get(reverse("public_poster_file", args=[poster.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


def test_anonymous_visitors_get_a_shared_cacheable_page(login):
    response = Client().get(PAGE)
    assert "public" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    from ..conftest import make_person

    response = login(make_person()).get(PAGE)
    assert response.status_code == 200
    assert "public" not in response["Cache-Control"] and "private" in response["Cache-Control"]


def _queries() -> int:
    with CaptureQueriesContext(connection) as ctx:
        page()
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_projects_or_posters():
    poster_of(approved("First project"), "First poster")
    one = _queries()
    for n in range(4):
        cohort = CohortFactory(number=5 + n % 2)
        poster_of(approved(f"Project {n}", cohort=cohort), f"Poster {n}")
        approved(f"Unplaced project {n}", cohort=cohort)
    assert _queries() == one
