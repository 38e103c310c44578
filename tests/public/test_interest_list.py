"""The interest list: sign up, confirm the address with the e-mailed link, hear once per round
however often the task runs, leave with the link in the e-mail; and what an attacker cannot do
(confirm someone else's address, alter or reuse a link, flood an inbox, learn who is listed)."""

from __future__ import annotations

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from fellowship import retention
from fellowship.models import InterestSignup, OutboxMessage
from fellowship.public.services import (
    CONFIRMATION_SALT,
    announce_open_rounds,
    confirmation_token,
    sign_up_for_interest,
)
from fellowship.tasks import announce_open_rounds as announce_task

from ..factories.recruitment import RoundFactory

pytestmark = pytest.mark.django_db


def sign_up(client, email):
    return client.post(reverse("interest_signup"), {"email": email})


def announcements():
    return OutboxMessage.objects.filter(kind="interest_round_open")


def confirmations(email=None):
    messages = OutboxMessage.objects.filter(kind="interest_confirm").order_by("pk")
    return messages.filter(recipients=email) if email else messages


def confirm_path(message) -> str:
    """The path of the confirmation link in an e-mail."""
    return re.search(r"https?://[^/\s]+(/interest/confirm/[^\s]+/)", message.body).group(1)


def confirmed(**fields):
    return InterestSignup.objects.create(confirmed_at=timezone.now(), **fields)


def main(response) -> str:
    return response.content.decode().split("<main", 1)[1]


def test_visitor_signs_up_unconfirmed_and_is_sent_a_link(client):
    response = sign_up(client, "ada@example.nhs.uk")
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    signup = InterestSignup.objects.get()
    assert signup.email == "ada@example.nhs.uk"
    assert signup.confirmed_at is None and signup.confirmation_sent_at is not None
    (message,) = confirmations()
    assert message.recipients == "ada@example.nhs.uk"
    assert "Confirm your e-mail address" in message.subject
    assert "1 month" in message.body  # how long an unconfirmed address is kept, from the policy
    assert "ada" not in confirm_path(message)  # the link does not carry the address


def test_the_link_asks_then_confirms_and_only_then_does_the_address_hear_of_a_round(client):
    sign_up(client, "ada@example.nhs.uk")
    url = confirm_path(confirmations().get())
    RoundFactory()
    assert announce_open_rounds() == 0  # not confirmed yet

    page = client.get(url)  # what a mail scanner opening the link would do
    assert page.status_code == 200
    assert "Confirm my address" in page.content.decode()
    assert "no-store" in page["Cache-Control"]  # its secret is in the address
    assert InterestSignup.objects.get().confirmed_at is None

    done = client.post(url)
    assert done.status_code == 200
    assert "You are on the list" in done.content.decode()
    assert InterestSignup.objects.get().confirmed_at is not None
    assert announce_open_rounds() == 1
    assert announcements().get().recipients == "ada@example.nhs.uk"


def test_confirming_twice_changes_nothing(client):
    sign_up(client, "ada@example.nhs.uk")
    url = confirm_path(confirmations().get())
    client.post(url)
    first = InterestSignup.objects.get().confirmed_at
    assert client.post(url).status_code == 200
    assert InterestSignup.objects.get().confirmed_at == first


def test_a_link_works_for_seven_days_and_not_after(client):
    signup = InterestSignup.objects.create(email="ada@example.nhs.uk")
    now = timezone.now()
    old = reverse(
        "interest_confirm",
        args=[confirmation_token(signup, now=now - datetime.timedelta(days=7, minutes=1))],
    )
    recent = reverse(
        "interest_confirm",
        args=[confirmation_token(signup, now=now - datetime.timedelta(days=6, hours=23))],
    )

    response = client.post(old)
    assert response.status_code == 404
    assert "This link has expired" in response.content.decode()
    assert client.get(old).status_code == 404
    assert InterestSignup.objects.get().confirmed_at is None

    assert client.post(recent).status_code == 200
    assert InterestSignup.objects.get().confirmed_at is not None


def test_an_altered_link_confirms_nothing(client):
    sign_up(client, "ada@example.nhs.uk")
    token = confirm_path(confirmations().get()).split("/")[-2]
    payload, signature = token.rsplit(":", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for bad in (f"{payload}:{flipped}", payload, f"x{token}", "no-such-token"):
        response = client.post(reverse("interest_confirm", args=[bad]))
        assert response.status_code == 404, bad
        assert "This link does not work" in response.content.decode()
    assert InterestSignup.objects.get().confirmed_at is None


def test_a_link_cannot_be_turned_into_another_address_s_link(client):
    victim = InterestSignup.objects.create(email="victim@example.nhs.uk")
    sign_up(client, "mallory@example.nhs.uk")
    token = confirm_path(confirmations("mallory@example.nhs.uk").get()).split("/")[-2]
    value = signing.Signer(salt=CONFIRMATION_SALT).unsign_object(token)
    _, signature = token.rsplit(":", 1)
    # The same signature on a payload naming the victim's signup.
    forged_payload = signing.b64_encode(
        signing.JSONSerializer().dumps({**value, "s": victim.pk})
    ).decode()
    # A payload signed with another key, or for another purpose of the service.
    other_key = signing.Signer(key="not-the-secret-key", salt=CONFIRMATION_SALT).sign_object(
        {**value, "s": victim.pk}
    )
    other_purpose = signing.Signer(salt="another-purpose").sign_object({**value, "s": victim.pk})
    for bad in (f"{forged_payload}:{signature}", other_key, other_purpose, victim.token):
        assert client.post(reverse("interest_confirm", args=[bad])).status_code == 404
    victim.refresh_from_db()
    assert victim.confirmed_at is None


def test_a_link_dies_with_its_signup_even_if_a_new_one_gets_the_same_id(client):
    sign_up(client, "ada@example.nhs.uk")
    old_id = InterestSignup.objects.get().pk
    url = confirm_path(confirmations().get())
    InterestSignup.objects.all().delete()  # left the list, or removed by retention
    InterestSignup.objects.create(pk=old_id, email="someone-else@example.nhs.uk")
    assert client.post(url).status_code == 404
    assert InterestSignup.objects.get(pk=old_id).confirmed_at is None


def test_signing_up_again_resends_the_link_at_most_once_an_hour():
    start = timezone.now()
    for minutes in (0, 1, 30, 59):
        sign_up_for_interest(
            email="Ada@example.nhs.uk", now=start + datetime.timedelta(minutes=minutes)
        )
    assert confirmations().count() == 1
    sign_up_for_interest(email="ada@example.nhs.uk", now=start + datetime.timedelta(minutes=60))
    assert confirmations().count() == 2
    sign_up_for_interest(email="ada@example.nhs.uk", now=start + datetime.timedelta(minutes=90))
    assert confirmations().count() == 2
    assert InterestSignup.objects.count() == 1


def test_an_earlier_link_still_works_after_a_resend(client):
    start = timezone.now() - datetime.timedelta(hours=2)
    sign_up_for_interest(email="ada@example.nhs.uk", now=start)
    sign_up_for_interest(email="ada@example.nhs.uk")
    first, second = confirmations()
    assert confirm_path(first) != confirm_path(second)
    assert client.post(confirm_path(first)).status_code == 200
    assert InterestSignup.objects.get().confirmed_at is not None


def test_a_confirmed_address_signing_up_again_is_sent_nothing(client):
    confirmed(email="ada@example.nhs.uk")
    sign_up(client, "ada@example.nhs.uk")
    assert not confirmations().exists()
    assert InterestSignup.objects.get().confirmed_at is not None


def test_the_page_is_the_same_whether_the_address_is_new_waiting_or_confirmed(client):
    confirmed(email="listed@example.nhs.uk")
    InterestSignup.objects.create(
        email="waiting@example.nhs.uk", confirmation_sent_at=timezone.now()
    )
    responses = [
        sign_up(client, address)
        for address in ("new@example.nhs.uk", "waiting@example.nhs.uk", "listed@example.nhs.uk")
    ]
    assert {r.status_code for r in responses} == {200}
    assert len({main(r) for r in responses}) == 1
    assert len({tuple(sorted(r.cookies)) for r in responses}) == 1


def test_signing_up_twice_keeps_one_row_and_says_the_same(client):
    first = sign_up(client, "ada@example.nhs.uk")
    second = sign_up(client, "ADA@example.nhs.uk")
    assert InterestSignup.objects.count() == 1
    assert main(first) == main(second)
    assert confirmations().count() == 1


@pytest.mark.parametrize(
    ("email", "error"),
    [("", "Enter your email address"), ("not-an-address", "in the correct format")],
)
def test_a_bad_address_is_refused_with_a_clear_error(client, email, error):
    response = sign_up(client, email)
    assert error in response.content.decode()
    assert not InterestSignup.objects.exists()
    assert not confirmations().exists()


def test_many_signups_from_one_address_are_rate_limited(client):
    for n in range(10):
        assert sign_up(client, f"person{n}@example.nhs.uk").status_code == 200
    assert sign_up(client, "one-too-many@example.nhs.uk").status_code == 429
    assert InterestSignup.objects.count() == 10
    assert confirmations().count() == 10


def test_round_opening_emails_each_confirmed_signup_exactly_once_even_run_twice():
    confirmed(email="ada@example.nhs.uk")
    confirmed(email="grace@example.nhs.uk")
    InterestSignup.objects.create(email="unconfirmed@example.nhs.uk")
    RoundFactory()
    assert announce_open_rounds() == 2
    announce_task()
    assert announce_open_rounds() == 0
    assert announcements().count() == 2
    recipients = sorted(m.recipients for m in announcements())
    assert recipients == ["ada@example.nhs.uk", "grace@example.nhs.uk"]
    body = announcements().first().body
    assert "/interest/unsubscribe/" in body


def test_nothing_is_sent_before_a_round_opens():
    confirmed(email="ada@example.nhs.uk")
    RoundFactory(
        opens_at=timezone.now() + datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=10),
    )
    assert announce_open_rounds() == 0
    assert not announcements().exists()


def test_the_next_round_is_announced_again():
    confirmed(email="ada@example.nhs.uk")
    first = RoundFactory(
        opens_at=timezone.now() - datetime.timedelta(days=60),
        closes_at=timezone.now() - datetime.timedelta(days=30),
    )
    InterestSignup.objects.update(notified_for_round=first.pk)
    RoundFactory()
    assert announce_open_rounds() == 1


def test_unsubscribe_asks_then_removes(client):
    signup = InterestSignup.objects.create(email="ada@example.nhs.uk")
    url = reverse("interest_unsubscribe", args=[signup.token])
    assert client.get(url).status_code == 200
    assert InterestSignup.objects.exists()
    assert client.post(url).status_code == 200
    assert not InterestSignup.objects.exists()


def test_unsubscribe_with_a_bad_token_is_not_found(client):
    InterestSignup.objects.create(email="ada@example.nhs.uk")
    assert client.get(reverse("interest_unsubscribe", args=["wrong"])).status_code == 404
    assert client.post(reverse("interest_unsubscribe", args=["wrong"])).status_code == 404
    assert InterestSignup.objects.count() == 1


def test_erasing_a_person_removes_their_interest_signup_and_exports_it_first():
    from fellowship.personal_data import Person
    from fellowship.public.personal_data import InterestListData

    confirmed(email="Ada@example.nhs.uk")
    InterestSignup.objects.create(email="grace@example.nhs.uk")
    person = Person(email="ada@example.nhs.uk")
    holder = InterestListData()
    (part,) = holder.export(person)
    assert [r["email"] for r in part.records] == ["Ada@example.nhs.uk"]
    assert part.records[0]["confirmed"] is not None

    class Recorder:
        counts: dict = {}

        def count(self, what, n):
            self.counts[what] = n

    holder.erase(person, Recorder())
    assert list(InterestSignup.objects.values_list("email", flat=True)) == ["grace@example.nhs.uk"]


# Retention -------------------------------------------------------------------------------------

ANCHOR = timezone.now().replace(microsecond=0) - datetime.timedelta(days=10)


def test_unconfirmed_signups_are_removed_a_month_after_and_not_a_day_before(
    django_capture_on_commit_callbacks,
):
    unconfirmed = InterestSignup.objects.create(email="ada@example.nhs.uk", created=ANCHOR)
    confirmed(email="grace@example.nhs.uk", created=ANCHOR - datetime.timedelta(days=400))
    cutoff = retention.months_before(ANCHOR, -1)  # a month after the signup
    day = datetime.timedelta(days=1)

    def run(now, dry_run):
        with django_capture_on_commit_callbacks(execute=True):
            counts = retention.apply_retention(
                dry_run=dry_run, by=None, source="command", now=now
            ).counts
        return counts["unconfirmed_interest_signups"]

    assert run(cutoff - day, dry_run=False) == 0
    assert run(cutoff + day, dry_run=True) == 1
    assert run(cutoff + day, dry_run=False) == 1
    assert not InterestSignup.objects.filter(pk=unconfirmed.pk).exists()
    assert list(InterestSignup.objects.values_list("email", flat=True)) == ["grace@example.nhs.uk"]
    assert run(cutoff + day, dry_run=False) == 0


def test_signups_made_before_confirmation_was_asked_for_stay_confirmed():
    migration = importlib.import_module("fellowship.migrations.0018_interest_confirmation")
    earlier = InterestSignup.objects.create(email="ada@example.nhs.uk", created=ANCHOR)
    migration.confirm_existing_signups(apps, None)
    earlier.refresh_from_db()
    assert earlier.confirmed_at == ANCHOR
