"""Extension points: how feature apps add to the core's pages without the core importing them.

Dependencies point one way (apps import fellowship, never the reverse), yet the home page and the
sign-in redirect need what other apps know. Each app registers functions here from its own
hooks.py, which FellowshipConfig.ready() loads with the apps' history modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

HomePanel = Callable[..., dict]
ResumeUrl = Callable[..., "str | None"]

home_panels: list[HomePanel] = []
resume_urls: list[ResumeUrl] = []


def home_panel(function: HomePanel) -> HomePanel:
    """Register `function(request) -> dict`, merged into the home page's context."""
    home_panels.append(function)
    return function


def resume_url(function: ResumeUrl) -> ResumeUrl:
    """Register `function(user) -> url or None`: where to take someone after they sign in."""
    resume_urls.append(function)
    return function


def home_context(request) -> dict:
    context: dict = {}
    for panel in home_panels:
        context.update(panel(request))
    return context


def first_resume_url(user) -> str | None:
    return next((url for hook in resume_urls if (url := hook(user))), None)


# Clinical domain names ---------------------------------------------------------------------------

DomainNames = Callable[[], Iterable[str]]
clinical_domain_sources: list[DomainNames] = []


def clinical_domain_names(function: DomainNames) -> DomainNames:
    """Register `function() -> names` of clinical domains (the projects app knows them), which the
    mentor offer form lists as checkboxes. With none registered, the form takes free text."""
    clinical_domain_sources.append(function)
    return function


def domain_names() -> list[str]:
    """Every registered clinical domain name, once each (ignoring case), in alphabetical order."""
    names: dict[str, str] = {}
    for source in clinical_domain_sources:
        for name in source():
            names.setdefault(name.casefold(), name)
    return sorted(names.values(), key=str.casefold)


# Access given person by person on the people page ------------------------------------------------

person_accesses: list = []


def person_access(cls):
    """Register a class whose instances add an access section to the people page.

    `section(viewer, person) -> dict | None` gives the section's context (with `key`, the name of
    its form, and `template`), or None to leave it out for this viewer; `save(viewer, person,
    data) -> message` changes the access, raising PermissionDenied or ValidationError.
    """
    person_accesses.append(cls())
    return cls


# Next tasks on the home page ---------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """Something waiting for the person: how many, what (singular and plural), and the page where it
    is done, already filtered to those items."""

    count: int
    one: str
    many: str
    url: str

    @property
    def label(self) -> str:
        return self.one if self.count == 1 else self.many


TaskSource = Callable[..., Iterable[Task]]
task_sources: list[TaskSource] = []


def home_tasks(function: TaskSource) -> TaskSource:
    """Register `function(user) -> tasks`: the person's pending tasks this app knows of. Tasks with
    a count of 0 are left out, so a source may return every task it checks."""
    task_sources.append(function)
    return function


def pending_tasks(user, *first: TaskSource) -> list[Task]:
    """The person's tasks with something waiting: from `first` (the core's own), then each app's."""
    return [task for source in (*first, *task_sources) for task in source(user) if task.count > 0]


# Rows that migrations seed -----------------------------------------------------------------------

# table label ("app.model") -> the seeded rows' filter, or None when every row is seeded.
seeded_tables: dict[str, dict[str, object] | None] = {}


def seeded_rows(label: str, only: dict[str, object] | None = None) -> None:
    """Declare that this app's migrations seed rows of table `label` (all of them, or those matching
    the filter `only`): a freshly migrated instance holds them and still counts as empty, so a
    backup may be restored into it."""
    seeded_tables[label] = only


# Metrics gathered when Prometheus scrapes ---------------------------------------------------------

MetricsSource = Callable[[], Iterable]
metrics_sources: list[MetricsSource] = []


def metrics_collector(function: MetricsSource) -> MetricsSource:
    """Register `function() -> metric families` (prometheus_client.core's GaugeMetricFamily and
    kin), called at each scrape of /metrics from that app's metrics.py. Labels name states, queues
    or views, never a person, an e-mail address or a record's reference. Such as the e-mail outbox's
    backlog: a gauge of the rows waiting to be sent and the age of the oldest."""
    metrics_sources.append(function)
    return function


# The public website ------------------------------------------------------------------------------

PublicSection = Callable[[], dict]
public_sections: dict[str, list[PublicSection]] = {}


def public_section(page: str) -> Callable[[PublicSection], PublicSection]:
    """Register `function() -> dict`, merged into the context of the public page `page` ("home",
    "apply" or "supervisors"), from the app's public_sections.py. The page is the same for every
    visitor and may be cached, so the function takes no request and returns nothing personal: counts, dates,
    published criteria, quotes whose fellows consented to the website."""

    def register(function: PublicSection) -> PublicSection:
        public_sections.setdefault(page, []).append(function)
        return function

    return register


def public_context(page: str) -> dict:
    context: dict = {}
    for section in public_sections.get(page, []):
        context.update(section())
    return context


@dataclass(frozen=True)
class OpenRound:
    """A recruitment round open for applications, as the interest list announces it."""

    id: int
    name: str
    closes_at: object  # an aware datetime
    url: str


OpenRounds = Callable[[], Iterable[OpenRound]]
open_round_sources: list[OpenRounds] = []


def open_rounds(function: OpenRounds) -> OpenRounds:
    """Register `function() -> rounds open now` (the recruitment app knows them), which the interest
    list is told about once each."""
    open_round_sources.append(function)
    return function


def rounds_open_now() -> list[OpenRound]:
    """Every registered source's open rounds, each source's in the order they opened."""
    return [rnd for source in open_round_sources for rnd in source()]
