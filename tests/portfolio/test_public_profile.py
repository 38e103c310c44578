"""The fellows and alumni page and the public profile behind it: only fellows who opted in
appear, with only the parts each chose to show and never an e-mail address; withdrawing takes a
fellow off the page (and their photo) on the next request; only the fellow edits their profile;
the page's queries do not grow with the number of fellows."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fellowship.enums import AuditSubject, Profession, Role
from fellowship.models import AuditEvent
from portfolio import consent as consent_text
from portfolio import publishing
from portfolio.enums import WebsitePurpose
from portfolio.models import PublicProfile, WebsiteConsent
from projects.enums import ProposalStatus
from projects.models import Placement

from ..conftest import make_person
from ..factories import CohortFactory, FellowFactory, ProjectFactory, RegionFactory
from ..factories.portfolio import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

PAGE = "/fellows/"


def make_fellow(name: str, *, email: str = "", cohort=None, region: str = "Wessex Region"):
    """A fellow with an account (named `name`) placed on an approved project."""
    user = make_person(Role.FELLOW, full_name=name, **({"email": email} if email else {}))
    fellow = FellowFactory(
        user=user,
        full_name=name,
        email=email or user.email,
        cohort=cohort or CohortFactory(number=3),
        region=RegionFactory(name=region),
        profession=Profession.NURSING,
    )
    project = ProjectFactory(
        cohort=fellow.cohort, title=f"Project of {name}", status=ProposalStatus.APPROVED
    )
    Placement.objects.create(project=project, fellow=fellow)
    return fellow


def publish(fellow, *, consent: bool = True, photo: bool = False, **fields) -> PublicProfile:
    """A public profile for `fellow` (and, unless told otherwise, their consent to show it)."""
    profile = PublicProfile(fellow=fellow, **fields)
    if photo:
        profile.photo.save("me.png", ContentFile(png_bytes()), save=False)
        profile.photo_kind = "png"
        profile.show_photo = True
    publishing.save_public_profile(profile, by=fellow.user)
    if consent:
        publishing.give_website_consent(fellow, WebsitePurpose.PUBLIC_PROFILE, by=fellow.user)
    return profile


def page() -> str:
    response = Client().get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


def test_page_needs_no_sign_in_and_is_empty_without_fellows():
    assert "No fellows are shown yet" in page()


def test_only_fellows_who_opted_in_appear():
    publish(make_fellow("Ada Opted-In"))
    publish(make_fellow("Bea Never-Agreed"), consent=False)
    withdrawn = make_fellow("Cy Withdrew")
    publish(withdrawn)
    publishing.withdraw_website_consent(withdrawn, WebsitePurpose.PUBLIC_PROFILE, by=withdrawn.user)
    make_fellow("Di No-Profile")

    html = page()
    assert "Ada Opted-In" in html
    for hidden in ("Bea Never-Agreed", "Cy Withdrew", "Di No-Profile"):
        assert hidden not in html


def test_a_part_the_fellow_hid_never_appears():
    fellow = make_fellow("Eve Private", region="Kent Surrey Sussex")
    publish(
        fellow,
        show_region=False,
        show_bio=False,
        bio="Secret biography words",
        show_links=False,
        links=["https://example.org/eve"],
        show_project=False,
    )
    html = page()
    assert "Eve Private" in html
    for hidden in ("Kent Surrey Sussex", "Secret biography words", "example.org/eve", "Project of"):
        assert hidden not in html


def test_parts_the_fellow_chose_appear():
    fellow = make_fellow("Fay Open", region="North East")
    publish(
        fellow,
        show_region=True,
        show_bio=True,
        bio="I deploy triage models",
        show_links=True,
        links=["https://doi.org/10.1234/abcd"],
        show_project=True,
    )
    html = page()
    for shown in ("Fay Open", "North East", "I deploy triage models", "10.1234/abcd", "Project of"):
        assert shown in html


def test_a_fellow_who_hides_their_name_is_shown_by_cohort_only():
    publish(make_fellow("Gus Nameless"), show_name=False)
    html = page()
    assert "Gus Nameless" not in html
    assert "A fellow of cohort 3" in html


def test_no_email_address_appears_even_when_no_name_is_recorded():
    fellow = make_fellow("Temp", email="hidden.person@nhs.example")
    fellow.full_name = ""
    fellow.save()
    fellow.user.full_name = ""
    fellow.user.save()
    publish(fellow, show_name=True, show_bio=True, bio="Plain words")
    html = page()
    assert "Plain words" in html
    assert "hidden.person" not in html
    assert "nhs.example" not in html


def test_bio_is_escaped_not_rendered_as_html():
    publish(make_fellow("Hal Hostile"), show_bio=True, bio="<script>alert(1)</script>")
    html = page()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_photo_is_served_only_while_the_profile_is_published_and_shows_it():
    fellow = make_fellow("Ivy Photo")
    profile = publish(fellow, photo=True)
    url = reverse("public_profile_photo", args=[profile.pk])
    assert url in page()
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"

    profile.show_photo = False
    profile.save()
    assert Client().get(url).status_code == 404
    assert url not in page()


def test_photo_view_refuses_a_profile_that_did_not_opt_in():
    profile = publish(make_fellow("Jo Unpublished"), consent=False, photo=True)
    assert Client().get(reverse("public_profile_photo", args=[profile.pk])).status_code == 404


def test_withdrawing_takes_the_fellow_off_the_page_and_their_photo_404s(login):
    fellow = make_fellow("Kit Leaving")
    profile = publish(fellow, photo=True)
    photo = reverse("public_profile_photo", args=[profile.pk])
    assert "Kit Leaving" in page()

    me = login(fellow.user)
    url = reverse("public_consent_withdraw", args=[fellow.ref, "profile"])
    assert me.get(url).status_code == 200
    assert me.post(url).status_code == 302

    assert "Kit Leaving" not in page()
    assert Client().get(photo).status_code == 404
    consent = WebsiteConsent.objects.get(fellow=fellow)
    assert consent.withdrawn_at is not None and consent.withdrawn_by == fellow.user
    assert AuditEvent.objects.filter(
        subject=AuditSubject.CONSENT, summary__startswith="Website consent withdrawn"
    ).exists()


def test_fellow_opts_in_and_fills_their_profile_through_the_form(login):
    fellow = make_fellow("Lou Joining")
    me = login(fellow.user)
    url = reverse("public_profile_edit", args=[fellow.ref])
    assert me.get(url).status_code == 200
    photo = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
    response = me.post(
        url,
        {
            "show_name": "on",
            "show_profession": "on",
            "show_bio": "on",
            "bio": "Radiographer turned AI lead",
            "show_links": "on",
            "links_text": "doi:10.1234/xyz\nhttps://example.org/lou",
            "show_photo": "on",
            "photo": photo,
            "show_profile": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = PublicProfile.objects.get(fellow=fellow)
    assert profile.links == ["https://doi.org/10.1234/xyz", "https://example.org/lou"]
    assert profile.photo_kind == "png"
    consent = WebsiteConsent.objects.current().get(fellow=fellow)
    assert consent.purpose == WebsitePurpose.PUBLIC_PROFILE
    assert consent.wording_version == consent_text.WEBSITE_WORDING_VERSION
    assert consent.wording == consent_text.website_wording(WebsitePurpose.PUBLIC_PROFILE)
    assert consent.given_by == fellow.user
    assert not WebsiteConsent.objects.filter(fellow=fellow, purpose=WebsitePurpose.POSTER).exists()
    html = page()
    assert "Radiographer turned AI lead" in html
    assert reverse("public_profile_photo", args=[profile.pk]) in html

    # Saving again without the box ticked withdraws at once.
    response = me.post(url, {"show_name": "on", "bio": "Radiographer turned AI lead"})
    assert response.status_code == 302
    assert "Lou Joining" not in page()
    assert WebsiteConsent.objects.current().filter(fellow=fellow).count() == 0


@pytest.mark.parametrize(
    "data, field",
    [
        ({"links_text": "javascript:alert(1)"}, "links_text"),
        (
            {"links_text": "https://a.org\nhttps://b.org\nhttps://c.org\nhttps://d.org"},
            "links_text",
        ),
        ({"bio": "x" * 601, "show_bio": "on"}, "bio"),
        ({"show_photo": "on"}, "photo"),
    ],
)
def test_hostile_or_wrong_input_is_refused(login, data, field):
    fellow = make_fellow("Mo Careful")
    response = login(fellow.user).post(reverse("public_profile_edit", args=[fellow.ref]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not PublicProfile.objects.filter(fellow=fellow).exists()


def test_removing_the_photo_deletes_the_file_and_the_public_link(
    login, django_capture_on_commit_callbacks
):
    fellow = make_fellow("Rae Removing")
    profile = publish(fellow, photo=True)
    stored = profile.photo.name
    photo_url = reverse("public_profile_photo", args=[profile.pk])
    assert Client().get(photo_url).status_code == 200
    me = login(fellow.user)
    url = reverse("public_profile_edit", args=[fellow.ref])
    assert "Remove my photo" in me.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = me.post(url, {"show_name": "on", "remove_photo": "on", "show_profile": "on"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert not profile.photo and profile.photo_kind == "" and not profile.show_photo
    assert not default_storage.exists(stored)
    assert Client().get(photo_url).status_code == 404
    assert "Rae Removing" in page()  # the rest of the profile stays published
    assert "Remove my photo" not in me.get(url).content.decode()  # nothing left to remove


@pytest.mark.parametrize(
    "data, field",
    [
        ({"remove_photo": "on", "show_photo": "on"}, "show_photo"),
        ({"remove_photo": "on", "new": True}, "remove_photo"),
    ],
)
def test_removing_the_photo_with_a_contradiction_changes_nothing(login, data, field):
    fellow = make_fellow("Sol Undecided")
    profile = publish(fellow, photo=True)
    stored = profile.photo.name
    if data.pop("new", False):
        data["photo"] = SimpleUploadedFile("new.png", png_bytes(), content_type="image/png")
    response = login(fellow.user).post(
        reverse("public_profile_edit", args=[fellow.ref]), {"show_name": "on", **data}
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    profile.refresh_from_db()
    assert profile.photo.name == stored and default_storage.exists(stored)


def test_photo_must_be_a_png_or_jpeg_by_its_content(login):
    fellow = make_fellow("Ned Sneaky")
    fake = SimpleUploadedFile("me.png", pdf_bytes(), content_type="image/png")
    response = login(fellow.user).post(
        reverse("public_profile_edit", args=[fellow.ref]), {"photo": fake, "show_photo": "on"}
    )
    assert response.status_code == 200
    assert "photo" in response.context["form"].errors


def test_another_fellow_cannot_edit_or_withdraw_my_profile(login):
    mine = make_fellow("Olive Owner")
    publish(mine, bio="Mine", show_bio=True)
    intruder = make_fellow("Pip Intruder", cohort=mine.cohort)
    as_intruder = login(intruder.user)
    edit = reverse("public_profile_edit", args=[mine.ref])
    withdraw = reverse("public_consent_withdraw", args=[mine.ref, "profile"])
    assert as_intruder.get(edit).status_code == 404
    assert as_intruder.post(edit, {"bio": "Hacked", "show_bio": "on"}).status_code == 404
    assert as_intruder.post(withdraw).status_code == 404
    assert PublicProfile.objects.get(fellow=mine).bio == "Mine"
    assert WebsiteConsent.objects.current().filter(fellow=mine).exists()
    # Faculty may read the portfolio but not change it.
    faculty = login(make_person(Role.FACULTY))
    assert faculty.get(edit).status_code == 403
    assert faculty.post(withdraw).status_code == 403
    assert Client().get(edit).status_code == 302  # sign in first


def test_withdraw_page_for_a_consent_not_given_is_404(login):
    fellow = make_fellow("Quin Never")
    me = login(fellow.user)
    assert (
        me.get(reverse("public_consent_withdraw", args=[fellow.ref, "profile"])).status_code == 404
    )
    assert me.get(reverse("public_consent_withdraw", args=[fellow.ref, "other"])).status_code == 404


def test_anonymous_visitors_get_a_shared_cacheable_page_signed_in_people_a_private_one(login):
    response = Client().get(PAGE)
    assert "public" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    assert not response.cookies
    fellow = make_fellow("Ray Signed-In")
    response = login(fellow.user).get(PAGE)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_page_only_answers_get_and_head():
    assert Client().post(PAGE).status_code == 405


def _queries() -> int:
    with CaptureQueriesContext(connection) as ctx:
        page()
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_number_of_fellows():
    cohort = CohortFactory(number=3)
    publish(make_fellow("First Fellow", cohort=cohort), photo=True, show_project=True)
    one = _queries()
    for n in range(5):
        publish(
            make_fellow(f"More Fellow {n}", cohort=CohortFactory(number=4 + n % 2)),
            photo=True,
            show_project=True,
            show_region=True,
        )
    assert _queries() == one


def test_profile_and_consents_are_exported_and_erased(django_capture_on_commit_callbacks):
    from fellowship import privacy

    from .test_personal_data_portfolio import dump, officer

    fellow = make_fellow("Sam Erasable", email="sam.erasable@nhs.example")
    profile = publish(fellow, photo=True, bio="Wombat radiology enthusiast", show_bio=True)
    publishing.give_website_consent(fellow, WebsitePurpose.POSTER, by=fellow.user)
    photo = profile.photo.name

    names = privacy.write_export(
        privacy.find_person("sam.erasable@nhs.example"), buffer := io.BytesIO(), programme="P"
    )
    with zipfile.ZipFile(buffer) as archive:
        profiles = json.loads(archive.read("public-profile.json"))
        assert profiles[0]["bio"] == "Wombat radiology enthusiast"
        assert archive.read(profiles[0]["photo"]) == png_bytes()
        assert len(json.loads(archive.read("website-consents.json"))) == 2
    assert sum(name.startswith("files/photo/") for name in names) == 1

    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_person(
            privacy.find_person("sam.erasable@nhs.example"), by=officer(), requested_by="them"
        )
    assert not PublicProfile.objects.exists()
    assert not WebsiteConsent.objects.current().exists()
    assert not default_storage.exists(photo)
    assert "wombat radiology" not in dump()
    assert "Sam Erasable" not in page()
