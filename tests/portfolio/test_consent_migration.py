"""The migration to consent records turns the yes/no answers kept on testimonials into consent
records dated when the testimonial was last saved, marked as worded before consent records."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ..factories import CohortFactory, FellowFactory

BEFORE = [("portfolio", "0001_initial")]
AFTER = [("portfolio", "0002_consent_records")]


@pytest.mark.django_db(transaction=True)
def test_earlier_answers_become_consent_records_dated_at_the_testimonial():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    cohort = CohortFactory(number=1)  # the core's tables are as they are today
    Testimonial = old.get_model("portfolio", "Testimonial")
    saved = datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)
    answers = {"named-published": (True, "named", True), "anonymous": (True, "anonymous", False),
               "private": (False, "anonymous", False)}  # fmt: skip
    for ref, (quote, credit, publish) in answers.items():
        fellow = FellowFactory(ref=ref, cohort=cohort)
        Testimonial.objects.create(
            fellow_id=fellow.pk, text="x", may_quote=quote, quote_as=credit, may_publish=publish,
            updated_at=saved,
        )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    Consent = executor.loader.project_state(AFTER).apps.get_model("portfolio", "Consent")
    rows = Consent.objects.order_by("testimonial__fellow__ref", "purpose")
    got = [(c.testimonial.fellow.ref, c.purpose, c.quote_as) for c in rows]
    assert got == [
        ("anonymous", "quote_in_reports", "anonymous"),
        ("named-published", "publish_on_website", ""),
        ("named-published", "quote_in_reports", "named"),
    ]
    assert {(c.given_at, c.wording_version, c.withdrawn_at) for c in rows} == {
        (saved, "before consent records", None)
    }

    # Back again: the answers return as they were.
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Testimonial = executor.loader.project_state(BEFORE).apps.get_model("portfolio", "Testimonial")
    back = {
        t.fellow.ref: (t.may_quote, t.quote_as, t.may_publish) for t in Testimonial.objects.all()
    }
    assert back == answers
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
