"""Matching fellows to AI projects: ranking, the allocation, review, overrides, publication.

The flow for one cohort, with its MatchingRound:

1. Faculty open the matching (status RANKING). Fellows in post rank the approved projects they are
   *eligible* for: projects in the region of their post; a fellow in a themed post (Fellow.post_theme,
   such as Haematology) only projects whose funder theme is the same (compared case-insensitively,
   trimmed), unless the round lets themed posts rank any project in their region. Fellows rank
   until `ranking_closes_at` (or until the matching runs, if no deadline is set).
2. Supervisors (or faculty on their behalf) rank the fellows who chose their projects, and faculty
   set each supervisor's total capacity across their projects (by default the sum of their
   projects' capacities). Supervisors may rank until the matching runs, so after the fellows'
   deadline too.
3. Faculty run the matching: projects.allocation.allocate (SPA-student) gives the fellow-optimal
   stable allocation. Each fellow gets a ProposedMatch with the project, the choice number and,
   for every project they ranked higher, why not (stored as JSON so the explanation does not
   change when people edit their rankings later). Status → PROPOSED. Running again replaces the
   proposed allocation, overrides included.
4. Faculty review, and may override a fellow's line with a reason; the review and override pages
   say which stability guarantees an override breaks (blocking pairs) and which capacities it
   exceeds.
5. Faculty publish: each matched fellow gets a Placement, Fellow.project_ref follows it, fellows
   and supervisors are e-mailed. Status → PUBLISHED; nothing can change after that.

Projects without a supervisor account (history projects known only by `supervisor_name`) are
their own "supervisor": their capacity is the project's capacity, and the fellows who chose them
are ranked by fellow reference (no one can log in to rank them).

What the allocation sees is rebuilt from the database each time (`build_instance`): fellows in
post in the cohort, their choices of projects still approved and still eligible (anything else is
ignored), supervisors' rankings and capacities. Every query is ordered, so the same data always
gives the same allocation.

Every operation in this package validates and raises ValidationError with a message for the user, changes
state in one transaction and queues e-mail with `notify` (sent after the commit).

The package has one module per step: `eligibility` (who may rank what), `ranking` (fellows' and
supervisors' rankings), `capacities` (supervisors' totals), `opening` (opening the matching and its
settings), `run` (building the instance and running the allocation), `overrides` (review and
overrides), `publication`, and `explanation` (what a fellow reads). The names below are the
package's interface: callers use `from projects import matching` and `matching.<name>`.
"""

from .capacities import (
    CAPACITY_MAX,
    SupervisorRow,
    set_supervisor_capacities,
    set_supervisor_capacity,
    supervisor_rows,
)
from .eligibility import eligible_projects, fellow_record, is_eligible, matching_for
from .explanation import Explanation, explanation, ranked_nothing
from .opening import Counts, counts, open_matching, update_settings
from .overrides import (
    BlockingPair,
    Overrun,
    StabilityReport,
    current_assignment,
    override_match,
    override_projects,
    stability_report,
)
from .publication import publish_matching
from .ranking import (
    Candidate,
    candidates,
    ranking_order,
    save_choices,
    save_fellow_ranking,
    supervised_projects,
)
from .refusals import PUBLISHED, RANKING_CLOSED
from .run import NO_CHOICES, Built, build_instance, run_matching, supervisor_key, supervisor_label

__all__ = [
    "CAPACITY_MAX",
    "NO_CHOICES",
    "PUBLISHED",
    "RANKING_CLOSED",
    "BlockingPair",
    "Built",
    "Candidate",
    "Counts",
    "Explanation",
    "Overrun",
    "StabilityReport",
    "SupervisorRow",
    "build_instance",
    "candidates",
    "counts",
    "current_assignment",
    "eligible_projects",
    "explanation",
    "fellow_record",
    "is_eligible",
    "matching_for",
    "open_matching",
    "override_match",
    "override_projects",
    "publish_matching",
    "ranked_nothing",
    "ranking_order",
    "run_matching",
    "save_choices",
    "save_fellow_ranking",
    "set_supervisor_capacities",
    "set_supervisor_capacity",
    "stability_report",
    "supervised_projects",
    "supervisor_key",
    "supervisor_label",
    "supervisor_rows",
    "update_settings",
]
