"""Who may give access to equality monitoring: attacked the way an insider would.

The permission to see the figures and the permission to give it are separate. A faculty member
tries to give it to themselves on their own people page, a holder of the figures tries to pass
them on, a manager tries to let themselves in; and every real change is audited and told to
everyone else who holds either permission.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from fellowship.enums import AuditAction, AuditSubject, Role
from fellowship.models import AuditEvent
from recruitment.equality_access import holds_equality_access, set_equality_access

from ..conftest import make_person

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def give(user, codename: str):
    user.user_permissions.add(Permission.objects.get(codename=codename))
    return type(user).objects.get(pk=user.pk)  # without the cached permissions


@pytest.fixture
def manager():
    return give(make_person(Role.FACULTY), "manage_equality_access")


@pytest.fixture
def holder():
    return give(make_person(Role.FACULTY), "view_equality_monitoring")


def post_access(client, person, allowed=True):
    data = {"form": "equality", **({"may_see_equality": "on"} if allowed else {})}
    return client.post(reverse("person_detail", args=[person.pk]), data)


def test_a_faculty_member_cannot_give_themselves_equality_monitoring(faculty_client, role_users):
    """The demo's hole: any faculty member ticked the box on their own people page."""
    faculty = role_users["faculty"]
    page = faculty_client.get(reverse("person_detail", args=[faculty.pk])).content.decode()
    assert 'name="may_see_equality"' not in page
    assert post_access(faculty_client, faculty).status_code == 403
    assert not holds_equality_access(faculty)
    assert not AuditEvent.objects.filter(subject=AuditSubject.EQUALITY).exists()


def test_a_faculty_member_without_the_manage_permission_cannot_give_it_to_a_colleague(
    faculty_client, person
):
    colleague = person(Role.FACULTY)
    page = faculty_client.get(reverse("person_detail", args=[colleague.pk])).content.decode()
    assert "Equality monitoring" not in page
    assert post_access(faculty_client, colleague).status_code == 403
    assert not holds_equality_access(colleague)


def test_seeing_the_figures_does_not_let_anyone_pass_them_on(holder, login, person):
    colleague = person(Role.FACULTY)
    assert post_access(login(holder), colleague).status_code == 403
    assert not holds_equality_access(colleague)
    # Nor take them away from anyone.
    other_holder = give(person(Role.FACULTY), "view_equality_monitoring")
    assert post_access(login(holder), other_holder, allowed=False).status_code == 403
    assert holds_equality_access(other_holder)


def test_a_manager_cannot_give_themselves_access_either(manager, login):
    client = login(manager)
    page = client.get(reverse("person_detail", args=[manager.pk])).content.decode()
    assert "Nobody can change their own access to equality monitoring" in page
    assert 'name="may_see_equality"' not in page
    assert post_access(client, manager).status_code == 403
    assert not holds_equality_access(manager)
    with pytest.raises(PermissionDenied):
        set_equality_access(manager, allowed=True, by=manager)


def test_a_superuser_cannot_change_their_own_access_but_may_give_it(person):
    superuser = make_person(Role.FACULTY, is_superuser=True)
    with pytest.raises(PermissionDenied):
        set_equality_access(superuser, allowed=True, by=superuser)
    colleague = person(Role.FACULTY)
    assert set_equality_access(colleague, allowed=True, by=superuser)


def test_a_manager_gives_and_takes_away_access_audited_and_told_to_every_holder(
    manager, holder, login, person, django_capture_on_commit_callbacks
):
    other_manager = give(person(Role.FACULTY), "manage_equality_access")
    bystander = person(Role.FACULTY)  # holds neither: not told
    colleague = person(Role.FACULTY)
    client = login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_access(client, colleague)
    assert response.status_code == 302
    colleague = type(colleague).objects.get(pk=colleague.pk)
    assert holds_equality_access(colleague) and colleague.has_perm("recruitment.see_equality")

    (event,) = AuditEvent.objects.filter(subject=AuditSubject.EQUALITY)
    assert (event.actor, event.action, event.reference) == (
        manager,
        AuditAction.CHANGED,
        f"person {colleague.pk}",
    )
    assert "Gave access to equality monitoring" in event.summary
    (message,) = mail.outbox
    # Everyone else who can see or give the access, and the person; never the one who did it.
    assert sorted(message.to) == sorted([holder.email, other_manager.email, colleague.email])
    assert manager.email not in message.to and bystander.email not in message.to
    assert colleague.get_full_name() in message.subject and "can now see" in message.subject
    assert manager.get_full_name() in message.body and "/audit/" in message.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post_access(client, colleague, allowed=False)
    assert not holds_equality_access(colleague)
    assert AuditEvent.objects.filter(subject=AuditSubject.EQUALITY).count() == 2
    assert "Took away access" in AuditEvent.objects.latest("pk").summary
    (message,) = mail.outbox
    assert "can no longer see" in message.subject
    # The person who lost it is told too.
    assert colleague.email in message.to and holder.email in message.to


def test_saving_without_a_change_records_and_sends_nothing(
    manager, holder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert not set_equality_access(holder, allowed=True, by=manager)
    assert mail.outbox == [] and not AuditEvent.objects.exists()


def test_only_faculty_can_be_given_it(manager, person):
    applicant = person(Role.APPLICANT)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="faculty role first"):
        set_equality_access(applicant, allowed=True, by=manager)


def test_the_permission_is_defined_once_in_recruitment():
    """The core app neither defines nor grants recruitment's permission, nor imports recruitment."""
    core = [ROOT / "fellowship" / "services.py", ROOT / "fellowship" / "views" / "people.py"]
    for path in core:
        text = path.read_text()
        assert "view_equality_monitoring" not in text, path
        assert "from recruitment" not in text and "import recruitment" not in text, path
    definitions = [
        path
        for path in (ROOT / "recruitment").glob("*.py")
        if 'EQUALITY_PERMISSION = "' in path.read_text()
    ]
    assert [p.name for p in definitions] == ["rules.py"]
