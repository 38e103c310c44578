"""The e-mail outbox: a message is a row written with the change that causes it, so a rolled-back
change sends nothing and a committed one is always sent, exactly once while the mail server
answers, whatever happens to the queue (Redis) in between: a lost task, a dead sender, a mail
server that is down for a while."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fellowship import outbox, privacy
from fellowship.models import OutboxMessage
from fellowship.notifications import notify

from ..conftest import make_person
from ..factories import ApplicationFactory

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def submitted_email(to="ada@example.org"):
    application = ApplicationFactory()
    notify(
        "application_submitted",
        to=to,
        context={"application": application, "user": application.applicant},
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def mail_server_down(settings):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2

    def back_up():
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    return back_up


def test_a_committed_change_sends_its_email_once_and_marks_it_sent(committed):
    with committed():
        submitted_email()
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts) == ("sent", 1) and message.sent_at is not None
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    # Asking again (a redelivered task, a sweep) sends nothing more.
    assert outbox.send_message(message.pk) is False
    assert outbox.sweep() == {"tried": 0, "sent": 0}
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_leaves_nothing_to_send(committed):
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        submitted_email()
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []
    assert outbox.sweep() == {"tried": 0, "sent": 0}


def test_a_task_lost_with_redis_is_sent_by_the_sweep(django_capture_on_commit_callbacks):
    # The row is committed but the task that would send it never runs (Redis restarted empty).
    with django_capture_on_commit_callbacks(execute=False):
        submitted_email()
    assert mail.outbox == []
    assert outbox.sweep() == {"tried": 1, "sent": 1}
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]


def test_a_message_being_sent_is_not_sent_again_until_its_senders_lease_runs_out():
    message = outbox.write("test", to=["a@example.org"], subject="Hello", body="Body")
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        state="sending", attempts=1, lease_until=now + outbox.LEASE
    )
    assert outbox.sweep() == {"tried": 0, "sent": 0}  # another sender holds it
    assert outbox.send_message(message.pk) is False
    OutboxMessage.objects.filter(pk=message.pk).update(lease_until=now - MINUTE)  # it died
    assert outbox.sweep() == {"tried": 1, "sent": 1}
    assert OutboxMessage.objects.get().attempts == 2 and len(mail.outbox) == 1


def test_a_mail_server_outage_is_retried_with_backoff_then_given_up_and_logged(
    mail_server_down, caplog
):
    message = outbox.write("test", to=["a@example.org"], subject="Hello", body="Body")
    waits = []
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        with caplog.at_level(logging.WARNING, logger="fellowship.outbox"):
            assert outbox.send_message(message.pk) is False
        row = OutboxMessage.objects.get()
        assert row.attempts == attempt and row.lease_until is None and row.last_error
        waits.append(round((row.next_attempt_at - before) / MINUTE))
    assert waits == [1, 2, 4, 8, 16, 32, 64, 120]
    assert OutboxMessage.objects.get().state == "failed"
    assert "NOT SENT after 8 attempts: test message" in caplog.text
    # Given up: the sweep leaves it (and the backlog shows it) until someone looks.
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - MINUTE)
    assert outbox.sweep() == {"tried": 0, "sent": 0}
    assert outbox.backlog() == {"waiting": 0, "sending": 0, "failed": 1}


def test_the_message_goes_once_the_mail_server_is_back(mail_server_down, committed):
    with committed():
        submitted_email()
    assert OutboxMessage.objects.get().state == "waiting" and mail.outbox == []
    mail_server_down()  # back up
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox.sweep() == {"tried": 1, "sent": 1}
    assert len(mail.outbox) == 1


def test_account_emails_go_through_the_outbox_too(client, committed):
    from django.urls import reverse

    user = make_person()
    with committed():
        client.post(reverse("account_reset_password"), {"email": user.email})
    message = OutboxMessage.objects.get()
    assert message.kind == "account:password_reset_key" and message.state == "sent"
    assert mail.outbox[0].to == [user.email]


def test_the_sweep_sends_at_most_a_batch_and_the_oldest_due_first():
    ids = [
        outbox.write("test", to=[f"p{i}@example.org"], subject=str(i), body="b").pk
        for i in range(5)
    ]
    assert outbox.sweep(limit=3) == {"tried": 3, "sent": 3}
    assert [m.subject for m in mail.outbox] == ["0", "1", "2"]
    assert outbox.sweep() == {"tried": 2, "sent": 2}
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"sent"}
    assert len(ids) == len(mail.outbox)


@hypothesis_settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["task", "sweep", "die", "fail"]), max_size=12))
def test_whatever_happens_in_between_each_message_is_delivered_exactly_once(events):
    """A message's task may run any number of times, sweeps come, a sender dies holding the
    lease, the mail server fails once: in the end the message is sent, and sent once."""
    from django.test import override_settings

    mail.outbox.clear()
    OutboxMessage.objects.all().delete()
    message = outbox.write("test", to=["a@example.org"], subject="Hello", body="Body")
    for event in events:
        if event == "task":
            outbox.send_message(message.pk)
        elif event == "sweep":
            OutboxMessage.objects.filter(state="waiting").update(next_attempt_at=timezone.now())
            outbox.sweep()
        elif event == "die":  # a sender claimed it and died before sending
            OutboxMessage.objects.filter(pk=message.pk, state="waiting").update(
                state="sending", lease_until=timezone.now() - MINUTE
            )
        elif event == "fail":
            with override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=9,
                EMAIL_TIMEOUT=1,
            ):
                outbox.send_message(message.pk)
    OutboxMessage.objects.filter(state="waiting").update(next_attempt_at=timezone.now())
    outbox.sweep()
    assert OutboxMessage.objects.get().state == "sent"
    assert len(mail.outbox) == 1


def test_retry_delays_double_from_a_minute_up_to_two_hours():
    assert [outbox.retry_delay(n) / MINUTE for n in range(1, 10)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        64,
        120,
        120,
    ]


def test_a_persons_copies_are_exported_and_erased_and_others_messages_stay(committed):
    from django.contrib.auth.models import Permission

    from fellowship.enums import Role

    person = make_person(Role.APPLICANT, email="zeph@example.org")
    with committed():
        outbox.write("test", to=["Zeph@example.org"], subject="Yours", body="For Zeph")
        outbox.write("test", to=["other@example.org"], subject="Theirs", body="For them")
        shared = outbox.write(
            "test", to=["zeph@example.org", "panel@example.org"], subject="Both", body="Panel"
        )
    exported = {part.name: part for part in privacy.parts(privacy.find_person(person.email))}
    assert [r["subject"] for r in exported["emails-sent"].records] == ["Yours", "Both"]

    officer = make_person(Role.FACULTY)
    officer.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    officer = type(officer).objects.get(pk=officer.pk)
    erasure = privacy.erase_person(
        privacy.find_person(person.email), by=officer, requested_by="the person"
    )
    assert erasure.counts["copies of e-mails removed"] == 2
    left = {m.subject: m.to for m in OutboxMessage.objects.all()}
    # The shared message was waiting: it still goes to the panel, without the erased address.
    assert left == {"Theirs": ["other@example.org"], "Both": ["panel@example.org"]}
    assert shared.pk in OutboxMessage.objects.values_list("pk", flat=True)
