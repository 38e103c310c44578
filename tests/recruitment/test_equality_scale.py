"""Equality monitoring at national scale: every characteristic's funnel from one query of the
answers, the same funnels `funnel_by` gives one by one, and the published tables kept in the
cache under a key made from the counts themselves, so that a change shows on the next look."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fellowship.enums import Role
from fellowship.suppression import Policy
from recruitment import equality
from recruitment.enums import Stage
from recruitment.models import Application, EqualityAggregate, EqualityRecord

from ..conftest import make_person
from ..factories import ApplicationFactory, CohortFactory, RoundFactory

pytestmark = pytest.mark.django_db

# Form values, the import's spellings, answers outside the vocabulary and "not stated" ones.
SEXES = ["female", "male", "F", "Woman", "m", "non_binary", "Martian", "", "prefer_not_to_say"]
ETHNIC = ["White British", "Indian", "Black African", "White and Black Caribbean", "Other", ""]
AGES = ["25_34", "35_44", "45_54", "under_25", "Prefer not to say", ""]
STAGES = (
    [Stage.SUBMITTED] * 5
    + [Stage.LONGLISTED] * 3
    + [Stage.SHORTLISTED] * 2
    + [
        Stage.INTERVIEWED,
        Stage.OFFERED,
        Stage.APPOINTED,
        Stage.APPOINTED,
    ]
)


def apply(rnd, n: int, *, record: bool = True) -> Application:
    stage = STAGES[n % len(STAGES)]
    application = ApplicationFactory(
        round=rnd, stage=stage, furthest_stage=stage, submitted_at=timezone.now()
    )
    if record:
        EqualityRecord.objects.create(
            application=application,
            sex=SEXES[n % len(SEXES)],
            ethnic_group=ETHNIC[n % len(ETHNIC)],
            age_band=AGES[(n // 2) % len(AGES)],
            disability=["yes", "no", "Y", "", "Maybe"][n % 5],
        )
    return application


@pytest.fixture
def cohort():
    """Two rounds of varied answers (some without a record, a draft), the first summarised by the
    retention policy; and another cohort's round, which must not count."""
    cohort = CohortFactory()
    first, second = RoundFactory(cohort=cohort), RoundFactory(cohort=cohort)
    for n in range(70):
        apply(first if n % 2 else second, n, record=n % 9 != 0)
    ApplicationFactory(round=second)  # a draft
    apply(RoundFactory(), 3)
    equality.summarise(EqualityRecord.objects.filter(application__round=first))
    return cohort


@pytest.mark.parametrize("policy", [Policy(0), Policy(5), Policy(3, 5)], ids=str)
def test_monitoring_gives_the_funnels_funnel_by_gives_one_by_one(cohort, policy):
    applications = Application.objects.filter(round__cohort=cohort)
    together = equality.monitoring(applications, policy=policy)
    cache.clear()
    one_by_one = [
        equality.funnel_by(name, applications, policy=policy) for name in equality.CHARACTERISTICS
    ]
    assert together == one_by_one
    sex = together[0]
    assert sex.totals[0] == 70
    assert {g.label for g in sex.groups} >= {"Female", "Male", "Other", "Not stated"}
    assert "Maybe" in {g.label for g in together[3].groups}  # outside the vocabulary


def test_monitoring_of_some_characteristics_only(cohort):
    applications = Application.objects.filter(round__cohort=cohort)
    funnels = equality.monitoring(applications, policy=Policy(0), characteristics=["age_band"])
    assert funnels == [equality.funnel_by("age_band", applications, policy=Policy(0))]


def test_monitoring_needs_three_queries_however_many_answers(cohort):
    applications = Application.objects.filter(round__cohort=cohort)
    with CaptureQueriesContext(connection) as ctx:
        equality.monitoring(applications, policy=Policy(5))
    assert len(ctx.captured_queries) == 3


def test_a_second_look_publishes_from_the_cache(cohort, monkeypatch):
    applications = Application.objects.filter(round__cohort=cohort)
    first = equality.monitoring(applications, policy=Policy(5))

    def refuse(*args, **kwargs):
        raise AssertionError("the table was published again")

    monkeypatch.setattr(equality, "publish_table", refuse)
    assert equality.monitoring(applications, policy=Policy(5)) == first
    # ... but not under another policy
    with pytest.raises(AssertionError, match="published again"):
        equality.monitoring(applications, policy=Policy(6))


def test_the_cache_key_gives_no_count_away(cohort, monkeypatch):
    applications = Application.objects.filter(round__cohort=cohort)
    keys: list[str] = []
    real_set = equality.cache.set

    def spy(key, *args, **kwargs):  # whichever cache the tests run with (memory or Redis)
        keys.append(key)
        return real_set(key, *args, **kwargs)

    monkeypatch.setattr(equality.cache, "set", spy)
    equality.monitoring(applications, policy=Policy(5))
    assert keys and all(re.fullmatch(r"equality-funnel:[0-9a-f]{64}", key) for key in keys)


def _second_round(cohort):
    return cohort.rounds.order_by("pk").last()


def answer_changed_in_bulk(cohort):
    EqualityRecord.objects.filter(sex__in=["female", "F"]).update(sex="male")


def record_deleted(cohort):
    EqualityRecord.objects.filter(sex="Martian").delete()


def someone_applies(cohort):
    for n in range(6):
        apply(_second_round(cohort), 4 + 9 * n)


def stage_reached_in_bulk(cohort):
    Application.objects.filter(round=_second_round(cohort), furthest_stage=Stage.SUBMITTED).update(
        furthest_stage=Stage.APPOINTED
    )


def application_leaves_the_cohort(cohort):
    Application.objects.filter(round=_second_round(cohort), furthest_stage=Stage.APPOINTED).update(
        round=RoundFactory()
    )


def summarised_counts_changed(cohort):
    EqualityAggregate.objects.filter(characteristic="sex", answer="male").update(count=0)


CHANGES = [
    answer_changed_in_bulk,
    record_deleted,
    someone_applies,
    stage_reached_in_bulk,
    application_leaves_the_cohort,
    summarised_counts_changed,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_a_change_shows_on_the_next_look(cohort, change):
    applications = Application.objects.filter(round__cohort=cohort)
    before = equality.monitoring(applications, policy=Policy(5))
    change(cohort)
    after = equality.monitoring(applications, policy=Policy(5))
    cache.clear()
    assert after == equality.monitoring(applications, policy=Policy(5))
    assert after != before, "the change should show in the figures"


def test_summarising_a_round_changes_no_figure_and_keeps_the_cache(cohort, monkeypatch):
    applications = Application.objects.filter(round__cohort=cohort)
    before = equality.monitoring(applications, policy=Policy(5))
    equality.summarise(EqualityRecord.objects.filter(application__round=_second_round(cohort)))
    monkeypatch.setattr(equality, "publish_table", None)  # the same counts: nothing to publish
    assert equality.monitoring(applications, policy=Policy(5)) == before


def test_the_page_shows_an_answer_changed_after_it_was_first_seen(login, settings):
    settings.EQUALITY_SUPPRESS_BELOW = 5
    user = make_person(Role.FACULTY)
    user.user_permissions.add(Permission.objects.get(codename="view_equality_monitoring"))
    client = login(user)
    rnd = RoundFactory(closes_at=timezone.now() + datetime.timedelta(days=1))
    for n in range(13):
        application = ApplicationFactory(
            round=rnd, stage=Stage.SUBMITTED, furthest_stage=Stage.SUBMITTED
        )
        EqualityRecord.objects.create(application=application, sex="female" if n < 6 else "male")
    rnd.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    rnd.save(update_fields=["closes_at"])
    url = reverse("equality_monitoring", args=[rnd.pk])

    def main(response) -> str:
        assert response.status_code == 200
        return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)

    def first_count(page: str, group: str) -> str:
        cell = r'<th scope="row">{}</th><td class="nhsuk-table__cell--numeric">([^<]*)</td>'
        return re.search(cell.format(group), page).group(1)

    first = main(client.get(url))
    assert (first_count(first, "Female"), first_count(first, "Male")) == ("[c]", "7")
    EqualityRecord.objects.filter(sex="male").update(sex="female")
    second = main(client.get(url))
    assert (first_count(second, "Female"), first_count(second, "Male")) == ("[c]", "&lt;5")
    cache.clear()
    assert main(client.get(url)) == second
