"""Who may do what with AI project proposals and projects."""

import rules

from fellowship.rules import is_alumnus, is_faculty, is_fellow, is_supervisor

from .enums import EDITABLE, ProposalStatus

__all__ = ["is_faculty", "is_supervisor"]


@rules.predicate
def is_project_supervisor(user, project) -> bool:
    return bool(project is not None and user.is_authenticated and project.supervisor_id == user.pk)


@rules.predicate
def is_editable(user, project) -> bool:
    return project is not None and project.status in EDITABLE


@rules.predicate
def is_approved_for_fellows(user, project) -> bool:
    """Fellows and alumni browse the catalogue of approved projects."""
    return (
        project is not None
        and project.status == ProposalStatus.APPROVED
        and (is_fellow(user) or is_alumnus(user))
    )


@rules.predicate
def is_project_fellow(user, project) -> bool:
    return bool(
        project is not None
        and user.is_authenticated
        and project.placements.filter(fellow__user=user).exists()
    )


# Alumni may propose projects and become supervisors in turn (objective 8).
rules.add_perm("projects.propose", is_supervisor | is_alumnus | is_faculty)
rules.add_perm("projects.vet", is_faculty)
rules.add_perm("projects.browse_catalogue", is_faculty | is_fellow | is_alumnus | is_supervisor)
rules.add_perm("projects.update_milestones", is_faculty | is_project_supervisor | is_project_fellow)
rules.add_perm("projects.manage_checklist", is_faculty)
# Faculty list every proposal (with filters); anyone else who proposes lists their own.
rules.add_perm("projects.list_all_proposals", is_faculty)
# Only its supervisor submits a proposal; the faculty's feedback is for them and the faculty.
rules.add_perm("projects.submit_proposal", is_project_supervisor)
rules.add_perm("projects.read_feedback", is_faculty | is_project_supervisor)
# Supervisors browse the catalogue but read in full only their own proposals.
rules.add_perm("projects.read_catalogue_proposals", is_faculty | is_fellow | is_alumnus)


@rules.predicate
def is_that_supervisor(user, supervisor) -> bool:
    """The supervisor themselves (the object is the supervisor's user account)."""
    return bool(supervisor is not None and user.is_authenticated and supervisor.pk == user.pk)


# Matching: fellows rank projects; supervisors (or faculty for them) rank fellows; faculty run it.
rules.add_perm("projects.rank_projects", is_fellow)
rules.add_perm("projects.rank_fellows", is_faculty | is_that_supervisor)
rules.add_perm("projects.run_matching", is_faculty)
