"""Service functions and notifications of the programme core."""

from __future__ import annotations

import os

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from fellowship import services
from fellowship.enums import FellowStatus, Role
from fellowship.models import Fellow, RoleGrant

from ..factories import CohortFactory, FunderFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_granting_a_role_twice_sends_one_email(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.grant_role(user, Role.SUPERVISOR, by=None)
        services.grant_role(user, Role.SUPERVISOR, by=None)
    assert RoleGrant.objects.filter(user=user).count() == 1
    assert len(mail.outbox) == 1
    assert user.has_role(Role.SUPERVISOR)


def test_funder_role_must_name_a_funder_and_others_must_not():
    user = UserFactory()
    with pytest.raises(ValidationError):
        services.grant_role(user, Role.FUNDER, by=None)
    with pytest.raises(ValidationError):
        services.grant_role(user, Role.FACULTY, by=None, funder=FunderFactory())
    assert not RoleGrant.objects.exists()


def test_a_person_can_act_for_two_funders():
    user = UserFactory()
    one, two = FunderFactory(), FunderFactory()
    services.grant_role(user, Role.FUNDER, by=None, funder=one)
    services.grant_role(user, Role.FUNDER, by=None, funder=two)
    assert user.funder_ids == {one.pk, two.pk}


def test_no_email_when_the_change_is_rolled_back(django_capture_on_commit_callbacks):
    from django.db import transaction

    user = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.grant_role(user, Role.PANELLIST, by=None)
        raise RuntimeError("something later failed")
    assert mail.outbox == []


def test_appoint_fellow_creates_the_place_grants_the_role_and_welcomes(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(full_name="Winifred Example")
    cohort, region = CohortFactory(number=4), RegionFactory(name="Wales")
    with django_capture_on_commit_callbacks(execute=True):
        fellow = services.appoint_fellow(
            user, cohort=cohort, ref="A-4001", region=region, profession="pharmacy", by=None
        )
    assert fellow.status == FellowStatus.IN_POST and fellow.full_name == "Winifred Example"
    assert user.has_role(Role.FELLOW)
    assert "Welcome to Cohort 4" in mail.outbox[0].subject
    with pytest.raises(ValidationError):
        services.appoint_fellow(
            user, cohort=cohort, ref="A-4002", region=region, profession="pharmacy", by=None
        )
    assert Fellow.objects.count() == 1


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis broker (REDIS_URL)")
@pytest.mark.django_db(transaction=True)  # the worker reads the outbox row once it is committed
def test_email_goes_through_a_real_celery_worker_and_redis(settings):
    """With a broker configured, notifications travel from the outbox through Redis to a worker."""
    from celery.contrib.testing.worker import start_worker

    from fellowship.celery import app
    from fellowship.notifications import send_rendered

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            send_rendered("test", to=["a@example.org"], subject="Hello", body="Body")
            _wait_for_outbox()
    finally:
        app.conf.task_always_eager = True
    assert [m.subject for m in mail.outbox] == ["Hello"]


def _wait_for_outbox(timeout: float = 20) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.mark.parametrize(
    ("full_name", "greeting"),
    [
        ("Dr Nadia Farrow", "Nadia"),
        ("Prof. Celia Marchbank", "Celia"),
        ("Sam Whitlock", "Sam"),
        ("", "x@example.org"),
    ],
)
def test_greeting_uses_the_first_name_without_a_title(full_name, greeting):
    assert UserFactory(full_name=full_name, email="x@example.org").get_short_name() == greeting
