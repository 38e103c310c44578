"""Reports' part of a person's data (see fellowship.personal_data): the report jobs they asked for
or released, the reports they downloaded, and the wording, sections and claim decisions they wrote.

All of it records the person acting on the programme's report, so it stays, linked to the account
that erasure turns into a pseudonym. A stored job's record of what it was built from names whoever
edited its wording or resolved its claims: there the name becomes the pseudonym. The stored PDF and
spreadsheet files of a report are not drawn again.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q

from fellowship.personal_data import KEPT, Erasure, Part, Person, PlanLine, holder, records

from .models import ClaimDecision, ObjectiveWording, ReportDownload, ReportJob, ReportSection


@holder
class ReportsData:
    own: dict[str, str] = {}
    acts = {
        "reports.ReportJob.requested_by": "who asked for a report",
        "reports.ReportJob.release_requested_by": "who asked for a report's release",
        "reports.ReportJob.released_by": "who released a report to funders",
        "reports.ReportDownload.user": "the log of who downloaded each report must stay complete",
        "reports.ObjectiveWording.updated_by": "who last edited an objective's wording",
        "reports.ReportSection.updated_by": "who wrote a report's narrative section",
        "reports.ClaimDecision.decided_by": "a report's appendix shows that someone resolved each claim",
    }

    @staticmethod
    def _jobs(user):
        return ReportJob.objects.filter(
            Q(requested_by=user) | Q(release_requested_by=user) | Q(released_by=user)
        ).select_related("cohort")

    # Right of access ---------------------------------------------------------------------------------

    def export(self, person: Person) -> Iterator[Part]:
        user = person.user
        if user is None:
            return
        people = [
            "requested_by",
            "release_requested_by",
            "released_by",
            "built_from",
            "pdf",
            "xlsx",
        ]
        yield Part(
            "reports-requested-or-released",
            [
                {
                    **row,
                    "requested_by_you": job.requested_by_id == user.pk,
                    "release_requested_by_you": job.release_requested_by_id == user.pk,
                    "released_by_you": job.released_by_id == user.pk,
                }
                for job in self._jobs(user)
                for row in records([job], exclude=people)
            ],
        )
        yield Part(
            "reports-downloaded",
            records(
                ReportDownload.objects.filter(user=user).select_related("job__cohort"),
                exclude=["user"],
            ),
        )
        yield Part(
            "report-wording-edited",
            records(ObjectiveWording.objects.filter(updated_by=user), exclude=["updated_by"]),
        )
        yield Part(
            "report-sections-written",
            records(
                ReportSection.objects.filter(updated_by=user).select_related("job__cohort"),
                exclude=["updated_by"],
            ),
        )
        yield Part(
            "report-claims-resolved",
            records(
                ClaimDecision.objects.filter(decided_by=user).select_related("job__cohort"),
                exclude=["decided_by"],
            ),
        )

    # Erasure -----------------------------------------------------------------------------------------

    def blockers(self, person: Person) -> list[str]:
        return []

    def plan(self, person: Person) -> list[PlanLine]:
        user = person.user
        if user is None:
            return []
        return [
            PlanLine(
                "report requests, releases and downloads",
                self._jobs(user).count() + ReportDownload.objects.filter(user=user).count(),
                KEPT,
                "who asked for, released and downloaded each report stays recorded; it names the pseudonym",
            ),
            PlanLine(
                "report wording, sections and claim decisions",
                ObjectiveWording.objects.filter(updated_by=user).count()
                + ReportSection.objects.filter(updated_by=user).count()
                + ClaimDecision.objects.filter(decided_by=user).count(),
                KEPT,
                "the report's words stay; they and stored reports' records name the pseudonym."
                " Reports already drawn as PDF and spreadsheet files are not drawn again",
            ),
        ]

    def erase(self, person: Person, erasure: Erasure) -> None:
        if person.user is None:
            return
        changed = 0
        for job in ReportJob.objects.exclude(built_from={}).only("pk", "built_from"):
            built_from = erasure.pseudonymise(job.built_from)
            if built_from != job.built_from:
                ReportJob.objects.filter(pk=job.pk).update(built_from=built_from)
                changed += 1
        erasure.count("report records de-identified", changed)


__all__ = ["ReportsData"]
