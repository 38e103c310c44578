"""Finished report drafts for tests that are about who sees a report, not how it is drawn: a
stored draft whose figures bear out every claim and whose files were drawn with today's words,
so releasing it through the service releases it at once (no second render)."""

from __future__ import annotations

from reports import services
from reports.models import ReportJob
from reports.wording import report_wording

# Key figures (`reports.wording.key_figures`) that meet every claim's condition.
BORNE_OUT = {
    "cohort": 1,
    "cohorts": [1],
    "fellows": 10,
    "graduates": 5,
    "in_post": 5,
    "survey_responses": 5,
    "recommend_strongly": [5, 5],
    "recommend_any": [5, 5],
    "themes_achieved": [["AI fundamentals", 5, 5]],
    "themes_apply": [["AI fundamentals", 5, 5]],
    "components": [["Workshops", 5, 5]],
    "matched_projects": 4,
    "host_organisations": 3,
    "domains": 3,
    "non_medic_fellows": 1,
    "non_medic_share": "10% (1/10)",
    "regional_showcases": 1,
    "mentor_pairs": 1,
    "publications": 2,
    "publications_with_academics": 1,
    "industry_speakers": 1,
    "regulator_speakers": 1,
    "growth": [[1, 4, 2], [2, 6, 3]],
    "alumni_supervisors": 1,
    "onward_fellows": 1,
}


def drawn_with_todays_words(job: ReportJob, figures: dict | None = None) -> ReportJob:
    """Record on a stored draft that it was drawn from `figures` with today's words, as the
    report job records it."""
    figures = figures or BORNE_OUT
    job.built_from = {
        **job.built_from,
        "figures": figures,
        "sections": {},
        "claims": [],
        "wording": report_wording(),
        "changes": services.changes_since_last_report(job, figures),
    }
    job.save(update_fields=["built_from"])
    return job


def release(job: ReportJob, *, by) -> ReportJob:
    """Release a stored draft through the service, as faculty do from its page."""
    drawn_with_todays_words(job)
    services.release_report(job, by=by)
    job.refresh_from_db()
    assert job.released_at is not None
    return job


def confirm_and_release(job: ReportJob, *, by, timeout: float = 120) -> ReportJob:
    """Release a report drawn for real: faculty confirm each claim its figures do not bear out,
    then release it; the release render runs here if no worker has taken it first."""
    import time

    job.refresh_from_db()
    for claim in services.unresolved_claims(job):
        services.resolve_claim(job, claim["key"], by=by)
    services.release_report(job, by=by)
    services.run_report(job.pk)
    deadline = time.monotonic() + timeout
    job.refresh_from_db()
    while job.released_at is None and time.monotonic() < deadline:
        time.sleep(0.5)
        job.refresh_from_db()
    assert job.released_at is not None, job.built_from.get("release_refused", job.state)
    return job
