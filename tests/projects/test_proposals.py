"""The supervisor's side of proposals: the list, drafting on the standard template, submitting,
reading the feedback item by item, comparing versions, and who may do any of it."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from fellowship.enums import Role
from fellowship.models import CurriculumTheme
from projects import services
from projects.enums import Answer, Decision, ProposalStatus
from projects.forms.proposals import PAGE_ORDER, SECTIONS, ProposalForm, proposal_formsets
from projects.models import ChecklistItem, Hazard, Milestone, Placement, Project, ProposalVersion

from ..factories import (
    CohortFactory,
    FellowFactory,
    OrganisationFactory,
    ProjectFactory,
    RegionFactory,
    complete_proposal,
)

pytestmark = pytest.mark.django_db

ROLES = ["outsider", *[r.value for r in Role]]


# Helpers --------------------------------------------------------------------------------------


def post_data(project: Project, **overrides) -> dict:
    """What the edit page would post for `project` unchanged (its saved rows and one blank row
    per list); `overrides` win."""
    data = {}
    form = ProposalForm(instance=project)
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    for prefix, formset in proposal_formsets(project).items():
        management = formset.management_form
        for name in management.fields:
            data[f"{prefix}-{name}"] = management[name].value()
        for subform in formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                if value is False:
                    continue  # an unticked box is not posted
                data[subform.add_prefix(name)] = "" if value is None else value
    data.update(overrides)
    return data


def blank_row(data: dict, prefix: str) -> int:
    """The index of the blank row that post_data adds to each list."""
    return int(data[f"{prefix}-TOTAL_FORMS"]) - 1


def review(project: Project, reviewer, decision: str, *, not_met: ChecklistItem | None = None):
    """Record a review answering every active item: met, or not met for `not_met`."""
    answers = {
        item.pk: (Answer.NOT_MET, "Name the clinical safety officer")
        if item == not_met
        else (Answer.MET, "")
        for item in ChecklistItem.objects.filter(active=True)
    }
    return services.record_review(
        project, by=reviewer, answers=answers, decision=decision, comments="Promising work."
    )


def submitted(**fields) -> Project:
    project = complete_proposal(ProjectFactory(**fields))
    services.submit_proposal(project, by=project.supervisor)
    project.refresh_from_db()
    return project


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def cohort():
    """A cohort that starts next year, open for proposals."""
    next_year = datetime.date.today().year + 1
    return CohortFactory(
        number=40,
        start_date=datetime.date(next_year, 9, 1),
        end_date=datetime.date(next_year + 1, 8, 31),
    )


@pytest.fixture
def draft(role_users, cohort):
    return ProjectFactory(
        supervisor=role_users["supervisor"], cohort=cohort, title="Chest X-ray triage"
    )


def url(name: str, project: Project) -> str:
    return reverse(name, args=[project.ref])


# Who may reach what ---------------------------------------------------------------------------

# Expected status per role for a draft owned by the `supervisor` role user.
DRAFT_ACCESS = {
    "proposal_list": ("get", {"alumnus": 200, "supervisor": 200, "faculty": 200}, 403),
    "proposal_create": ("get", {"alumnus": 200, "supervisor": 200, "faculty": 200}, 403),
    "proposal_detail": ("get", {"supervisor": 200, "faculty": 200}, 404),
    "proposal_update": ("get", {"supervisor": 200, "faculty": 403}, 404),
    "proposal_versions": ("get", {"supervisor": 200, "faculty": 200}, 404),
    "proposal_submit": ("get", {}, 405),
}


@pytest.mark.parametrize("name", DRAFT_ACCESS)
def test_who_may_reach_a_draft(name, draft, client, request):
    method, allowed, otherwise = DRAFT_ACCESS[name]
    path = reverse(name) if name in ("proposal_list", "proposal_create") else url(name, draft)
    response = getattr(client, method)(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for role in ROLES:
        response = getattr(request.getfixturevalue(f"{role}_client"), method)(path)
        assert response.status_code == allowed.get(role, otherwise), role


@pytest.mark.parametrize("role", ROLES)
def test_only_the_supervisor_may_submit_a_draft(role, draft, request):
    response = request.getfixturevalue(f"{role}_client").post(url("proposal_submit", draft))
    expected = {"supervisor": 200, "faculty": 403}.get(
        role, 404
    )  # 200: the page of what is missing
    assert response.status_code == expected
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.DRAFT


# The list -------------------------------------------------------------------------------------


def test_supervisors_see_only_their_own_proposals(supervisor_client, draft, person):
    ProjectFactory(supervisor=person(Role.SUPERVISOR), title="Someone else's sepsis model")
    page = html(supervisor_client.get(reverse("proposal_list")))
    assert "Chest X-ray triage" in page
    assert "sepsis" not in page
    assert "Propose a project" in page
    assert 'name="status"' not in page  # the filters are the faculty's


def test_the_list_shows_status_submitted_date_and_latest_decision(
    supervisor_client, role_users, cohort
):
    project = submitted(supervisor=role_users["supervisor"], cohort=cohort)
    review(project, role_users["faculty"], Decision.REVISE, not_met=ChecklistItem.objects.first())
    page = html(supervisor_client.get(reverse("proposal_list")))
    assert project.title in page
    assert "Revise and resubmit" in page
    assert f"{project.submitted_at:%-d %b %Y}" in page


def test_a_supervisor_without_proposals_is_told_so(login, person):
    page = html(login(person(Role.SUPERVISOR)).get(reverse("proposal_list")))
    assert "You have not proposed a project yet" in page


def test_faculty_see_every_proposal_and_can_filter(faculty_client, draft, person):
    other_region = RegionFactory(name="Wales")
    other = ProjectFactory(
        supervisor=person(Role.SUPERVISOR), title="Sepsis early warning", region=other_region
    )
    page = html(faculty_client.get(reverse("proposal_list")))
    assert "Chest X-ray triage" in page and "Sepsis early warning" in page

    page = html(faculty_client.get(reverse("proposal_list"), {"region": other_region.pk}))
    assert "Sepsis early warning" in page and "Chest X-ray triage" not in page

    page = html(faculty_client.get(reverse("proposal_list"), {"cohort": draft.cohort.pk}))
    assert "Chest X-ray triage" in page and "Sepsis early warning" not in page

    services.submit_proposal(complete_proposal(other), by=other.supervisor)
    page = html(faculty_client.get(reverse("proposal_list"), {"status": "submitted"}))
    assert "Sepsis early warning" in page and "Chest X-ray triage" not in page


@pytest.mark.parametrize("role", ["supervisor", "faculty"])
def test_the_list_uses_a_fixed_number_of_queries(role, request, role_users, cohort, person):
    client = request.getfixturevalue(f"{role}_client")
    supervisor = role_users["supervisor"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("proposal_list")).status_code == 200
        return len(ctx.captured_queries)

    first = submitted(supervisor=supervisor, cohort=cohort, region=RegionFactory())
    review(first, role_users["faculty"], Decision.REVISE, not_met=ChecklistItem.objects.first())
    one = queries()
    for _ in range(4):
        project = submitted(supervisor=supervisor, cohort=CohortFactory(), region=RegionFactory())
        review(project, person(Role.FACULTY), Decision.APPROVED)
    assert queries() == one


# Drafting -------------------------------------------------------------------------------------


def test_the_form_is_in_sections_with_the_lists(supervisor_client):
    page = html(supervisor_client.get(reverse("proposal_create")))
    positions = []
    for heading in ("Project", "Clinical problem and AI technology", "Deployment and data",
                    "Hazard log", "Roles and responsibilities", "Resources", "Educational aims",
                    "Milestones", "Capacity and theme"):  # fmt: skip
        assert f">{heading}</h2>" in page
        positions.append(page.index(f">{heading}</h2>"))
    assert positions == sorted(positions)
    for name in ("hazards-0-severity", "aims-0-theme", "milestones-0-target_month"):
        assert f'name="{name}"' in page
    assert "Save draft" in page


def test_the_sections_hold_every_field_of_the_template():
    in_sections = [name for _, names in SECTIONS for name in names]
    assert sorted(in_sections) == sorted(["cohort", *services.TEMPLATE_FIELDS])
    assert len(PAGE_ORDER) == len(SECTIONS) + 3


def test_a_draft_needs_only_a_title_and_a_cohort(supervisor_client, role_users, cohort):
    name = role_users["supervisor"].get_full_name()
    page = html(supervisor_client.get(reverse("proposal_create")))
    assert f'name="supervisor_name" value="{name}"' in page  # the named supervisor, to start with
    data = post_data(Project(supervisor_name=name), title="Sepsis early warning", cohort=cohort.pk)
    response = supervisor_client.post(reverse("proposal_create"), data)
    project = Project.objects.get(title="Sepsis early warning")
    assert response.status_code == 302
    assert response["Location"] == url("proposal_detail", project)
    assert project.supervisor == role_users["supervisor"]
    assert project.status == ProposalStatus.DRAFT
    assert project.cohort == cohort
    assert project.supervisor_name == name


def test_without_a_title_nothing_is_saved_but_the_text_is_kept(supervisor_client, cohort):
    data = post_data(Project(), title="", cohort=cohort.pk, summary="A careful summary")
    response = supervisor_client.post(reverse("proposal_create"), data)
    assert response.status_code == 200
    page = html(response)
    assert "There is a problem" in page
    assert "Enter a project title" in page
    assert "A careful summary" in page
    assert not Project.objects.exists()


def test_cohorts_offered_are_current_and_future_ones(supervisor_client, cohort):
    today = datetime.date.today()
    past = CohortFactory(
        number=38,
        start_date=datetime.date(today.year - 3, 9, 1),
        end_date=datetime.date(today.year - 2, 8, 31),
    )
    current = CohortFactory(
        number=39,
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=300),
    )
    form = ProposalForm()
    offered = list(form.fields["cohort"].queryset)
    assert offered == [current, cohort]
    assert past not in offered
    # A draft keeps its own cohort on offer, even once that cohort has ended.
    assert past in ProposalForm(instance=ProjectFactory(cohort=past)).fields["cohort"].queryset


def test_save_draft_keeps_what_validates_and_shows_the_rest(supervisor_client, draft):
    data = post_data(draft, summary="Triage of chest X-rays", capacity="50")
    response = supervisor_client.post(url("proposal_update", draft), data)
    assert response.status_code == 200
    page = html(response)
    assert "There is a problem" in page
    assert "We saved the answers we could" in page
    assert "Enter the number of fellows it can host, from 1 to 10" in page
    assert 'value="50"' in page  # what was typed is shown again
    draft.refresh_from_db()
    assert draft.summary == "Triage of chest X-rays"
    assert draft.capacity == 1


def test_lists_are_saved_and_an_incomplete_row_is_shown_again(supervisor_client, draft):
    theme = CurriculumTheme.objects.first()
    data = post_data(draft)
    h, a, m = blank_row(data, "hazards"), blank_row(data, "aims"), blank_row(data, "milestones")
    data.update({
        f"hazards-{h}-hazard": "Missed pneumothorax", f"hazards-{h}-cause": "Small, apical",
        f"hazards-{h}-severity": "4", f"hazards-{h}-likelihood": "2",  # no effect, no mitigation
        f"aims-{a}-theme": theme.pk, f"aims-{a}-aim": "Evaluate a deployed model",
        f"milestones-{m}-title": "Baseline audit", f"milestones-{m}-target_month": "3",
    })  # fmt: skip
    response = supervisor_client.post(url("proposal_update", draft), data)
    assert response.status_code == 200
    page = html(response)
    assert "Enter the mitigation" in page and "Enter the effect of the hazard" in page
    assert "Missed pneumothorax" in page
    assert not draft.hazards.exists()
    assert draft.educational_aims.get().aim == "Evaluate a deployed model"
    assert draft.milestones.get().title == "Baseline audit"
    # The saved lists come back as saved rows, so saving the page again does not add them twice.
    assert 'name="milestones-INITIAL_FORMS" value="1"' in page
    assert 'name="hazards-INITIAL_FORMS" value="0"' in page


def test_a_new_draft_is_saved_even_when_a_row_is_incomplete(supervisor_client, cohort):
    data = post_data(Project(), title="Sepsis early warning", cohort=cohort.pk)
    data["milestones-0-title"] = "Go live"  # no target month
    response = supervisor_client.post(reverse("proposal_create"), data)
    assert response.status_code == 200
    project = Project.objects.get(title="Sepsis early warning")
    page = html(response)
    assert "Enter the target month, from 1 to 12" in page
    assert 'value="Go live"' in page
    # The page now changes the saved draft rather than making a second one.
    assert f'action="{url("proposal_update", project)}"' in page
    assert not project.milestones.exists()


def test_rows_can_be_added_and_removed(supervisor_client, draft):
    hazard = Hazard.objects.create(
        project=draft,
        hazard="Old hazard",
        cause="c",
        effect="e",
        severity=1,
        likelihood=1,
        mitigation="m",
    )
    data = post_data(draft, **{"hazards-0-DELETE": "on"})
    m = blank_row(data, "milestones")
    data.update({f"milestones-{m}-title": "Go live", f"milestones-{m}-target_month": "9"})
    response = supervisor_client.post(url("proposal_update", draft), {**data, "action": "continue"})
    assert response.status_code == 302
    assert response["Location"] == url("proposal_update", draft)
    assert not Hazard.objects.filter(pk=hazard.pk).exists()
    assert list(Milestone.objects.filter(project=draft).values_list("title", "target_month")) == [
        ("Go live", 9)
    ]


def test_hosts_and_regions_are_chosen_from_the_programmes_lists(supervisor_client, draft):
    host = OrganisationFactory(name="Leeds Teaching Hospitals NHS Trust")
    region = RegionFactory(name="North East and Yorkshire")
    page = html(supervisor_client.get(url("proposal_update", draft)))
    assert "Leeds Teaching Hospitals NHS Trust" in page and "North East and Yorkshire" in page
    data = post_data(draft, host_organisation=host.pk, region=region.pk)
    assert supervisor_client.post(url("proposal_update", draft), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.host_organisation, draft.region) == (host, region)


def test_a_submitted_proposal_cannot_be_edited(supervisor_client, role_users, cohort):
    project = submitted(supervisor=role_users["supervisor"], cohort=cohort)
    assert supervisor_client.get(url("proposal_update", project)).status_code == 403
    response = supervisor_client.post(
        url("proposal_update", project), post_data(project, title="Changed")
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title != "Changed"
    assert "Change your proposal" not in html(
        supervisor_client.get(url("proposal_detail", project))
    )


def test_a_proposal_sent_back_for_revision_can_be_edited(supervisor_client, role_users, cohort):
    project = submitted(supervisor=role_users["supervisor"], cohort=cohort)
    review(project, role_users["faculty"], Decision.REVISE, not_met=ChecklistItem.objects.first())
    assert supervisor_client.get(url("proposal_update", project)).status_code == 200


# Submitting -----------------------------------------------------------------------------------


def test_submitting_an_incomplete_proposal_lists_what_is_missing_and_changes_nothing(
    supervisor_client, draft
):
    response = supervisor_client.post(url("proposal_submit", draft))
    assert response.status_code == 200
    page = html(response)
    assert "There is a problem" in page
    for message in ("Summary is missing", "Add at least one hazard to the hazard log",
                    "Add at least one milestone with its target month"):  # fmt: skip
        assert message in page
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.DRAFT
    assert draft.submitted_at is None
    assert not ProposalVersion.objects.exists()


def test_the_detail_page_says_what_is_missing_before_submitting(supervisor_client, draft):
    page = html(supervisor_client.get(url("proposal_detail", draft)))
    assert "Not ready to submit" in page
    assert "Summary is missing" in page
    assert "There is a problem" not in page  # no error before the person has done anything


def test_submitting_a_complete_proposal_emails_the_faculty(
    supervisor_client, role_users, draft, django_capture_on_commit_callbacks
):
    complete_proposal(draft)
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor_client.post(url("proposal_submit", draft))
    assert response.status_code == 302
    assert response["Location"] == url("proposal_detail", draft)
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.SUBMITTED
    assert draft.versions.get().number == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [role_users["faculty"].email]
    assert draft.title in mail.outbox[0].subject
    page = html(supervisor_client.get(url("proposal_detail", draft)))
    assert "Your proposal has been submitted" in page
    assert "Version 1" in page


def test_a_second_click_on_submit_is_harmless(supervisor_client, draft):
    complete_proposal(draft)
    supervisor_client.post(url("proposal_submit", draft))
    response = supervisor_client.post(url("proposal_submit", draft))
    assert response.status_code == 302
    assert draft.versions.count() == 1


# Reading a proposal and its feedback ----------------------------------------------------------


@pytest.fixture
def sent_back(role_users, cohort):
    """A proposal the faculty sent back, with one checklist item not met."""
    project = submitted(supervisor=role_users["supervisor"], cohort=cohort)
    item = ChecklistItem.objects.filter(active=True).order_by("pk").first()
    review(project, role_users["faculty"], Decision.REVISE, not_met=item)
    return project, item


def test_the_supervisor_reads_the_feedback_item_by_item(supervisor_client, role_users, sent_back):
    project, item = sent_back
    page = html(supervisor_client.get(url("proposal_detail", project)))
    assert "Feedback on version 1" in page
    assert "Revise and resubmit" in page
    assert "Promising work." in page
    assert escape(item.text) in page and escape(item.get_group_display()) in page
    assert "Name the clinical safety officer" in page
    assert "nhsuk-tag--red" in page and ">Not met<" in page
    for other in ChecklistItem.objects.filter(active=True).exclude(pk=item.pk):
        assert escape(other.text) in page
    assert role_users["faculty"].get_full_name() in page
    assert "Change your proposal" in page and "Resubmit proposal" in page


def test_another_supervisor_cannot_see_the_proposal_or_its_feedback(login, person, sent_back):
    project, _ = sent_back
    other = login(person(Role.SUPERVISOR))
    for name in ("proposal_detail", "proposal_update", "proposal_versions"):
        assert other.get(url(name, project)).status_code == 404
    assert other.post(url("proposal_submit", project)).status_code == 404
    assert project.title not in html(other.get(reverse("proposal_list")))


def test_faculty_see_the_feedback_but_cannot_edit(faculty_client, sent_back):
    project, _ = sent_back
    page = html(faculty_client.get(url("proposal_detail", project)))
    assert "Feedback on version 1" in page
    assert "Name the clinical safety officer" in page
    assert "Change your proposal" not in page
    assert faculty_client.post(url("proposal_submit", project)).status_code == 403


@pytest.mark.parametrize("role", ["fellow", "alumnus"])
def test_fellows_and_alumni_see_approved_proposals_without_the_feedback(
    role, request, role_users, cohort
):
    client = request.getfixturevalue(f"{role}_client")
    project = submitted(supervisor=role_users["supervisor"], cohort=cohort)
    assert client.get(url("proposal_detail", project)).status_code == 404
    review(project, role_users["faculty"], Decision.APPROVED)
    response = client.get(url("proposal_detail", project))
    assert response.status_code == 200
    page = html(response)
    assert project.title in page and "Radiologist reads every image" in page
    assert "Feedback on version" not in page and "Promising work." not in page
    assert "Change your proposal" not in page
    assert client.get(url("proposal_versions", project)).status_code == 200


def test_a_fellow_placed_on_a_project_sees_it(login, person, role_users, cohort):
    project = submitted(supervisor=role_users["supervisor"], cohort=cohort)
    user = person(Role.FELLOW)
    client = login(user)
    assert client.get(url("proposal_detail", project)).status_code == 404
    Placement.objects.create(project=project, fellow=FellowFactory(user=user, cohort=cohort))
    assert client.get(url("proposal_detail", project)).status_code == 200


def test_the_hazard_log_shows_each_hazards_clinical_risk(supervisor_client, draft):
    Hazard.objects.create(
        project=draft, hazard="Missed cancer", cause="Low sensitivity", effect="Delayed treatment",
        severity=5, likelihood=4, mitigation="Double reading",
    )  # fmt: skip
    page = html(supervisor_client.get(url("proposal_detail", draft)))
    assert "Missed cancer" in page
    assert "5 of 5" in page and "Unacceptable" in page
    assert "Catastrophic" in page and "High" in page


# Comparing versions ---------------------------------------------------------------------------


def test_compare_shows_exactly_what_changed_between_versions(
    supervisor_client, faculty_client, role_users, cohort
):
    project = submitted(supervisor=role_users["supervisor"], cohort=cohort)
    page = html(supervisor_client.get(url("proposal_versions", project)))
    assert "There is only one version" in page

    review(project, role_users["faculty"], Decision.REVISE, not_met=ChecklistItem.objects.first())
    project.refresh_from_db()
    data = post_data(project, ai_product="ChestScan Pro 2")
    assert supervisor_client.post(url("proposal_update", project), data).status_code == 302
    assert supervisor_client.post(url("proposal_submit", project)).status_code == 302
    project.refresh_from_db()
    assert project.status == ProposalStatus.RESUBMITTED

    for client in (supervisor_client, faculty_client):
        response = client.get(url("proposal_versions", project), {"a": 1, "b": 2})
        assert response.status_code == 200
        changes = response.context["changes"]
        assert [(c.before, c.after) for c in changes] == [("ChestScan", "ChestScan Pro 2")]
        assert changes[0].item == services.label("ai_product")
        page = html(response)
        assert '<th scope="col">Version 1' in page and '<th scope="col">Version 2' in page
        assert "1 change between version 1 and version 2" in page
        assert "did not change" in page  # the rest, collapsed
    # Without a choice, the latest version is compared with the one before.
    assert supervisor_client.get(url("proposal_versions", project)).context["changes"] == changes


@pytest.mark.parametrize("a", ["²", "abc", str(10**30), "-1"])
def test_comparing_with_a_version_number_that_is_not_one_shows_the_latest_two(
    supervisor_client, role_users, cohort, a
):
    project = submitted(supervisor=role_users["supervisor"], cohort=cohort)
    review(project, role_users["faculty"], Decision.REVISE, not_met=ChecklistItem.objects.first())
    project.refresh_from_db()
    supervisor_client.post(url("proposal_update", project), post_data(project, ai_product="Pro 2"))
    supervisor_client.post(url("proposal_submit", project))
    response = supervisor_client.get(url("proposal_versions", project), {"a": a, "b": "2"})
    assert response.status_code == 200
    assert "1 change between version 1 and version 2" in html(response)


def test_comparing_a_draft_says_there_are_no_versions(supervisor_client, draft):
    page = html(supervisor_client.get(url("proposal_versions", draft)))
    assert "there are no versions to compare" in page
