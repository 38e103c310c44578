"""The reports app's figures for Prometheus: report jobs by state and how long finished ones took.

Registered with fellowship.hooks.metrics_collector and read from the database at each scrape; the
labels are job states only, never a cohort, a funder or a person.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum
from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily

from fellowship.hooks import metrics_collector

from .enums import ReportState
from .models import ReportJob


@metrics_collector
def report_jobs() -> Iterator:
    counts = dict(ReportJob.objects.values_list("state").annotate(n=Count("pk")).order_by())
    by_state = GaugeMetricFamily(
        "fellowship_report_jobs", "Benefits report jobs by state.", labels=["state"]
    )
    for state in ReportState.values:
        by_state.add_metric([state], counts.get(state, 0))
    yield by_state

    finished = ReportJob.objects.filter(
        state__in=(ReportState.DONE, ReportState.FAILED),
        started_at__isnull=False,
        finished_at__isnull=False,
    )
    durations = SummaryMetricFamily(
        "fellowship_report_job_duration_seconds",
        "Time from a worker starting a benefits report job to its end, by final state.",
        labels=["state"],
    )
    totals = {
        row["state"]: row
        for row in finished.values("state")
        .annotate(
            n=Count("pk"),
            total=Sum(
                ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
            ),
        )
        .order_by()
    }
    for state in (ReportState.DONE, ReportState.FAILED):
        row = totals.get(state, {})
        total = row.get("total")
        durations.add_metric(
            [state],
            count_value=row.get("n", 0),
            sum_value=total.total_seconds() if total else 0.0,
        )
    yield durations
