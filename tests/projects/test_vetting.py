"""Faculty vetting through the review page: the checklist rules, the state changes a review makes,
two-reviewer approval, the review queue, the checklist's upkeep and who may do any of it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fellowship.enums import FellowStatus
from projects import services
from projects.enums import Answer, ChecklistGroup, Decision, ProposalStatus
from projects.models import ChecklistAnswer, ChecklistItem, Project, Review

from ..factories import FellowFactory, ProjectFactory, complete_proposal

pytestmark = pytest.mark.django_db

NOT_FACULTY = ["outsider", "applicant", "fellow", "alumnus", "supervisor", "panellist", "funder"]


def submitted(**fields) -> Project:
    project = complete_proposal(ProjectFactory(**fields))
    services.submit_proposal(project, by=project.supervisor)
    project.refresh_from_db()
    return project


def review_data(
    decision: str = Decision.APPROVED, answer: str = Answer.MET, comment: str = "", **overrides
) -> dict:
    """A POST for the review page answering every active item alike; overrides win."""
    data = {"decision": decision, "comments": "Overall fine."}
    for item in ChecklistItem.objects.filter(active=True):
        data[f"item-{item.pk}-answer"] = answer
        data[f"item-{item.pk}-comment"] = comment
    data.update(overrides)
    return data


def first_item() -> ChecklistItem:
    return ChecklistItem.objects.filter(active=True).order_by("pk").first()


@pytest.fixture
def project():
    return submitted()


@pytest.fixture
def url(project):
    return reverse("proposal_review", args=[project.ref])


# The review page ------------------------------------------------------------------------------


def test_review_page_groups_every_active_item_under_its_group(faculty_client, url):
    ChecklistItem.objects.create(group=ChecklistGroup.ROLES, text="Retired question", active=False)
    response = faculty_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ChecklistGroup.labels:
        assert f'<h3 class="nhsuk-fieldset__heading">{label}</h3>' in html
    for item in ChecklistItem.objects.filter(active=True):
        assert f'name="item-{item.pk}-answer"' in html
        assert f'name="item-{item.pk}-comment"' in html
    assert "Retired question" not in html
    assert 'name="decision"' in html
    assert "AI modality" in html  # the proposal as submitted, with its labels


def test_approval_with_every_item_met_approves_the_proposal(
    faculty_client, role_users, project, url
):
    response = faculty_client.post(url, review_data(Decision.APPROVED))
    assert response.status_code == 302
    assert response["Location"] == reverse("review_queue")
    project.refresh_from_db()
    assert project.status == ProposalStatus.APPROVED
    assert project.decided_at is not None
    review = Review.objects.get(project=project)
    assert review.reviewer == role_users["faculty"]
    assert review.decision == Decision.APPROVED
    assert review.answers.count() == ChecklistItem.objects.filter(active=True).count()


def test_cannot_approve_with_any_item_not_met(faculty_client, project, url):
    item = first_item()
    data = review_data(
        Decision.APPROVED,
        **{f"item-{item.pk}-answer": Answer.NOT_MET, f"item-{item.pk}-comment": "No CSO"},
    )
    response = faculty_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "A proposal cannot be approved while any checklist item is not met" in html
    assert "This item is not met, so the proposal cannot be approved" in html
    assert not Review.objects.exists()
    assert not ChecklistAnswer.objects.exists()
    project.refresh_from_db()
    assert project.status == ProposalStatus.SUBMITTED


def test_every_item_must_be_answered(faculty_client, project, url):
    item = first_item()
    data = review_data(Decision.APPROVED)
    del data[f"item-{item.pk}-answer"]
    response = faculty_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Answer every checklist item (1 unanswered)" in html
    # The summary links to the unanswered item.
    assert f'href="#id_item-{item.pk}-answer_0"' in html
    assert not Review.objects.exists()
    project.refresh_from_db()
    assert project.status == ProposalStatus.SUBMITTED


def test_a_decision_is_required(faculty_client, url):
    data = review_data()
    del data["decision"]
    response = faculty_client.post(url, data)
    assert response.status_code == 200
    assert "Select a decision" in response.content.decode()
    assert not Review.objects.exists()


def test_a_missing_decision_and_unanswered_items_are_reported_together(faculty_client, url):
    item = first_item()
    data = review_data()
    del data["decision"]
    del data[f"item-{item.pk}-answer"]
    html = faculty_client.post(url, data).content.decode()
    assert "Select a decision" in html
    assert "Answer every checklist item (1 unanswered)" in html
    assert f'href="#id_item-{item.pk}-answer_0"' in html
    assert not Review.objects.exists()


def test_asking_for_revision_needs_a_comment(faculty_client, project, url):
    response = faculty_client.post(url, review_data(Decision.REVISE))
    assert response.status_code == 200
    assert "Say what needs to change" in response.content.decode()
    assert not Review.objects.exists()
    item = first_item()
    data = review_data(
        Decision.REVISE,
        **{f"item-{item.pk}-answer": Answer.NOT_MET, f"item-{item.pk}-comment": "Name the CSO"},
    )
    assert faculty_client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert project.status == ProposalStatus.REVISE
    answer = ChecklistAnswer.objects.get(item=item)
    assert (answer.answer, answer.comment) == (Answer.NOT_MET, "Name the CSO")


def test_declining_declines_the_proposal(faculty_client, project, url):
    assert (
        faculty_client.post(url, review_data(Decision.DECLINED, comment="Out of scope")).status_code
        == 302
    )
    project.refresh_from_db()
    assert project.status == ProposalStatus.DECLINED


def test_two_reviewers_must_approve_when_the_setting_asks(
    settings, faculty_client, person, login, project, url
):
    settings.PROJECT_APPROVALS_REQUIRED = 2
    assert faculty_client.post(url, review_data(Decision.APPROVED)).status_code == 302
    project.refresh_from_db()
    assert project.status == ProposalStatus.SUBMITTED
    # The first reviewer is listed in the queue; the proposal is still waiting.
    queue = faculty_client.get(reverse("review_queue")).content.decode()
    assert project.title in queue

    second = login(person("faculty"))
    page = second.get(url).content.decode()
    assert "1 review recorded on this version" in page
    assert second.post(url, review_data(Decision.APPROVED)).status_code == 302
    project.refresh_from_db()
    assert project.status == ProposalStatus.APPROVED
    assert Review.objects.filter(version__project=project).count() == 2


def test_review_page_prefills_the_reviewers_own_earlier_review(
    settings, faculty_client, person, login, project, url
):
    settings.PROJECT_APPROVALS_REQUIRED = 2
    item = first_item()
    data = review_data(
        Decision.APPROVED, comment="", **{f"item-{item.pk}-comment": "Strong safety case"}
    )
    faculty_client.post(url, data)
    html = faculty_client.get(url).content.decode()
    assert "Strong safety case" in html
    assert f'name="item-{item.pk}-answer" type="radio" value="met" checked' in html
    assert "including yours" in html
    # Another reviewer starts from a blank form.
    other = login(person("faculty")).get(url).content.decode()
    assert "Strong safety case" not in other
    assert " checked" not in other


def test_resubmission_is_reviewed_as_a_new_version(faculty_client, project, url):
    item = first_item()
    faculty_client.post(
        url,
        review_data(
            Decision.REVISE,
            **{f"item-{item.pk}-answer": Answer.NOT_MET, f"item-{item.pk}-comment": "Fix"},
        ),
    )
    project.refresh_from_db()
    services.submit_proposal(project, by=project.supervisor)
    html = faculty_client.get(url).content.decode()
    assert "version 2" in html
    assert "No one has reviewed this version yet" in html
    assert "Fix" not in html  # the form starts afresh for the new version
    assert faculty_client.post(url, review_data(Decision.APPROVED)).status_code == 302
    project.refresh_from_db()
    assert project.status == ProposalStatus.APPROVED


@pytest.mark.parametrize(
    "status", [ProposalStatus.DRAFT, ProposalStatus.APPROVED, ProposalStatus.REVISE]
)
def test_only_proposals_awaiting_review_can_be_reviewed(faculty_client, project, url, status):
    Project.objects.filter(pk=project.pk).update(status=status)
    response = faculty_client.get(url)
    assert response.status_code == 200
    assert "is not waiting for a review" in response.content.decode()
    faculty_client.post(url, review_data(Decision.APPROVED))
    assert not Review.objects.exists()


def test_retired_items_are_not_asked_but_stay_on_old_reviews(faculty_client, project, url):
    item = first_item()
    faculty_client.post(url, review_data(Decision.REVISE, comment="See above"))
    answer = ChecklistAnswer.objects.get(item=item)
    faculty_client.post(reverse("checklist_item", args=[item.pk]), {"action": "retire"})
    item.refresh_from_db()
    assert not item.active
    assert ChecklistAnswer.objects.filter(pk=answer.pk).exists()
    project.refresh_from_db()
    services.submit_proposal(project, by=project.supervisor)
    assert f'name="item-{item.pk}-answer"' not in faculty_client.get(url).content.decode()
    assert faculty_client.post(url, review_data(Decision.APPROVED)).status_code == 302


# The review queue ------------------------------------------------------------------------------


def test_queue_lists_awaiting_proposals_with_version_and_reviewers(
    settings, faculty_client, role_users
):
    settings.PROJECT_APPROVALS_REQUIRED = 2
    waiting = submitted(title="Sepsis early warning")
    services.record_review(
        waiting,
        by=role_users["faculty"],
        answers={i.pk: (Answer.MET, "") for i in ChecklistItem.objects.filter(active=True)},
        decision=Decision.APPROVED,
    )
    draft = ProjectFactory(title="Draft idea")
    declined = submitted(title="Declined idea")
    services.record_review(
        declined,
        by=role_users["faculty"],
        answers={i.pk: (Answer.MET, "No") for i in ChecklistItem.objects.filter(active=True)},
        decision=Decision.DECLINED,
    )
    html = faculty_client.get(reverse("review_queue")).content.decode()
    assert "Sepsis early warning" in html
    assert reverse("proposal_review", args=[waiting.ref]) in html
    assert role_users["faculty"].get_full_name() + " (you): approve" in html
    assert draft.title not in html
    assert "Recently decided" in html and "Declined idea" in html


def test_alumnus_supervisors_are_tagged_in_the_queue(faculty_client, person):
    alumnus = person("alumnus", "supervisor")
    FellowFactory(user=alumnus, status=FellowStatus.GRADUATED)
    submitted(supervisor=alumnus, title="Alumnus project")
    submitted(title="Other project")
    html = faculty_client.get(reverse("review_queue")).content.decode()
    assert html.count("Alumnus supervisor") == 1


def test_review_queue_uses_a_fixed_number_of_queries(faculty_client, role_users):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert faculty_client.get(reverse("review_queue")).status_code == 200
        return len(ctx.captured_queries)

    answers = {i.pk: (Answer.MET, "Fine") for i in ChecklistItem.objects.filter(active=True)}
    submitted()
    services.record_review(
        submitted(), by=role_users["faculty"], answers=answers, decision=Decision.DECLINED
    )
    few = queries()
    for _ in range(4):
        submitted()
        services.record_review(
            submitted(), by=role_users["faculty"], answers=answers, decision=Decision.APPROVED
        )
    assert queries() == few


# The checklist ---------------------------------------------------------------------------------


def test_faculty_add_a_checklist_item(faculty_client):
    response = faculty_client.post(
        reverse("checklist"),
        {
            "group": ChecklistGroup.RESOURCES,
            "text": "Funding for the fellow's travel",
            "guidance": "",
            "position": 9,
        },
    )
    assert response.status_code == 302
    item = ChecklistItem.objects.get(text="Funding for the fellow's travel")
    assert item.active and item.group == ChecklistGroup.RESOURCES
    assert (
        "Funding for the fellow&#x27;s travel"
        in faculty_client.get(reverse("checklist")).content.decode()
    )


def test_adding_an_item_without_text_shows_an_error(faculty_client):
    response = faculty_client.post(
        reverse("checklist"), {"group": ChecklistGroup.RESOURCES, "text": "", "position": 1}
    )
    assert response.status_code == 200
    assert "Enter what the reviewer checks" in response.content.decode()


def test_faculty_change_an_unused_item(faculty_client):
    item = first_item()
    data = {"group": item.group, "text": "Reworded", "guidance": "New guidance", "position": 3}
    assert faculty_client.post(reverse("checklist_item", args=[item.pk]), data).status_code == 302
    item.refresh_from_db()
    assert (item.text, item.guidance, item.position) == ("Reworded", "New guidance", 3)


def test_an_answered_items_wording_cannot_change(faculty_client, role_users, project):
    item = first_item()
    answers = {i.pk: (Answer.MET, "") for i in ChecklistItem.objects.filter(active=True)}
    services.record_review(
        project, by=role_users["faculty"], answers=answers, decision=Decision.APPROVED
    )
    original = item.text
    data = {
        "group": ChecklistGroup.EDUCATION,
        "text": "Something else",
        "guidance": "Clearer",
        "position": 7,
    }
    assert faculty_client.post(reverse("checklist_item", args=[item.pk]), data).status_code == 302
    item.refresh_from_db()
    assert (item.text, item.guidance, item.position) == (original, "Clearer", 7)


def test_a_retired_item_can_be_reinstated(faculty_client):
    item = first_item()
    faculty_client.post(reverse("checklist_item", args=[item.pk]), {"action": "retire"})
    assert "Retired items" in faculty_client.get(reverse("checklist")).content.decode()
    faculty_client.post(reverse("checklist_item", args=[item.pk]), {"action": "reinstate"})
    item.refresh_from_db()
    assert item.active


# Permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_FACULTY)
def test_only_faculty_vet_and_manage_the_checklist(request, role, project):
    client = request.getfixturevalue(f"{role}_client")
    item = first_item()
    urls = [
        reverse("review_queue"),
        reverse("proposal_review", args=[project.ref]),
        reverse("checklist"),
        reverse("checklist_item", args=[item.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(urls[1], review_data(Decision.APPROVED)).status_code == 403
    assert client.post(urls[3], {"action": "retire"}).status_code == 403
    assert not Review.objects.exists()
    item.refresh_from_db()
    assert item.active


def test_supervisor_of_the_project_cannot_vet_it(login, project):
    client = login(project.supervisor)
    assert (
        client.post(reverse("proposal_review", args=[project.ref]), review_data()).status_code
        == 403
    )
    assert not Review.objects.exists()


def test_faculty_see_the_vetting_pages(faculty_client, project):
    for url in (
        reverse("review_queue"),
        reverse("checklist"),
        reverse("checklist_item", args=[first_item().pk]),
    ):
        assert faculty_client.get(url).status_code == 200, url


def test_faculty_navigation_links_to_the_review_queue(faculty_client):
    html = faculty_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("review_queue")}"' in html
