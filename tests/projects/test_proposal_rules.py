"""The proposal pages' decisions are the rules' own: being a superuser grants no supervisor's act."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fellowship.enums import Role
from projects.enums import ProposalStatus
from tests.conftest import make_person
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return ProjectFactory(supervisor=make_person(Role.SUPERVISOR), title="Chest X-ray triage")


def test_a_faculty_superuser_cannot_submit_someone_elses_proposal(draft, login):
    superuser = make_person(Role.FACULTY, is_staff=True, is_superuser=True)
    response = login(superuser).post(reverse("proposal_submit", args=[draft.ref]))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.DRAFT


def test_a_superuser_without_the_faculty_role_lists_only_their_own_proposals(draft, login):
    superuser = make_person(Role.SUPERVISOR, is_staff=True, is_superuser=True)
    own = ProjectFactory(supervisor=superuser, title="Sepsis early warning")
    page = login(superuser).get(reverse("proposal_list")).content.decode()
    assert own.title in page
    assert draft.title not in page
