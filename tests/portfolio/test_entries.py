"""Portfolio entries: DOIs and links, no awards dated in the future, evidence files checked by
content and size, flags kept only for the kinds they describe, consent rules of testimonials."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from portfolio import forms, models, services
from portfolio.enums import ConsentPurpose, EntryKind
from portfolio.forms import EntryForm, PosterForm
from portfolio.links import NOT_A_DOI, NOT_A_LINK, LinkError, doi_of, normalise_link
from portfolio.models import PortfolioEntry, Poster

from ..factories import FellowFactory, PortfolioEntryFactory
from ..factories import portfolio as factories
from ..factories.portfolio import pdf_bytes, png_bytes

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)


# Links ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "10.1038/s41591-023-02448-8",
        "doi:10.1038/s41591-023-02448-8",
        "DOI: 10.1038/s41591-023-02448-8",
        "https://doi.org/10.1038/s41591-023-02448-8",
        "http://dx.doi.org/10.1038/s41591-023-02448-8",
        "  https://doi.org/10.1038%2Fs41591-023-02448-8 ",
    ],
)
def test_a_doi_however_written_becomes_a_doi_org_link(typed):
    link = normalise_link(typed)
    assert link == "https://doi.org/10.1038/s41591-023-02448-8"
    assert doi_of(link) == "10.1038/s41591-023-02448-8"


@pytest.mark.parametrize(
    "typed", ["10.1038", "10.12/abc", "doi:nonsense", "https://doi.org/", "10.1234/"]
)
def test_an_incomplete_doi_is_refused(typed):
    with pytest.raises(LinkError, match=NOT_A_DOI):
        normalise_link(typed)


@pytest.mark.parametrize(
    "typed",
    ["javascript:alert(1)", "ftp://files.example.org/paper.pdf", "www.example.org", "https://", "https://exa mple.org",
     "data:text/html,<b>hi</b>", "https://[::1", "mailto:someone@example.org"],
)  # fmt: skip
def test_a_link_must_be_a_web_address(typed):
    with pytest.raises(LinkError, match=NOT_A_LINK):
        normalise_link(typed)


def test_web_addresses_are_kept_as_typed_and_blank_stays_blank():
    assert (
        normalise_link("https://github.com/nhs/cxr-triage") == "https://github.com/nhs/cxr-triage"
    )
    assert normalise_link("http://example.org/a?b=c#d") == "http://example.org/a?b=c#d"
    assert normalise_link("   ") == ""
    assert doi_of("https://github.com/nhs/cxr-triage") == ""


@given(st.text(max_size=80))
def test_any_text_is_refused_or_becomes_an_http_link(text):
    try:
        link = normalise_link(text)
    except LinkError:
        return
    assert link == "" or link.lower().startswith(("http://", "https://"))


# The entry form ---------------------------------------------------------------------------------


def entry_form(files=None, instance=None, **data):
    fields = {
        "kind": "publication",
        "title": "AI triage of chest X-rays",
        "date": "2024-05-01",
        **data,
    }
    return EntryForm(
        fields, files or {}, instance=instance or PortfolioEntry(fellow=FellowFactory())
    )


@pytest.mark.django_db
def test_publication_with_a_doi_is_saved_as_a_doi_org_link():
    form = entry_form(url="doi:10.1136/bmjhci-2024-101")
    assert form.is_valid(), form.errors
    entry = services.save_entry(form.save(commit=False), by=None)
    entry.refresh_from_db()
    assert entry.url == "https://doi.org/10.1136/bmjhci-2024-101"
    assert entry.doi == "10.1136/bmjhci-2024-101"


@pytest.mark.django_db
def test_a_link_that_is_not_http_is_an_error_on_the_link():
    form = entry_form(url="javascript:alert(1)")
    assert not form.is_valid()
    assert form.errors["url"] == [NOT_A_LINK]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["certificate", "qualification", "grant", "prize"])
def test_awarded_items_cannot_be_dated_in_the_future(kind):
    form = entry_form(kind=kind, date=TOMORROW.isoformat())
    assert not form.is_valid()
    assert form.errors["date"] == [
        f"An awarded {EntryKind(kind).label.lower()} cannot be dated in the future. Enter the date it was awarded"
    ]
    assert entry_form(kind=kind, date=TODAY.isoformat()).is_valid()


@pytest.mark.django_db
def test_other_kinds_may_be_dated_ahead_such_as_an_accepted_talk():
    assert entry_form(kind="presentation", date=TOMORROW.isoformat()).is_valid()
    assert entry_form(kind="invitation", date="").is_valid()


@pytest.mark.django_db
def test_the_service_refuses_a_future_award_whatever_the_caller():
    entry = PortfolioEntry(
        fellow=FellowFactory(), kind=EntryKind.PRIZE, title="Best poster", date=TOMORROW
    )
    with pytest.raises(ValidationError) as refused:
        services.save_entry(entry, by=None)
    assert "date" in refused.value.message_dict
    assert not PortfolioEntry.objects.exists()


@pytest.mark.django_db
def test_kind_and_title_are_required_with_plain_messages():
    form = EntryForm({"kind": "", "title": ""}, instance=PortfolioEntry(fellow=FellowFactory()))
    assert not form.is_valid()
    assert form.errors["kind"] == ["Select what kind of entry it is"]
    assert form.errors["title"] == ["Enter a title"]


@pytest.mark.django_db
def test_flags_are_kept_only_for_the_kinds_they_describe():
    fellow = FellowFactory()
    paper = services.save_entry(
        PortfolioEntry(
            fellow=fellow,
            kind="publication",
            title="Paper",
            academic_coauthors=True,
            national_body=True,
        ),
        by=None,
    )
    policy = services.save_entry(
        PortfolioEntry(
            fellow=fellow,
            kind="policy",
            title="Guidance",
            academic_coauthors=True,
            national_body=True,
        ),
        by=None,
    )
    assert (paper.academic_coauthors, paper.national_body) == (True, False)
    assert (policy.academic_coauthors, policy.national_body) == (False, True)


# Evidence files ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_fake_pdf_with_the_wrong_content_is_refused():
    fake = SimpleUploadedFile(
        "certificate.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    form = entry_form(files={"evidence": fake}, kind="certificate")
    assert not form.is_valid()
    assert form.errors["evidence"] == ["The selected file must be a PDF or PNG or JPEG"]


@pytest.mark.django_db
def test_a_damaged_pdf_is_refused():
    damaged = SimpleUploadedFile(
        "certificate.pdf", pdf_bytes()[:-8], content_type="application/pdf"
    )
    form = entry_form(files={"evidence": damaged}, kind="certificate")
    assert not form.is_valid()
    assert "damaged or incomplete" in form.errors["evidence"][0]


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile(
        "certificate.pdf", pdf_bytes() + b" " * (1024 * 1024), content_type="application/pdf"
    )
    form = entry_form(files={"evidence": big}, kind="certificate")
    assert not form.is_valid()
    assert form.errors["evidence"] == ["The file must be smaller than 1 MB"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("my-certificate.pdf", pdf_bytes()),
        ("my-certificate.png", png_bytes()),
        ("my-certificate.jpg", b"\xff\xd8\xff\xe0" + b"0" * 64),
    ],
)
def test_pdf_png_and_jpeg_evidence_is_stored_privately_under_a_random_name(name, content):
    form = entry_form(files={"evidence": SimpleUploadedFile(name, content)}, kind="certificate")
    assert form.is_valid(), form.errors
    entry = services.save_entry(form.save(commit=False), by=None)
    assert entry.evidence.name.startswith("portfolio/evidence/")
    assert name not in entry.evidence.name
    assert entry.evidence.read() == content


@pytest.mark.django_db
def test_removing_an_entry_deletes_its_evidence_file(django_capture_on_commit_callbacks):
    form = entry_form(files={"evidence": SimpleUploadedFile("c.pdf", pdf_bytes())})
    entry = services.save_entry(form.save(commit=False), by=None)
    storage, name = entry.evidence.storage, entry.evidence.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_entry(entry, by=None)
    assert not PortfolioEntry.objects.exists()
    assert not storage.exists(name)


@pytest.mark.django_db
def test_replacing_evidence_deletes_the_old_file(django_capture_on_commit_callbacks):
    entry = services.save_entry(
        entry_form(files={"evidence": SimpleUploadedFile("a.pdf", pdf_bytes())}).save(commit=False),
        by=None,
    )
    old = entry.evidence.name
    form = entry_form(files={"evidence": SimpleUploadedFile("b.png", png_bytes())}, instance=entry)
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=True):
        services.save_entry(form.save(commit=False), by=None)
    assert entry.evidence.name != old
    assert not entry.evidence.storage.exists(old)


@pytest.mark.django_db
def test_a_poster_must_be_a_pdf_or_an_image():
    fake = SimpleUploadedFile("poster.png", b"GIF89a not really", content_type="image/png")
    form = PosterForm({"title": "Poster"}, {"file": fake}, instance=Poster(fellow=FellowFactory()))
    assert not form.is_valid()
    assert form.errors["file"] == ["The selected file must be a PDF or PNG or JPEG"]


# Testimonials -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_a_testimonial_needs_consent_to_quote_it():
    fellow = FellowFactory()
    form = forms.TestimonialForm(
        {
            "text": "It changed my career.",
            "may_quote": "no",
            "quote_as": "named",
            "may_publish": "yes",
        },
        instance=models.Testimonial(fellow=fellow),
    )
    assert not form.is_valid()
    assert form.errors["may_publish"] == [
        "To publish your testimonial on the website, also agree to it being quoted"
    ]
    with pytest.raises(ValidationError):
        services.save_testimonial(
            models.Testimonial(fellow=fellow, text="x"), by=None, quote=False, publish=True
        )
    testimonial = factories.TestimonialFactory(fellow=fellow, may_quote=False)
    with pytest.raises(ValidationError):
        services.give_consent(testimonial, ConsentPurpose.PUBLISH_ON_WEBSITE, by=fellow.user)
    assert not testimonial.consents.exists()


@pytest.mark.django_db
def test_testimonial_consent_answers_are_stored_as_consent_records():
    form = forms.TestimonialForm(
        {
            "text": "It changed my career.",
            "may_quote": "yes",
            "quote_as": "anonymous",
            "may_publish": "no",
        },
        instance=models.Testimonial(fellow=FellowFactory()),
    )
    assert form.is_valid(), form.errors
    testimonial = form.save(commit=False)
    services.save_testimonial(testimonial, by=None, **form.consents())
    testimonial = models.Testimonial.objects.get(pk=testimonial.pk)
    assert (testimonial.may_quote, testimonial.may_publish) == (True, False)
    assert list(testimonial.consents.values_list("purpose", "quote_as")) == [
        ("quote_in_reports", "anonymous")
    ]
    assert testimonial.attribution == f"A fellow of cohort {testimonial.fellow.cohort.number}"


@pytest.mark.django_db
def test_quotable_testimonials_never_include_one_without_consent():
    quoted = factories.TestimonialFactory(may_quote=True)
    factories.TestimonialFactory(may_quote=False, text="Please do not quote me.")
    factories.TestimonialFactory(may_quote=True, text="")  # consent, but nothing to quote
    other_cohort = factories.TestimonialFactory(may_quote=True, quote_as="named")

    assert list(services.quotable_testimonials()) == sorted(
        [quoted, other_cohort], key=lambda t: t.fellow.cohort.number
    )
    assert list(services.quotable_testimonials(quoted.fellow.cohort)) == [quoted]
    assert list(services.quotable_testimonials(other_cohort.fellow.cohort.number)) == [other_cohort]
    assert (
        other_cohort.attribution
        == f"{other_cohort.fellow.display_name}, {other_cohort.fellow.cohort}"
    )


@pytest.mark.django_db
def test_counts_by_kind_per_cohort_are_aggregated_in_the_database(django_assert_num_queries):
    first, second = FellowFactory(), FellowFactory()
    PortfolioEntryFactory.create_batch(2, fellow=first, kind="publication")
    PortfolioEntryFactory(fellow=first, kind="onward_programme")
    PortfolioEntryFactory(fellow=second, kind="media")
    with django_assert_num_queries(1):
        rows = services.counts_by_kind(PortfolioEntry.objects.all())
    kinds = list(EntryKind.values)
    assert [(r["cohort"], r["total"]) for r in rows] == [
        (first.cohort.number, 3),
        (second.cohort.number, 1),
    ]
    assert rows[0]["counts"][kinds.index("publication")] == 2
    assert rows[0]["counts"][kinds.index("onward_programme")] == 1
    assert rows[1]["counts"][kinds.index("media")] == 1


@pytest.mark.django_db
def test_evidence_counts_for_the_objectives_in_one_query(django_assert_num_queries):
    first, second = FellowFactory(), FellowFactory()
    services.save_entry(
        PortfolioEntry(fellow=first, kind="publication", title="A", academic_coauthors=True),
        by=None,
    )
    services.save_entry(PortfolioEntry(fellow=first, kind="publication", title="B"), by=None)
    services.save_entry(
        PortfolioEntry(fellow=first, kind="policy", title="C", national_body=True), by=None
    )
    services.save_entry(
        PortfolioEntry(fellow=first, kind="onward_programme", title="Topol"), by=None
    )
    services.save_entry(
        PortfolioEntry(fellow=first, kind="onward_programme", title="NIHR"), by=None
    )
    services.save_entry(
        PortfolioEntry(fellow=second, kind="onward_programme", title="Topol"), by=None
    )
    services.save_entry(
        PortfolioEntry(fellow=second, kind="media", title="Profile", national_body=True), by=None
    )
    with django_assert_num_queries(1):
        counts = services.evidence_counts()
    assert counts == {
        "publications": 2,
        "publications_with_academics": 1,
        "policy_with_national_bodies": 1,
        "media": 1,
        "onward_programmes": 3,
        "fellows_on_onward_programmes": 2,
    }
    assert services.evidence_counts([second.cohort.number])["onward_programmes"] == 1


@pytest.mark.django_db
def test_the_service_normalises_a_doi_and_refuses_a_bad_link_whatever_the_caller():
    fellow = FellowFactory()
    entry = services.save_entry(
        PortfolioEntry(fellow=fellow, kind="publication", title="P", url="10.1234/x.y"), by=None
    )
    assert entry.url == "https://doi.org/10.1234/x.y"
    with pytest.raises(ValidationError) as refused:
        services.save_entry(
            PortfolioEntry(fellow=fellow, kind="media", title="M", url="javascript:alert(1)"),
            by=None,
        )
    assert refused.value.message_dict == {"url": [NOT_A_LINK]}
