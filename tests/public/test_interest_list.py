"""The interest list: sign up once, hear once per round however often the task runs, leave with
the link in the e-mail."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fellowship.models import InterestSignup, OutboxMessage
from fellowship.public.services import announce_open_rounds
from fellowship.tasks import announce_open_rounds as announce_task

from ..factories.recruitment import RoundFactory

pytestmark = pytest.mark.django_db


def sign_up(client, email):
    return client.post(reverse("interest_signup"), {"email": email})


def announcements():
    return OutboxMessage.objects.filter(kind="interest_round_open")


def test_visitor_signs_up(client):
    response = sign_up(client, "ada@example.nhs.uk")
    assert response.status_code == 200
    assert "You are on the list" in response.content.decode()
    assert InterestSignup.objects.get().email == "ada@example.nhs.uk"


def test_signing_up_twice_keeps_one_row_and_says_the_same(client):
    first = sign_up(client, "ada@example.nhs.uk").content.decode()
    second = sign_up(client, "ADA@example.nhs.uk").content.decode()
    assert InterestSignup.objects.count() == 1
    assert first.split("<main", 1)[1] == second.split("<main", 1)[1]


@pytest.mark.parametrize(
    ("email", "error"),
    [("", "Enter your email address"), ("not-an-address", "in the correct format")],
)
def test_a_bad_address_is_refused_with_a_clear_error(client, email, error):
    response = sign_up(client, email)
    assert error in response.content.decode()
    assert not InterestSignup.objects.exists()


def test_many_signups_from_one_address_are_rate_limited(client):
    for n in range(10):
        assert sign_up(client, f"person{n}@example.nhs.uk").status_code == 200
    assert sign_up(client, "one-too-many@example.nhs.uk").status_code == 429
    assert InterestSignup.objects.count() == 10


def test_round_opening_emails_each_signup_exactly_once_even_run_twice():
    InterestSignup.objects.create(email="ada@example.nhs.uk")
    InterestSignup.objects.create(email="grace@example.nhs.uk")
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
    InterestSignup.objects.create(email="ada@example.nhs.uk")
    RoundFactory(
        opens_at=timezone.now() + datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=10),
    )
    assert announce_open_rounds() == 0
    assert not announcements().exists()


def test_the_next_round_is_announced_again():
    InterestSignup.objects.create(email="ada@example.nhs.uk")
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

    InterestSignup.objects.create(email="Ada@example.nhs.uk")
    InterestSignup.objects.create(email="grace@example.nhs.uk")
    person = Person(email="ada@example.nhs.uk")
    holder = InterestListData()
    (part,) = holder.export(person)
    assert [r["email"] for r in part.records] == ["Ada@example.nhs.uk"]

    class Recorder:
        counts: dict = {}

        def count(self, what, n):
            self.counts[what] = n

    holder.erase(person, Recorder())
    assert list(InterestSignup.objects.values_list("email", flat=True)) == ["grace@example.nhs.uk"]
