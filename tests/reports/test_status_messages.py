"""The report page says what the job's state is, and only that: "ready" beside Done, "waiting"
beside Queued, progress while rendering, the reason when it failed; never "being prepared" once
the report is done."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.enums import ReportState
from reports.models import ReportJob

from ..factories import CohortFactory

pytestmark = pytest.mark.django_db

MESSAGES = {
    ReportState.QUEUED: "Your report is waiting to be prepared.",
    ReportState.RENDERING: "Reading the records (40% done).",
    ReportState.DONE: "Your report is ready.",
    ReportState.FAILED: "The report could not be prepared",
}


@pytest.mark.parametrize("state", list(ReportState))
def test_the_report_page_shows_the_message_of_its_own_state(faculty_client, state):
    finished = state in (ReportState.DONE, ReportState.FAILED)
    job = ReportJob.objects.create(
        cohort=CohortFactory(number=2),
        suppress_below=5,
        state=state,
        progress=40,
        step="Reading the records",
        failure_reason="The worker stopped" if state == ReportState.FAILED else "",
        finished_at=timezone.now() if finished else None,
    )
    page = faculty_client.get(reverse("report_detail", args=[job.pk])).content.decode()
    page = re.sub(r"<[^>]+>", "", page)  # the words as read, without the markup around them
    assert MESSAGES[state] in page
    for other, message in MESSAGES.items():
        if other != state:
            assert message not in page
    assert "being prepared" not in page


def test_requesting_a_report_that_finishes_at_once_never_says_it_is_being_prepared(
    faculty_client, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = faculty_client.post(reverse("report_request"), {"cohort": cohort.pk})
    job = ReportJob.objects.get()
    assert job.state == ReportState.DONE
    page = faculty_client.get(response["Location"]).content.decode()
    assert "You requested the report" in page
    assert "Your report is ready." in page
    assert "being prepared" not in page
