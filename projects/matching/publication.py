"""Publishing the allocation: placements, the fellows' project records, and the e-mails."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fellowship import audit
from fellowship.enums import AuditAction, AuditSubject
from fellowship.models import User
from fellowship.notifications import notify
from fellowship.services import record_project

from ..enums import MatchingStatus
from ..models import MatchingRound, Placement, ProposedMatch


def publish_matching(matching: MatchingRound, *, by: User) -> MatchingRound:
    """Publish the proposed allocation.

    Side effects: a Placement for each matched fellow (created, or moved to the new project);
    Fellow.project_ref and Fellow.project_domain (the project's clinical domain, which mentor
    matching compares) through fellowship.services.record_project; status → PUBLISHED with
    published_at and published_by; e-mails `matching_published_fellow` to each fellow (their
    project, or that they were not matched, with the link to the explanation) and
    `matching_published_supervisor` to each supervisor with the fellows placed on their projects.
    Publishing twice is refused.
    """
    with transaction.atomic():
        matching = (
            MatchingRound.objects.select_for_update().select_related("cohort").get(pk=matching.pk)
        )
        if matching.status == MatchingStatus.PUBLISHED:
            raise ValidationError("This matching has already been published")
        if matching.status != MatchingStatus.PROPOSED:
            raise ValidationError("Run the matching before publishing it")
        proposals = list(
            matching.proposals.select_related(
                "fellow__user",
                "project__supervisor",
                "project__host_organisation",
                "project__clinical_domain",
            ).order_by("fellow__ref")
        )
        now = timezone.now()
        placed: dict[int, list[ProposedMatch]] = {}
        for proposed in proposals:
            if proposed.project is None:
                continue
            Placement.objects.update_or_create(
                fellow=proposed.fellow, defaults={"project": proposed.project, "placed_at": now}
            )
            domain = proposed.project.clinical_domain
            record_project(
                proposed.fellow,
                project_ref=proposed.project.ref,
                project_domain=domain.name if domain is not None else "",
            )
            if proposed.project.supervisor_id:
                placed.setdefault(proposed.project.supervisor_id, []).append(proposed)
        matching.status = MatchingStatus.PUBLISHED
        matching.published_at = now
        matching.published_by = by
        matching.save(update_fields=["status", "published_at", "published_by"])
        audit.record(
            AuditAction.PUBLISHED,
            AuditSubject.MATCHING,
            by=by,
            reference=f"cohort {matching.cohort.number}",
            summary=f"{sum(1 for p in proposals if p.project is not None)} fellows placed, "
            f"{sum(1 for p in proposals if p.project is None)} not matched",
        )

        for proposed in proposals:
            user = proposed.fellow.user
            if user is None or not user.email:
                continue
            notify(
                "matching_published_fellow",
                to=user.email,
                context={
                    "fellow": proposed.fellow,
                    "proposed": proposed,
                    "project": proposed.project,
                    "cohort": matching.cohort,
                },
            )
        for rows in placed.values():
            supervisor = rows[0].project.supervisor
            if not supervisor.email:
                continue
            notify(
                "matching_published_supervisor",
                to=supervisor.email,
                context={"supervisor": supervisor, "placements": rows, "cohort": matching.cohort},
            )
    return matching
