"""Consent as a record: each consent to quote or publish a testimonial is stored with its date,
the exact words shown and their version, and who gave it; withdrawing keeps the record with the
date; only the fellow gives or withdraws it; withdrawing quoting withdraws publishing too."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from fellowship.enums import AuditSubject, Role
from fellowship.models import AuditEvent
from portfolio import consent, services
from portfolio.enums import ConsentPurpose, QuoteAs
from portfolio.models import Consent, Testimonial
from projects.enums import ProposalStatus
from projects.models import Placement

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, ProjectFactory
from ..factories import portfolio as factories

pytestmark = pytest.mark.django_db

QUOTE, PUBLISH = ConsentPurpose.QUOTE_IN_REPORTS, ConsentPurpose.PUBLISH_ON_WEBSITE


@pytest.fixture
def fellow(role_users):
    """The fellow role's record, placed on the supervisor's project, with a testimonial they
    agreed may be quoted by name and published."""
    cohort = CohortFactory()
    fellow = FellowFactory(cohort=cohort, user=role_users["fellow"])
    project = ProjectFactory(
        cohort=cohort, supervisor=role_users["supervisor"], status=ProposalStatus.APPROVED
    )
    Placement.objects.create(fellow=fellow, project=project)
    factories.TestimonialFactory(
        fellow=fellow,
        text="Words of mine.",
        may_quote=True,
        quote_as=QuoteAs.NAMED,
        may_publish=True,
    )
    return fellow


def _consent(fellow, purpose=QUOTE) -> Consent:
    return Consent.objects.current().get(testimonial__fellow=fellow, purpose=purpose)


# The records -----------------------------------------------------------------------------------


def test_a_consent_records_the_words_shown_their_version_the_date_and_who_gave_it(fellow):
    quote = _consent(fellow)
    assert quote.wording == consent.wording(QUOTE, QuoteAs.NAMED)
    assert "with my name and cohort" in quote.wording
    assert quote.wording_version == consent.WORDING_VERSION
    assert quote.given_by == fellow.user and quote.given_at and quote.withdrawn_at is None
    assert _consent(fellow, PUBLISH).wording == consent.wording(PUBLISH)


def test_withdrawing_quoting_withdraws_publishing_too_and_keeps_both_records(fellow):
    withdrawn = services.withdraw_consent(_consent(fellow), by=fellow.user)
    assert sorted(withdrawn) == sorted([QUOTE, PUBLISH])
    rows = Consent.objects.filter(testimonial__fellow=fellow)
    assert rows.count() == 2 and not rows.current().exists()
    assert all(c.withdrawn_by == fellow.user and c.withdrawn_at >= c.given_at for c in rows)
    testimonial = Testimonial.objects.get(fellow=fellow)
    assert (testimonial.may_quote, testimonial.may_publish, testimonial.quote_as) == (
        False,
        False,
        "",
    )


def test_withdrawing_publication_keeps_the_consent_to_quote(fellow):
    assert services.withdraw_consent(_consent(fellow, PUBLISH), by=fellow.user) == [PUBLISH]
    testimonial = Testimonial.objects.get(fellow=fellow)
    assert (testimonial.may_quote, testimonial.may_publish) == (True, False)


def test_giving_consent_again_makes_a_new_record(fellow):
    old = _consent(fellow)
    services.withdraw_consent(old, by=fellow.user)
    testimonial = Testimonial.objects.get(fellow=fellow)
    new = services.give_consent(testimonial, QUOTE, quote_as=QuoteAs.ANONYMOUS, by=fellow.user)
    assert new.pk != old.pk
    old.refresh_from_db()
    assert old.withdrawn_at is not None and new.withdrawn_at is None
    assert Consent.objects.filter(testimonial=testimonial, purpose=QUOTE).count() == 2


def test_saving_the_same_answers_again_records_nothing_new(fellow):
    testimonial = Testimonial.objects.get(fellow=fellow)
    changes = services.save_testimonial(
        testimonial, by=fellow.user, quote=True, quote_as=QuoteAs.NAMED, publish=True
    )
    assert (changes.given, changes.withdrawn) == ((), ())
    assert Consent.objects.filter(testimonial=testimonial).count() == 2


def test_changing_the_credit_records_a_new_consent_to_quote_and_keeps_publication(fellow):
    testimonial = Testimonial.objects.get(fellow=fellow)
    changes = services.save_testimonial(
        testimonial, by=fellow.user, quote=True, quote_as=QuoteAs.ANONYMOUS, publish=True
    )
    assert (changes.given, changes.withdrawn) == ((QUOTE,), (QUOTE,))
    assert _consent(fellow).quote_as == QuoteAs.ANONYMOUS
    assert "anonymously" in _consent(fellow).wording
    assert Testimonial.objects.get(fellow=fellow).may_publish


def test_the_database_refuses_two_current_consents_for_one_purpose(fellow):
    testimonial = Testimonial.objects.get(fellow=fellow)
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(
            testimonial=testimonial,
            purpose=QUOTE,
            quote_as="named",
            wording="x",
            wording_version="x",
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # publication names no credit
        Consent.objects.create(
            testimonial=testimonial,
            purpose=PUBLISH,
            quote_as="named",
            wording="x",
            wording_version="x",
        )


def test_giving_and_withdrawing_consent_is_audited(fellow):
    events = AuditEvent.objects.filter(subject=AuditSubject.CONSENT, reference=fellow.ref)
    assert events.count() == 2  # quoting and publication given by the factory, as the fellow
    services.withdraw_consent(_consent(fellow), by=fellow.user)
    summaries = list(events.order_by("pk").values_list("summary", flat=True))
    assert len(summaries) == 4
    assert sorted(summaries[2:]) == [
        "Consent withdrawn: publish it on the website",
        "Consent withdrawn: quote it in reports",
    ]
    assert set(events.values_list("actor", flat=True)) == {fellow.user.pk}


def test_publishable_returns_only_testimonials_with_a_current_website_consent(fellow):
    quoted_only = factories.TestimonialFactory(may_quote=True, may_publish=False)
    factories.TestimonialFactory(may_quote=False)
    published = Testimonial.objects.get(fellow=fellow)
    assert list(Testimonial.objects.publishable()) == [published]
    assert set(Testimonial.objects.quotable()) == {published, quoted_only}
    services.withdraw_consent(_consent(fellow, PUBLISH), by=fellow.user)
    assert not Testimonial.objects.publishable().exists()
    assert set(Testimonial.objects.quotable()) == {published, quoted_only}


def test_consent_counts_match_hand_counted_testimonials():
    cohort, later = CohortFactory(number=1), CohortFactory(number=2)
    make = lambda **kw: factories.TestimonialFactory(fellow=FellowFactory(cohort=cohort), **kw)  # noqa: E731
    make(may_quote=True, quote_as=QuoteAs.NAMED, may_publish=True)  # named, published
    make(may_quote=True, quote_as=QuoteAs.NAMED)  # named
    make(may_quote=True, quote_as=QuoteAs.ANONYMOUS)  # anonymous
    make(may_quote=True, quote_as=QuoteAs.ANONYMOUS, text="")  # consent but nothing to quote
    make(may_quote=False)  # never agreed
    gone = make(may_quote=True, quote_as=QuoteAs.NAMED, may_publish=True)
    services.withdraw_consent(gone.quote_consent, by=None)  # 2 consents withdrawn
    again = make(may_quote=True, quote_as=QuoteAs.ANONYMOUS)
    services.withdraw_consent(again.quote_consent, by=None)
    services.give_consent(again, QUOTE, quote_as=QuoteAs.ANONYMOUS, by=None)  # given again
    factories.TestimonialFactory(fellow=FellowFactory(cohort=later), may_quote=True)

    counts = services.consent_counts([1])
    assert counts == {
        "held": 7,
        "quoted": 4,
        "named": 2,
        "anonymous": 2,
        "published": 1,
        "withdrawn_quote": 1,
        "withdrawn_publish": 1,
    }
    assert services.consent_counts()["held"] == 8


# The pages ---------------------------------------------------------------------------------------


def test_the_fellow_sees_each_consent_with_its_date_words_and_a_withdraw_link(
    fellow, fellow_client
):
    page = fellow_client.get(reverse("portfolio_detail", args=[fellow.ref])).content.decode()
    quote = _consent(fellow)
    assert quote.wording.replace("“", "&ldquo;")[:40] in page or quote.wording[:40] in page
    assert f"(wording {consent.WORDING_VERSION})" in page
    assert reverse("consent_withdraw", args=[fellow.ref, quote.pk]) in page
    assert reverse("consent_withdraw", args=[fellow.ref, _consent(fellow, PUBLISH).pk]) in page


def test_the_testimonial_form_shows_the_words_the_fellow_agrees_to(fellow, fellow_client):
    page = fellow_client.get(reverse("testimonial_edit", args=[fellow.ref])).content.decode()
    assert consent.wording(PUBLISH)[:60] in page
    assert "with my name and cohort. I can withdraw" in page


def test_withdrawing_asks_first_then_withdraws_at_once_and_says_publication_went_too(
    fellow, fellow_client
):
    url = reverse("consent_withdraw", args=[fellow.ref, _consent(fellow).pk])
    page = fellow_client.get(url).content.decode()
    assert "Publishing on the website is withdrawn too" in page
    assert _consent(fellow)  # asking is not withdrawing
    response = fellow_client.post(url, follow=True)
    assert not Consent.objects.current().filter(testimonial__fellow=fellow).exists()
    page = response.content.decode()
    assert (
        "You withdrew your consent to quote it in reports and to publish it on the website" in page
    )
    assert page.count("Withdrawn ") >= 2
    # The same link again finds nothing to withdraw.
    assert fellow_client.post(url).status_code == 404


def test_withdrawing_needs_a_csrf_token(fellow):
    client = Client(enforce_csrf_checks=True)
    client.force_login(fellow.user)
    url = reverse("consent_withdraw", args=[fellow.ref, _consent(fellow).pk])
    assert client.post(url).status_code == 403
    assert _consent(fellow).withdrawn_at is None


def test_another_fellows_consent_cannot_be_withdrawn_by_editing_the_url(fellow, login):
    other = FellowFactory(user=make_person(Role.FELLOW))
    factories.TestimonialFactory(fellow=other, may_quote=True)
    theirs = _consent(other)
    client = login(fellow.user)
    # Their consent id under my own portfolio, and under theirs.
    assert client.post(reverse("consent_withdraw", args=[fellow.ref, theirs.pk])).status_code == 404
    assert client.post(reverse("consent_withdraw", args=[other.ref, theirs.pk])).status_code == 404
    assert _consent(other).withdrawn_at is None


@pytest.mark.parametrize("role", ["supervisor", "faculty"])
def test_supervisor_and_faculty_cannot_withdraw_or_give_consent_for_a_fellow(
    role, fellow, role_users, login
):
    client = login(role_users[role])
    quote = _consent(fellow)
    assert client.get(reverse("consent_withdraw", args=[fellow.ref, quote.pk])).status_code == 403
    assert client.post(reverse("consent_withdraw", args=[fellow.ref, quote.pk])).status_code == 403
    answers = {"text": "Changed.", "may_quote": "no", "quote_as": "named", "may_publish": "no"}
    assert client.post(reverse("testimonial_edit", args=[fellow.ref]), answers).status_code == 403
    assert Consent.objects.filter(testimonial__fellow=fellow).current().count() == 2


def test_faculty_see_the_consent_state_on_their_testimonial_list(fellow, faculty_client):
    services.withdraw_consent(_consent(fellow, PUBLISH), by=fellow.user)
    page = faculty_client.get(reverse("testimonial_list")).content.decode()
    assert "Agreed to be quoted with my name and cohort on" in page
    assert f"(wording {consent.WORDING_VERSION})" in page
    assert "1 may be quoted (1 named, 0 anonymous); 0 may be published" in page
    assert "0 consents to quote and 1 to publish withdrawn" in page


def test_the_supervisor_does_not_see_the_consents(fellow, supervisor_client):
    page = supervisor_client.get(reverse("portfolio_detail", args=[fellow.ref])).content.decode()
    assert "Words of mine." not in page and "wording" not in page


def test_the_portfolio_pdf_lists_the_consents(fellow, fellow_client):
    import shutil
    import subprocess

    services.withdraw_consent(_consent(fellow, PUBLISH), by=fellow.user)
    response = fellow_client.get(reverse("portfolio_pdf", args=[fellow.ref]))
    assert response.status_code == 200
    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        pytest.skip("needs pdftotext (poppler-utils)")
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    text = subprocess.run(
        [pdftotext, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(text.split())
    assert "Quote it in reports, with my name and cohort: given" in text
    assert "Publish it on the website: given" in text and ", withdrawn " in text
    assert f"Wording {consent.WORDING_VERSION}" in text
