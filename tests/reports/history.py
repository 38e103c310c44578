"""Programme histories for the report tests: the demo history, and a small one written here."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fellowship.management.commands.import_history import files_at
from fellowship.services import import_history

DEMO = Path(__file__).resolve().parents[2] / "fellowship" / "demo" / "history"


def load_demo_history() -> None:
    import_history(files_at(DEMO), by=None, source="demo history (tests)")


def demo_rows(table: str) -> list[dict[str, str]]:
    with open(DEMO / f"{table}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


# Cohort 2's applicants by gender ("" is not stated): with K=5 only "not stated" (3) is small, so
# the complementary rule must hide one more applicant count.
SMALL_GENDER = {"male": 10, "female": 8, "non_binary": 6, "other": 7, "": 3}
SMALL_APPOINTED = {"male": 3, "female": 3}


def load_small_history(*, scale: int = 1) -> None:
    """Two cohorts with something in every table; `scale` multiplies the applicants and fellows."""
    applicants, fellows, projects = [], [], []
    number = 0
    appointed_left = {g: n * scale for g, n in SMALL_APPOINTED.items()}
    for gender, count in SMALL_GENDER.items():
        for _ in range(count * scale):
            number += 1
            ref = f"S-2{number:04d}"
            stage = "shortlisted"
            if appointed_left.get(gender):
                appointed_left[gender] -= 1
                stage = "appointed"
                fellows.append(
                    [ref, 2, "London", "medicine", "Radiology", "in_post", f"SP-2{number:04d}"]
                )
                projects.append(
                    [
                        f"SP-2{number:04d}",
                        2,
                        f"Project {number}",
                        "Radiology",
                        "London",
                        "Trust A",
                        "S-1001",
                    ]
                )
            applicants.append([ref, 2, "London", "medicine", stage, gender])
    for i in range(1, 6 * scale + 1):
        fellows.append(
            [
                f"S-1{i:03d}",
                1,
                "Midlands",
                "pharmacy" if i == 2 else "medicine",
                "Oncology",
                "graduated",
                f"SP-1{i:03d}",
            ]
        )
        projects.append(
            [
                f"SP-1{i:03d}",
                1,
                f"Old project {i}",
                "Oncology",
                "Midlands",
                f"Trust {i % 3}",
                "Dr Someone",
            ]
        )
    mentees = [row[0] for row in fellows if row[1] == 2][:2]
    survey = [
        [
            1,
            "strongly_recommend",
            "driver;embedder",
            "continue_fellowship_project",
            "yes",
            "no",
            "agree",
        ]
        for _ in range(5 * scale)
    ]
    files = [
        (
            "cohorts.csv",
            _csv(
                ["number", "start_date", "end_date"],
                [[1, "2023-09-01", "2024-08-31"], [2, "2024-09-01", "2025-08-31"]],
            ),
        ),
        (
            "applicants.csv",
            _csv(["ref", "cohort", "region", "profession", "furthest_stage", "gender"], applicants),
        ),
        (
            "fellows.csv",
            _csv(
                ["ref", "cohort", "region", "profession", "specialty", "status", "project"], fellows
            ),
        ),
        (
            "projects.csv",
            _csv(
                [
                    "ref",
                    "cohort",
                    "title",
                    "clinical_domain",
                    "region",
                    "host_organisation",
                    "supervisor",
                ],
                projects,
            ),
        ),
        (
            "mentoring.csv",
            _csv(["cohort", "mentor", "mentee"], [[2, "S-1001", m] for m in mentees]),
        ),
        (
            "exit_survey.csv",
            _csv(
                [
                    "cohort",
                    "recommend",
                    "archetypes",
                    "career_next_12_months",
                    "achieved:ai_fundamentals",
                    "apply:ai_fundamentals",
                    "valuable:datacamp",
                ],
                survey,
            ),
        ),
        (
            "workshops.csv",
            _csv(
                ["cohort", "date", "title", "host_organisation", "regional_showcase"],
                [
                    [1, "2024-03-01", "Showcase", "Trust A", "yes"],
                    [2, "2025-03-01", "Bootcamp", "Trust B", "no"],
                ],
            ),
        ),
        (
            "portfolio.csv",
            _csv(
                ["fellow", "kind", "title"],
                [["S-1001", "onward_programme", "Topol Digital Fellowship"]],
            ),
        ),
    ]
    import_history(files, by=None, source="small history (tests)")
