"""The public website as an anonymous visitor sees it: every page reachable from the home page and
the sitemap opens, is accessible and shows nothing personal of anyone who did not opt in; a fellow
who withdraws their website consents is gone on the next request; and a newcomer goes from the
home page through signing up to a saved draft application."""

from __future__ import annotations

import re
from urllib.parse import quote, urldefrag, urlsplit

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from fellowship.enums import Profession, Role
from fellowship.models import OutboxMessage, programme
from portfolio import publishing
from portfolio.enums import QuoteAs, WebsitePurpose
from portfolio.models import PublicProfile
from projects.enums import ProposalStatus
from projects.models import ClinicalDomain, Placement
from recruitment.models import Application

from ..conftest import make_person
from ..factories import (
    CohortFactory,
    CriterionFactory,
    EligibilityFactory,
    FellowFactory,
    FunderFactory,
    OrganisationFactory,
    ProjectFactory,
    RegionFactory,
    RequiredDocumentFactory,
    RoundFactory,
    UserFactory,
)
from ..factories import portfolio as portfolio_factories
from ..factories.portfolio import PosterFactory, png_bytes
from .helpers import check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Never followed: signing in or up, and the admin site, are not pages of the public website.
NOT_CRAWLED = ("/accounts/", "/admin/")
PUBLIC_PAGES = [
    "/",
    "/apply-for-the-fellowship/",
    "/for-supervisors/",
    "/fellows/",
    "/projects/",
    "/accessibility/",
]
MAX_PAGES = 60  # a guard against a crawl that never ends (a link that grows on every page)


def approved_project(title: str, cohort, supervisor_name: str):
    """An approved project with what the projects page shows, and its supervisor, who is not."""
    return ProjectFactory(
        title=title,
        cohort=cohort,
        status=ProposalStatus.APPROVED,
        supervisor_name=supervisor_name,
        supervisor=UserFactory(full_name=supervisor_name),
        host_organisation=OrganisationFactory(name=f"{title} NHS Trust"),
        clinical_domain=ClinicalDomain.objects.get_or_create(name="Emergency medicine")[0],
        summary=f"What {title.lower()} changes for patients.",
    )


def fellow_on(project, name: str, *, email: str, region: str, **fields):
    user = make_person(Role.FELLOW, full_name=name, email=email)
    fellow = FellowFactory(
        user=user,
        full_name=name,
        email=email,
        cohort=project.cohort,
        region=RegionFactory(name=region),
        profession=Profession.NURSING,
        **fields,
    )
    Placement.objects.create(project=project, fellow=fellow)
    return fellow


def publish_profile(fellow, *, consent: bool = True, photo: bool = False, **fields):
    """A public profile saved through the service and, with `consent`, the fellow's consent to
    show it, as the fellow gives them on their own pages."""
    profile = PublicProfile(fellow=fellow, **fields)
    if photo:
        profile.photo.save("me.png", ContentFile(png_bytes()), save=False)
    publishing.save_public_profile(profile, by=fellow.user, photo_kind="png" if photo else None)
    if photo:
        profile.show_photo = True
        publishing.save_public_profile(profile, by=fellow.user)
    if consent:
        publishing.give_website_consent(fellow, WebsitePurpose.PUBLIC_PROFILE, by=fellow.user)
    return profile


@pytest.fixture
def world():
    """The programme with an open round, three cohorts, approved projects, two fellows on the
    website (one with a photo, a published poster and an anonymous quote; one quoted by name, who
    hides their region), and one who never agreed to anything public although they have a
    profile, a poster and a quote on file."""
    the_programme = programme()
    the_programme.description = (
        "The **Clinical AI Fellowship** trains NHS clinicians to deploy AI safely."
    )
    the_programme.save()

    rnd = RoundFactory(cohort=CohortFactory(number=6), name="Cohort 6 national recruitment")
    EligibilityFactory(round=rnd, region=RegionFactory(name="North East"))
    EligibilityFactory(
        round=rnd,
        region=RegionFactory(name="Wessex"),
        profession=Profession.NURSING,
        sponsor=FunderFactory(name="Wessex Nursing Fund"),
    )
    CriterionFactory(round=rnd, title="Leadership", position=1)
    CriterionFactory(
        round=rnd, title="Digital skills", description="Show what you have built.", position=2
    )
    RequiredDocumentFactory(round=rnd, name="Reference letter", description="From a consultant.")

    cohort4, cohort5 = CohortFactory(number=4), CohortFactory(number=5)
    triage = approved_project("Emergency triage with AI", cohort4, "Priya Supervisor-Hidden")
    scans = approved_project("Faster chest X-ray reporting", cohort5, "Owen Supervisor-Hidden")
    sepsis = approved_project("Sepsis early warning", cohort5, "Una Supervisor-Hidden")

    shown = fellow_on(
        triage,
        "Imogen Castellano",
        email="imogen.castellano@example.nhs.uk",
        region="Thames Valley",
    )
    publish_profile(
        shown,
        photo=True,
        show_bio=True,
        bio="Emergency physician leading an AI triage pilot.",
        show_project=True,
    )
    poster = PosterFactory(fellow=shown, title="Triage at the front door")
    publishing.give_website_consent(shown, WebsitePurpose.POSTER, by=shown.user)
    portfolio_factories.TestimonialFactory(
        fellow=shown,
        text="The fellowship changed how our department adopts AI.",
        may_publish=True,
        quote_as=QuoteAs.ANONYMOUS,
    )

    private_region = fellow_on(
        scans, "Tobias Okonkwo", email="tobias.okonkwo@example.nhs.uk", region="Kernow Hidden"
    )
    publish_profile(private_region, show_region=False, show_profession=True)
    portfolio_factories.TestimonialFactory(
        fellow=private_region,
        text="I learnt to ask what a model was never shown.",
        may_publish=True,
        quote_as=QuoteAs.NAMED,
    )

    hidden = fellow_on(
        sepsis,
        "Quentin Ravenscroft-Hale",
        email="quentin.ravenscroft@example.nhs.uk",
        region="Isles Hidden",
        specialty="Paediatric sepsis",
    )
    publish_profile(
        hidden, consent=False, show_bio=True, bio="Quentin's biography, never agreed to publish."
    )
    PosterFactory(fellow=hidden, title="Quentin's unpublished poster")
    portfolio_factories.TestimonialFactory(
        fellow=hidden, text="Only for the programme's reports.", may_publish=False
    )

    return {
        "round": rnd,
        "shown": shown,
        "poster": poster,
        "private_region": private_region,
        "hidden": hidden,
        # Anything of these must never reach a public page.
        "secrets": [
            "Quentin",
            "Ravenscroft",
            "Paediatric sepsis",
            "Isles Hidden",
            "never agreed to publish",
            "Only for the programme's reports.",
            "Kernow Hidden",  # a part Tobias chose not to show
            "Supervisor-Hidden",
            hidden.ref,
        ],
    }


def personal_data_in(text: str, secrets: list[str]) -> list[str]:
    """E-mail addresses and the secrets that appear in `text`."""
    found = [f"e-mail address {address!r}" for address in sorted(set(EMAIL.findall(text)))]
    return found + [f"{secret!r}" for secret in secrets if secret in text]


def directives(cache_control: str) -> set[str]:
    return {part.strip() for part in cache_control.split(",")}


def outbox_is_empty() -> bool:
    return not mail.outbox and not OutboxMessage.objects.exists()


def test_every_page_a_visitor_can_reach_works_is_accessible_and_shows_nothing_private(
    live_server, page, tmp_path, world
):
    base = live_server.url
    assert outbox_is_empty()

    sitemap = page.request.get(base + "/sitemap.xml")
    assert sitemap.status == 200
    from_sitemap = re.findall(r"<loc>\s*([^<\s]+)\s*</loc>", sitemap.text())
    assert {urlsplit(url).path for url in from_sitemap} == set(PUBLIC_PAGES)

    # The interest list is linked only while no round is open; it is a public page all the same.
    queue = [base + "/", *from_sitemap, base + "/robots.txt", base + "/interest/"]
    seen: set[str] = set()
    problems: list[str] = []
    html_pages: list[str] = []
    needs_sign_in: set[str] = set()
    linked_from: dict[str, str] = {url: "the sitemap" for url in from_sitemap}
    linked_from[base + "/interest/"] = "how to apply, while no round is open"

    while queue:
        url = urldefrag(queue.pop(0))[0]
        path = url[len(base) :] or "/"
        if url in seen or not url.startswith(base + "/") or path.startswith(NOT_CRAWLED):
            continue
        seen.add(url)
        assert len(seen) <= MAX_PAGES, f"more than {MAX_PAGES} pages: {sorted(seen)}"

        # The server's own answer, with no redirect followed: a page that asks to sign in is
        # not one a visitor can reach.
        response = page.request.get(url, max_redirects=0)
        where = response.headers.get("location", "")
        if response.status == 302 and where == f"/accounts/login/?next={quote(path)}":
            needs_sign_in.add(path)  # a signed-in page the visitor is told to sign in for
            continue
        if response.status != 200:
            to = f" to {where}" if where else ""
            problems.append(f"{path} (linked from {linked_from[url]}): HTTP {response.status}{to}")
            continue
        kind = response.headers.get("content-type", "")
        if kind.startswith(("text/", "application/xml")):
            problems += [
                f"{path}: {p}" for p in personal_data_in(response.text(), world["secrets"])
            ]
        if path in PUBLIC_PAGES and "public" not in response.headers.get("cache-control", ""):
            problems.append(f"{path}: not publicly cacheable ({response.headers['cache-control']})")
        if not kind.startswith("text/html"):
            continue

        page.goto(url)
        html_pages.append(path)
        problems += [f"{path}: {p}" for p in personal_data_in(page.content(), world["secrets"])]
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        try:
            check_page(page, f"{len(html_pages):02d}-{name}", tmp_path)
        except pytest.fail.Exception as failure:
            problems.append(str(failure))
        for link in page.eval_on_selector_all(
            "a[href], img[src]", "els => els.map(e => e.href || e.src)"
        ):
            linked_from.setdefault(urldefrag(link)[0], path)
            queue.append(link)

    assert not problems, "\n".join(dict.fromkeys(problems))
    # The privacy notices send people with an account to their data, behind the sign-in.
    assert needs_sign_in <= {"/your-data/"}, needs_sign_in
    # Everything the website is made of was reached, and shows what it should.
    for path in [*PUBLIC_PAGES, "/interest/", "/privacy/", "/privacy/portfolios/"]:
        assert path in html_pages, f"{path} was not reached by following links from /"
    assert any("/fellows/photos/" in url for url in seen)
    assert any("/projects/posters/" in url for url in seen)
    page.goto(base + "/fellows/")
    expect(page.get_by_role("heading", name="Imogen Castellano")).to_be_visible()
    expect(page.get_by_role("heading", name="A fellow of cohort 5")).to_have_count(0)
    expect(page.get_by_role("heading", name="Tobias Okonkwo")).to_be_visible()
    page.goto(base + "/")
    expect(page.get_by_text("The fellowship changed how our department adopts AI.")).to_be_visible()
    expect(page.get_by_text("A fellow of cohort 4")).to_be_visible()
    expect(page.get_by_text("I learnt to ask what a model was never shown.")).to_be_visible()
    expect(page.get_by_text("Tobias Okonkwo, cohort 5")).to_be_visible()
    assert outbox_is_empty(), "reading the public website sent an e-mail"


def test_withdrawn_consents_take_a_fellow_off_every_page_at_once(
    live_server, page, browser, tmp_path, world
):
    base = live_server.url
    shown, poster = world["shown"], world["poster"]
    profile = shown.public_profile
    photo_url = f"{base}/fellows/photos/{profile.pk}/"
    poster_url = f"{base}/projects/posters/{poster.pk}/"

    response = page.goto(base + "/fellows/")
    expect(page.get_by_role("heading", name="Imogen Castellano")).to_be_visible()
    expect(page.locator(f'img[src="/fellows/photos/{profile.pk}/"]')).to_have_count(1)
    # Kept by the browser and proxies, but revalidated (by its ETag) before every use.
    assert directives(response.headers["cache-control"]) == {"public", "no-cache"}
    assert response.headers["etag"]
    assert "Cookie" in response.headers["vary"]
    page.goto(base + "/projects/")
    expect(page.get_by_role("link", name="Triage at the front door")).to_be_visible()
    for url in (photo_url, poster_url):
        answer = page.request.get(url)
        assert answer.status == 200
        assert directives(answer.headers["cache-control"]) == {"private", "no-store"}

    # Signed in, the same page is never kept by a shared cache.
    signed_in = browser.new_context()
    try:
        other = signed_in.new_page()
        sign_in(other, base, make_person(Role.FELLOW))
        for path in PUBLIC_PAGES:
            control = directives(other.goto(base + path).headers["cache-control"])
            assert {"private", "no-store"} <= control and "public" not in control, (path, control)
    finally:
        signed_in.close()

    publishing.withdraw_website_consent(shown, WebsitePurpose.PUBLIC_PROFILE, by=shown.user)
    publishing.withdraw_website_consent(shown, WebsitePurpose.POSTER, by=shown.user)

    gone = ["Imogen Castellano", "Emergency physician leading", "Triage at the front door"]
    # What the server sends now (no browser cache involved) ...
    for path in PUBLIC_PAGES:
        answer = page.request.get(base + path)
        assert answer.status == 200
        assert not [text for text in gone if text in answer.text()], path
    # ... and what the visitor sees on coming back: the browser asks again, so its copy is not
    # shown.
    page.goto(base + "/fellows/")
    expect(page.get_by_role("heading", name="Tobias Okonkwo")).to_be_visible()
    expect(page.get_by_text("Imogen Castellano")).to_have_count(0)
    expect(page.locator("img")).to_have_count(0)
    check_page(page, "fellows-after-withdrawal", tmp_path)
    page.goto(base + "/projects/")
    expect(page.get_by_role("heading", name="Emergency triage with AI")).to_be_visible()
    expect(page.get_by_text("Triage at the front door")).to_have_count(0)
    expect(page.get_by_role("heading", name="Graduation posters")).to_have_count(0)
    for url in (photo_url, poster_url):
        assert page.request.get(url).status == 404, url
    # An anonymous quote names nobody, so it may stay.
    page.goto(base + "/")
    expect(page.get_by_text("The fellowship changed how our department adopts AI.")).to_be_visible()
    expect(page.get_by_text("A fellow of cohort 4")).to_be_visible()


def test_visitor_goes_from_the_home_page_to_a_saved_draft_application(
    live_server, page, tmp_path, world
):
    base = live_server.url
    shot = iter(range(1, 100))

    def screenshot(name):
        check_page(page, f"{next(shot):02d}-{name}", tmp_path)

    page.goto(base + "/")
    expect(
        page.get_by_text("Applications for Cohort 6 national recruitment are open")
    ).to_be_visible()
    page.get_by_role("navigation", name="About the programme").get_by_role(
        "link", name="How to apply"
    ).click()
    page.wait_for_url(base + "/apply-for-the-fellowship/")
    expect(page.get_by_role("heading", name="Leadership")).to_be_visible()
    expect(page.get_by_text("Reference letter: From a consultant.")).to_be_visible()
    expect(
        page.get_by_text("Nursing: from Wessex (posts funded by Wessex Nursing Fund).")
    ).to_be_visible()
    screenshot("how-to-apply")
    page.get_by_role("link", name="Apply now").click()

    page.wait_for_url(re.compile(r"/accounts/signup/\?next=/apply/$"))
    page.get_by_label("Email address").fill("new.applicant@example.org")
    page.get_by_label("Full name").fill("Nadia Newcomer")
    page.get_by_label("Password", exact=True).fill("a-long-Passphrase-42")
    page.get_by_label("Password (again)").fill("a-long-Passphrase-42")
    screenshot("sign-up")
    page.get_by_role("button", name=re.compile("Sign up|Create", re.I)).click()

    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(base + "/" + link.split("://", 1)[1].split("/", 1)[1])
    page.get_by_role("button", name="Confirm").click()
    # Signed in by confirming, and back to the open rounds the visitor came for.
    page.wait_for_url(base + "/apply/")
    expect(page.get_by_role("heading", name="Cohort 6 national recruitment")).to_be_visible()
    screenshot("open-rounds")
    page.get_by_role("link", name=re.compile("Start your application")).click()
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(re.compile(r"/apply/APP-[0-9A-F]+/eligibility/$"))
    page.get_by_label("Profession", exact=True).select_option(label="Medicine")
    page.get_by_label("Professional registration body").select_option(
        label="General Medical Council (GMC)"
    )
    page.get_by_label("Registration number").fill("7654321")
    page.get_by_label("Grade or band").fill("ST6")
    page.get_by_label("Region you are applying in").select_option(label="North East")
    page.get_by_label("Specialty").fill("Critical care")
    page.get_by_label("Employing organisation").fill(
        "Northgate University Hospitals NHS Foundation Trust"
    )
    screenshot("eligibility")
    page.get_by_role("button", name="Save and come back later").click()

    application = Application.objects.get(applicant__email="new.applicant@example.org")
    page.wait_for_url(base + f"/apply/{application.ref}/")
    expect(page.get_by_text("Your application has been saved")).to_be_visible()
    expect(page.locator("#task-eligibility-status")).to_have_text("Completed")
    screenshot("task-list")
    assert application.round == world["round"]
    assert application.profession == Profession.MEDICINE
    assert application.registration_number == "7654321"
    assert application.grade == "ST6"
    assert application.region.name == "North East"
    assert application.employer == "Northgate University Hospitals NHS Foundation Trust"
    assert application.submitted_at is None

    page.goto(base + f"/apply/{application.ref}/eligibility/")
    page.reload()
    expect(page.get_by_label("Grade or band")).to_have_value("ST6")
    expect(page.get_by_label("Registration number")).to_have_value("7654321")
    expect(page.get_by_label("Specialty")).to_have_value("Critical care")
