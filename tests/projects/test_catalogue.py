"""The catalogue of approved projects per cohort, as a page and a PDF: only approved projects,
filters by region, domain and funder theme, who may browse it, and alumni supervisors tagged."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fellowship.enums import FellowStatus
from projects.enums import AIModality, ProposalStatus
from projects.models import ClinicalDomain

from ..factories import (
    CohortFactory,
    FellowFactory,
    OrganisationFactory,
    ProjectFactory,
    RegionFactory,
)
from .test_catalogue_pdf import get_pdf

pytestmark = pytest.mark.django_db


def approved(cohort, **fields):
    fields.setdefault("region", RegionFactory(name="North West"))
    fields.setdefault("clinical_domain", ClinicalDomain.objects.get(name="Radiology"))
    fields.setdefault("host_organisation", OrganisationFactory())
    fields.setdefault("ai_modality", AIModality.IMAGING)
    fields.setdefault("summary", "A short summary of the project.")
    return ProjectFactory(cohort=cohort, status=ProposalStatus.APPROVED, **fields)


@pytest.fixture
def cohort():
    return CohortFactory(number=3)


@pytest.fixture
def listed(cohort):
    """Three approved projects of cohort 3 that differ in region, domain and theme."""
    return {
        "radiology": approved(
            cohort, title="Chest X-ray triage", region=RegionFactory(name="London")
        ),
        "haematology": approved(
            cohort,
            title="Blood film classifier",
            clinical_domain=ClinicalDomain.objects.get(name="Haematology"),
            funder_theme="Haematology",
            capacity=2,
        ),
        "oncology": approved(
            cohort,
            title="Radiotherapy contouring",
            clinical_domain=ClinicalDomain.objects.get(name="Oncology"),
        ),
    }


def titles(response) -> set[str]:
    return {p.title for p in response.context["projects"]}


def test_catalogue_lists_only_the_cohorts_approved_projects(faculty_client, cohort, listed):
    for status in (
        ProposalStatus.DRAFT,
        ProposalStatus.SUBMITTED,
        ProposalStatus.REVISE,
        ProposalStatus.DECLINED,
        ProposalStatus.WITHDRAWN,
    ):
        ProjectFactory(cohort=cohort, status=status, title=f"Not listed {status}")
    approved(CohortFactory(number=4), title="Another cohort's project")
    response = faculty_client.get(reverse("catalogue", args=[3]))
    assert response.status_code == 200
    assert titles(response) == {
        "Chest X-ray triage",
        "Blood film classifier",
        "Radiotherapy contouring",
    }
    html = response.content.decode()
    assert "Not listed" not in html
    assert "Another cohort" not in html
    assert "Blood film classifier" in html and "Haematology" in html
    assert "Fellows it can host" in html


def test_catalogue_filters_by_region_domain_and_theme(fellow_client, listed):
    url = reverse("catalogue", args=[3])
    region = listed["radiology"].region
    assert titles(fellow_client.get(url, {"region": region.pk})) == {"Chest X-ray triage"}
    domain = ClinicalDomain.objects.get(name="Oncology")
    assert titles(fellow_client.get(url, {"clinical_domain": domain.pk})) == {
        "Radiotherapy contouring"
    }
    assert titles(fellow_client.get(url, {"theme": "Haematology"})) == {"Blood film classifier"}
    north_west = listed["oncology"].region
    radiology = ClinicalDomain.objects.get(name="Radiology")
    assert (
        titles(fellow_client.get(url, {"region": north_west.pk, "clinical_domain": radiology.pk}))
        == set()
    )


def test_filters_offer_only_what_the_catalogue_holds(fellow_client, listed):
    approved(
        CohortFactory(number=4), region=RegionFactory(name="South West"), funder_theme="Cardiology"
    )
    form = fellow_client.get(reverse("catalogue", args=[3])).context["filters"]
    assert {r.name for r in form.fields["region"].queryset} == {"London", "North West"}
    assert [value for value, _ in form.fields["theme"].choices] == ["", "Haematology"]


def test_unknown_cohort_is_not_found(faculty_client):
    assert faculty_client.get(reverse("catalogue", args=[99])).status_code == 404


@pytest.mark.parametrize("role", ["faculty", "fellow", "alumnus", "supervisor"])
def test_catalogue_is_open_to_the_programme(request, role, listed):
    client = request.getfixturevalue(f"{role}_client")
    assert client.get(reverse("catalogue", args=[3])).status_code == 200
    assert client.post(reverse("catalogue_pdf", args=[3])).status_code == 302


@pytest.mark.parametrize("role", ["applicant", "outsider", "panellist", "funder"])
def test_catalogue_is_closed_to_others(request, role, listed):
    client = request.getfixturevalue(f"{role}_client")
    assert client.get(reverse("catalogue", args=[3])).status_code == 403
    assert client.post(reverse("catalogue_pdf", args=[3])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, listed):
    assert client.get(reverse("catalogue", args=[3])).status_code == 302


def test_supervisors_get_no_link_to_other_supervisors_proposals(login, person, cohort, listed):
    supervisor = person("supervisor")
    own = approved(cohort, title="My own project", supervisor=supervisor)
    html = login(supervisor).get(reverse("catalogue", args=[3])).content.decode()
    assert reverse("proposal_detail", args=[own.ref]) in html
    assert reverse("proposal_detail", args=[listed["radiology"].ref]) not in html


def test_alumnus_supervisors_are_tagged(fellow_client, person, cohort):
    alumnus = person("alumnus", "supervisor")
    FellowFactory(user=alumnus, status=FellowStatus.GRADUATED)
    in_post = person("fellow", "supervisor")
    FellowFactory(user=in_post, status=FellowStatus.IN_POST)
    historic = FellowFactory(ref="F-0042", status=FellowStatus.GRADUATED)
    approved(cohort, title="By an alumnus", supervisor=alumnus)
    approved(cohort, title="By a fellow in post", supervisor=in_post)
    approved(cohort, title="From the history", supervisor=None, supervisor_name=historic.ref)
    approved(cohort, title="By someone else")
    projects = {
        p.title: p for p in fellow_client.get(reverse("catalogue", args=[3])).context["projects"]
    }
    flagged = {title for title, p in projects.items() if p.alumnus_supervisor}
    assert flagged == {"By an alumnus", "From the history"}
    # The annotation agrees with the model's own property.
    assert all(p.alumnus_supervisor == p.supervisor_is_alumnus for p in projects.values())


def test_catalogue_uses_a_fixed_number_of_queries(fellow_client, cohort):
    url = reverse("catalogue", args=[3])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert fellow_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    approved(cohort, funder_theme="Haematology")
    few = queries()
    for n in range(5):
        approved(
            cohort,
            region=RegionFactory(name=f"Region {n}"),
            funder_theme=f"Theme {n}",
            host_organisation=OrganisationFactory(),
        )
    assert queries() == few


# The PDF (made in the background: tests/projects/test_catalogue_pdf.py) -------------------------


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_pdf_is_an_a4_attachment_of_the_catalogue(fellow_client, listed, tmp_path, capture):
    response = get_pdf(fellow_client, 3, capture)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="project-catalogue-cohort-3.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = _pdf_text(pdf, tmp_path)
        for project in listed.values():
            assert project.title in text
        assert "Page 1 of" in text
        assert "Project catalogue, cohort 3" in text


def test_pdf_applies_the_same_filters(fellow_client, listed, tmp_path, capture):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    response = get_pdf(fellow_client, 3, capture, {"theme": "Haematology"})
    text = _pdf_text(b"".join(response.streaming_content), tmp_path)
    assert "Blood film classifier" in text
    assert "Chest X-ray triage" not in text


def test_a_long_catalogue_runs_over_pages_with_numbers(fellow_client, cohort, tmp_path, capture):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    for n in range(40):
        approved(cohort, title=f"Project number {n}", summary="A longer summary of the work. " * 8)
    response = get_pdf(fellow_client, 3, capture)
    text = _pdf_text(b"".join(response.streaming_content), tmp_path)
    assert "Page 2 of" in text
    assert "Project number 39" in text


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "catalogue.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [shutil.which("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return result.stdout


def test_fellows_navigation_links_to_their_own_cohorts_catalogue(fellow_client, role_users, cohort):
    from tests.factories import FellowFactory

    CohortFactory(number=9)  # a later cohort, still recruiting, is not theirs
    FellowFactory(user=role_users["fellow"], cohort=cohort)
    html = fellow_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("catalogue", args=[cohort.number])}"' in html
    assert "Project catalogue" in html
