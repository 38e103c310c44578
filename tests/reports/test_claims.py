"""Every "benefit realised" sentence that makes a claim carries the condition it needs. Where the
report's figures fail it, the report's page flags the sentence and offers a data-true sentence,
and the report cannot be released until faculty rewrite it or confirm it (who and when recorded,
and printed in the appendix)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Role
from reports import services
from reports.defaults import CLAIMS
from reports.enums import ReportState
from reports.models import ClaimDecision, ReportJob
from reports.wording import check_claims, report_wording, save_wording

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, FunderFactory
from .drafts import BORNE_OUT, drawn_with_todays_words

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")

# For each claim, figures that fail its condition (the rest bear every claim out).
FAILING = {
    "o1.graduates.0": {"graduates": 0},
    "o1.recommend.0": {"recommend_strongly": [63, 100]},
    "o2.themes.0": {"themes_achieved": [["AI fundamentals", 100, 100], ["Regulation", 94, 100]]},
    "o2.themes.1": {"themes_apply": [["AI fundamentals", 79, 100]]},
    "o2.components.0": {"components": [["Workshops", 9, 10], ["Reading", 5, 10]]},
    "o3.domains.0": {"domains": 2},
    "o4.non_medics.0": {"non_medic_fellows": 0},
    "o5.showcases.0": {"regional_showcases": 0},
    "o5.mentoring.0": {"mentor_pairs": 0},
    "o6.publications.0": {"publications": 5, "publications_with_academics": 0},
    "o6.showcases.0": {"regional_showcases": 0},
    "o6.industry.0": {"industry_speakers": 0},
    "o6.regulators.0": {"regulator_speakers": 0},
    "o7.growth.0": {"growth": [[1, 11, 2], [2, 9, 2]]},
    "o8.supervisors.0": {"alumni_supervisors": 0},
    "o8.onward.0": {"onward_fellows": 0},
}


def flagged_keys(figures) -> set[str]:
    return {c["key"] for c in check_claims(figures, report_wording())}


def test_every_claim_has_a_failing_case_here():
    assert set(FAILING) == {c.key for c in CLAIMS}


def test_figures_that_bear_out_every_claim_flag_none():
    assert flagged_keys(BORNE_OUT) == set()


@pytest.mark.parametrize("key", sorted(FAILING))
def test_a_claim_whose_condition_fails_is_flagged_with_a_data_true_sentence(key):
    figures = {**BORNE_OUT, **FAILING[key]}
    claims = {c["key"]: c for c in check_claims(figures, report_wording())}
    assert key in claims
    claim = claims[key]
    assert claim["sentence"] and claim["condition"] and claim["figure"] and claim["data_true"]
    assert claim["data_true"] != claim["sentence"]
    assert not claim["resolved"]


def test_the_papers_examples_are_flagged_beside_their_figures():
    figures = {
        **BORNE_OUT,
        "themes_achieved": [["AI fundamentals", 94, 100]],
        "recommend_strongly": [63, 100],
        "publications": 5,
        "publications_with_academics": 0,
        "industry_speakers": 0,
    }
    claims = {c["key"]: c for c in check_claims(figures, report_wording())}
    assert claims["o2.themes.0"]["sentence"].startswith("Fellows universally achieved")
    assert "94%" in claims["o2.themes.0"]["figure"]
    assert (
        "94%" in claims["o2.themes.0"]["data_true"]
        and "universally" not in claims["o2.themes.0"]["data_true"]
    )
    assert "overwhelming majority" in claims["o1.recommend.0"]["sentence"]
    assert "63%" in claims["o1.recommend.0"]["data_true"]
    assert claims["o6.publications.0"]["figure"] == "0 of 5 publications have academic co-authors"
    assert "No industry speakers" in claims["o6.industry.0"]["data_true"]


@pytest.mark.parametrize(
    ("strongly", "flagged"),
    [((80, 100), False), ((79, 100), True), ((4, 5), False), ((0, 0), True)],
)
def test_overwhelming_majority_needs_at_least_80_percent(strongly, flagged):
    assert (
        "o1.recommend.0" in flagged_keys({**BORNE_OUT, "recommend_strongly": list(strongly)})
    ) is flagged


def test_universally_needs_every_theme_at_100_percent():
    assert "o2.themes.0" not in flagged_keys(
        {**BORNE_OUT, "themes_achieved": [["A", 7, 7], ["B", 3, 3]]}
    )
    assert "o2.themes.0" in flagged_keys(
        {**BORNE_OUT, "themes_achieved": [["A", 7, 7], ["B", 2, 3]]}
    )
    assert "o2.themes.0" in flagged_keys({**BORNE_OUT, "themes_achieved": []})  # nobody answered


def test_a_claim_faculty_reworded_for_every_report_is_theirs_and_not_flagged():
    faculty = make_person(Role.FACULTY)
    save_wording(
        6,
        stakeholders="",
        benefit={"industry": "Industry talks are planned for next year."},
        notes="",
        by=faculty,
    )
    assert "o6.industry.0" not in flagged_keys({**BORNE_OUT, "industry_speakers": 0})


def test_figures_missing_from_an_old_report_flag_the_claim_rather_than_crash():
    assert "o2.themes.0" in flagged_keys({})


# On a report ----------------------------------------------------------------------------------


@pytest.fixture
def draft():
    """A finished, unreleased report whose figures fail two claims."""
    cohort = CohortFactory(number=1)
    funder = FunderFactory()
    FellowFactory(cohort=cohort, funder=funder)
    job = ReportJob.objects.create(
        cohort=cohort,
        suppress_below=5,
        state=ReportState.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
    job.pdf.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    failing = {**BORNE_OUT, **FAILING["o2.themes.0"], **FAILING["o6.industry.0"]}
    return drawn_with_todays_words(job, failing)


@pytest.fixture
def faculty():
    return make_person(Role.FACULTY, full_name="Fran Faculty")


def test_release_is_refused_while_a_flagged_claim_is_neither_rewritten_nor_confirmed(
    draft, faculty
):
    with pytest.raises(services.ReleaseRefused, match="2 claims must be rewritten or confirmed"):
        services.release_report(draft, by=faculty)
    services.resolve_claim(
        draft, "o2.themes.0", text="Most fellows achieved every theme.", by=faculty
    )
    with pytest.raises(services.ReleaseRefused, match="1 claim must"):
        services.release_report(draft, by=faculty)
    draft.refresh_from_db()
    assert draft.released_at is None and draft.release_requested_at is None
    assert draft.state == ReportState.DONE


def test_release_after_rewrite_and_confirmation_prints_them_and_records_who_and_when(faculty):
    cohort = CohortFactory(number=1)
    FellowFactory(cohort=cohort)  # no survey, speakers or publications: many claims fail
    job, _ = services.request_report(cohort, suppress_below=5, by=faculty)
    services.run_report(job.pk)
    job.refresh_from_db()
    flagged = [c["key"] for c in services.unresolved_claims(job)]
    assert {"o2.themes.0", "o6.industry.0", "o6.publications.0"} <= set(flagged)
    services.resolve_claim(
        job, "o2.themes.0", text="Most fellows achieved every theme.", by=faculty
    )
    for key in flagged[1:] if flagged[0] == "o2.themes.0" else flagged:
        if key != "o2.themes.0":
            services.resolve_claim(job, key, by=faculty)  # confirmed as it stands
    confirmation = ClaimDecision.objects.get(job=job, key="o6.industry.0")
    assert confirmation.confirmed and confirmation.decided_by == faculty and confirmation.decided_at
    assert confirmation.figure == "0 industry speakers"

    job = services.release_report(job, by=faculty)
    # The words changed since the draft was drawn: it is drawn again, then released.
    assert job.state == ReportState.QUEUED and job.released_at is None
    services.run_report(job.pk)
    job.refresh_from_db()
    assert job.state == ReportState.DONE and job.released_by == faculty and job.released_at
    claims = {c["key"]: c for c in job.built_from["claims"]}
    assert (
        claims["o6.industry.0"]["confirmed"] is True
        and claims["o6.industry.0"]["by"] == "Fran Faculty"
    )
    assert claims["o2.themes.0"]["text"] == "Most fellows achieved every theme."
    if PDFTOTEXT:
        text = subprocess.run(
            [PDFTOTEXT, job.pdf.path, "-"], capture_output=True, check=True
        ).stdout.decode()
        flat = " ".join(text.split())
        assert "Most fellows achieved every theme." in flat
        # The paper's sentence is left only in the appendix's record of the claim.
        assert flat.count("Fellows universally achieved") == 1
        assert "Claims checked against the figures" in flat
        assert "Confirmed by Fran Faculty" in flat


def test_only_faculty_resolve_claims_and_only_flagged_ones(draft, faculty):
    funder = make_person(Role.FUNDER)
    with pytest.raises(PermissionDenied):
        services.resolve_claim(draft, "o2.themes.0", by=funder)
    with pytest.raises(KeyError):
        services.resolve_claim(draft, "o3.domains.0", by=faculty)  # its figures bear it out
    with pytest.raises(KeyError):
        services.resolve_claim(draft, "o9.nothing.0", by=faculty)
    assert not ClaimDecision.objects.exists()


# The claim page ---------------------------------------------------------------------------------


def test_claim_page_offers_the_data_true_sentence_and_confirms(draft, faculty, login):
    client = login(faculty)
    url = reverse("report_claim", args=[draft.pk, "o6.industry.0"])
    page = client.get(url).content.decode()
    assert "Fellows learn from and network with key figures in the clinical AI industry." in page
    assert "No industry speakers are recorded at the workshops of these cohorts." in page
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert ClaimDecision.objects.get(job=draft, key="o6.industry.0").confirmed
    detail = client.get(reverse("report_detail", args=[draft.pk])).content.decode()
    assert "Confirmed" in detail and "To check" in detail  # the other claim is still to check


def test_an_empty_rewrite_gets_a_clear_message_and_changes_nothing(draft, faculty, login):
    client = login(faculty)
    url = reverse("report_claim", args=[draft.pk, "o2.themes.0"])
    response = client.post(url, {"rewrite": "1", "text": "   "})
    assert response.status_code == 400
    assert "Enter the sentence for this report" in response.content.decode()
    assert not ClaimDecision.objects.exists()


def test_a_rewrite_with_markup_is_stored_as_text(draft, faculty, login):
    client = login(faculty)
    url = reverse("report_claim", args=[draft.pk, "o2.themes.0"])
    client.post(
        url, {"rewrite": "1", "text": "<script>alert(1)</script> Most fellows achieved it."}
    )
    detail = client.get(reverse("report_detail", args=[draft.pk])).content.decode()
    assert "<script>alert(1)</script>" not in detail and "&lt;script&gt;" in detail


def test_claim_urls_edited_by_hand_are_refused(draft, faculty, login):
    client = login(faculty)
    assert client.get(reverse("report_claim", args=[draft.pk, "o3.domains.0"])).status_code == 404
    assert (
        client.post(
            reverse("report_claim", args=[draft.pk, "nonsense"]), {"confirm": "1"}
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("report_claim", args=[draft.pk + 100, "o2.themes.0"])).status_code == 404
    )
    for role in (Role.FUNDER, Role.FELLOW, Role.SUPERVISOR):
        response = login(make_person(role)).post(
            reverse("report_claim", args=[draft.pk, "o2.themes.0"]), {"confirm": "1"}
        )
        assert response.status_code == 403, role
    assert not ClaimDecision.objects.exists()


def test_claims_of_a_released_report_cannot_change(draft, faculty, login):
    for key in ("o2.themes.0", "o6.industry.0"):
        services.resolve_claim(draft, key, by=faculty)
    drawn_with_todays_words(draft, draft.built_from["figures"])
    draft.built_from = {
        **draft.built_from,
        "claims": services.claims_record(
            check_claims(
                draft.built_from["figures"],
                report_wording(),
                {d.key: d for d in draft.claim_decisions.all()},
            )
        ),
    }
    draft.save(update_fields=["built_from"])
    services.release_report(draft, by=faculty)
    draft.refresh_from_db()
    assert draft.released_at is not None  # drawn with these words: released at once
    with pytest.raises(services.ReportNotEditable):
        services.resolve_claim(draft, "o2.themes.0", text="Another sentence", by=faculty)
    response = login(faculty).post(
        reverse("report_claim", args=[draft.pk, "o2.themes.0"]), {"confirm": "1"}
    )
    assert response.status_code == 302
    assert ClaimDecision.objects.get(job=draft, key="o2.themes.0").text == ""
