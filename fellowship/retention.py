"""The retention policy, applied: how long each kind of record is kept, and the removal of what is due.

The policy lives in the settings alone (`RETENTION`: per kind, its months, what they count from,
and a plain description; docs/data-protection.md). Each app registers the rules for the records it
owns in its own `retention.py` (loaded by FellowshipConfig.ready()): a `Rule` knows its kind, the
queryset of its records due at a moment (`due(now)`), and how to remove a batch of them. This
module holds the registry, the core's own rules (the audit log and the history rows), and
`apply_retention`, which the nightly task, the command and the Retention page call.

Removal is batched (BATCH records, each batch its own transaction), files are deleted from storage
only once their batch has committed, and a removed record is no longer due, so a second run
removes nothing and a run that stops half-way is simply carried on by the next one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import audit
from .enums import AuditAction, AuditSubject
from .models import AuditEvent, RetentionRun, User
from .personal_data import KEPT, Erasure, Part, Person, PlanLine, holder

BATCH = 500


@dataclass(frozen=True)
class Policy:
    """One kind of record's retention period, as the settings say."""

    kind: str
    months: int
    after: str  # what the months count from, in words: "the recruitment round closes"
    description: str

    @property
    def label(self) -> str:
        """'Unsuccessful applications'."""
        return self.kind.replace("_", " ").capitalize()

    @property
    def period(self) -> str:
        """'12 months', '6 years', '18 months'."""
        if self.months % 12 == 0:
            years = self.months // 12
            return "1 year" if years == 1 else f"{years} years"
        return "1 month" if self.months == 1 else f"{self.months} months"

    @property
    def text(self) -> str:
        """'12 months after the recruitment round closes'."""
        return f"{self.period} after {self.after}"

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """The moment `months` before `now`: a record whose trigger came at or before it is due."""
        return months_before(now, self.months)


def policies() -> dict[str, Policy]:
    """Every kind of the policy, in the settings' order (read when called: tests override it)."""
    return {
        kind: Policy(
            kind=kind,
            months=int(entry["months"]),
            after=entry["after"],
            description=entry["description"],
        )
        for kind, entry in settings.RETENTION.items()
    }


def policy(kind: str) -> Policy:
    return policies()[kind]


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` earlier (the month's last day when it is shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (following - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


# The registry ------------------------------------------------------------------------------------


class Rule:
    """Records of one kind that are due for removal, and how to remove them.

    Subclasses set `kind` (a key of settings.RETENTION) and `what` (the records, in words), and
    define `due(now)`; `remove(records)` deletes the rows by default. A removed record must no
    longer be due (so runs are idempotent).
    """

    kind: str = ""
    what: str = ""

    @property
    def policy(self) -> Policy:
        return policy(self.kind)

    def due(self, now: dt.datetime) -> QuerySet:
        raise NotImplementedError

    def remove(self, records: list[models.Model]) -> int:
        """Remove these records (called in a transaction); how many were removed."""
        model = type(records[0])
        model._base_manager.filter(pk__in=[r.pk for r in records]).delete()
        return len(records)


rules: list[Rule] = []


def register(rule: type[Rule]) -> type[Rule]:
    """Register a rule class (one instance is made): a class decorator for apps' retention.py."""
    rules.append(rule())
    return rule


# Applying the policy -----------------------------------------------------------------------------


def due_counts(now: dt.datetime | None = None) -> dict[str, int]:
    """How many records of each kind are due now (every kind of the policy, 0 when none)."""
    now = now or timezone.now()
    counts = dict.fromkeys(policies(), 0)
    for rule in all_rules():
        counts[rule.kind] += rule.due(now).count()
    return counts


def _remove_due(rule: Rule, now: dt.datetime) -> int:
    removed = 0
    while True:
        with transaction.atomic():
            batch = list(rule.due(now).order_by("pk").select_for_update(of=("self",))[:BATCH])
            if not batch:
                return removed
            done = rule.remove(batch)
        removed += done
        if not done:  # a rule that removes nothing of a batch would loop for ever
            return removed


def apply_retention(
    *, dry_run: bool, by: User | None, source: str, now: dt.datetime | None = None
) -> RetentionRun:
    """Remove every record the policy says is due (or, as a dry run, count them) and record the run.

    `by` is who asked (None for the nightly task or the command line); `source` a RetentionRun.Source.
    Side effects (not in a dry run): each rule removes its records due, a batch at a time, each
    batch in its own transaction, files deleted from storage once their batch commits. Both: a
    RetentionRun with the counts per kind, and an audit event.
    """
    now = now or timezone.now()
    if dry_run:
        counts = due_counts(now)
    else:
        counts = dict.fromkeys(policies(), 0)
        for rule in all_rules():
            counts[rule.kind] += _remove_due(rule, now)
    run = RetentionRun.objects.create(
        at=timezone.now(), dry_run=dry_run, source=source, by=by, counts=counts
    )
    total = sum(counts.values())
    audit.record(
        AuditAction.VIEWED if dry_run else AuditAction.ERASED,
        AuditSubject.PERSONAL_DATA,
        by=by,
        reference=f"retention run {run.pk}",
        summary=(
            f"retention policy checked: {total} records due"
            if dry_run
            else f"retention policy applied: {total} records removed"
        ),
    )
    return run


# The core's own rules ----------------------------------------------------------------------------


@register
class AuditLogRule(Rule):
    kind = "audit_log"
    what = "audit log entries"

    def due(self, now: dt.datetime) -> QuerySet:
        return AuditEvent.objects.filter(at__lte=self.policy.cutoff(now))


@register
class SentEmailRule(Rule):
    kind = "sent_emails"
    what = "copies of sent e-mails"

    def due(self, now: dt.datetime) -> QuerySet:
        from .models import OutboxMessage

        cutoff = self.policy.cutoff(now)
        return OutboxMessage.objects.filter(
            Q(state=OutboxMessage.State.SENT, sent_at__lte=cutoff)
            | Q(state=OutboxMessage.State.FAILED, next_attempt_at__lte=cutoff)
        )


@register
class UnconfirmedInterestSignupRule(Rule):
    kind = "unconfirmed_interest_signups"
    what = "interest list addresses never confirmed"

    def due(self, now: dt.datetime) -> QuerySet:
        from .models import InterestSignup

        return InterestSignup.objects.filter(
            confirmed_at__isnull=True, created__lte=self.policy.cutoff(now)
        )


def history_models() -> list[type[models.Model]]:
    """The history tables of every model that keeps one (simple-history)."""
    found = []
    for model in apps.get_models():
        manager = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager and not model._meta.proxy:
            found.append(getattr(model, manager).model)
    return found


class HistoryRule(Rule):
    """The history rows of one model older than the policy's period."""

    kind = "history"
    what = "earlier versions of records"

    def __init__(self, history: type[models.Model]) -> None:
        self.history = history

    def due(self, now: dt.datetime) -> QuerySet:
        return self.history.objects.filter(history_date__lte=self.policy.cutoff(now))

    def remove(self, records: list[models.Model]) -> int:
        pks = [r.pk for r in records]
        self.history.objects.filter(pk__in=pks).delete()
        return len(pks)


def all_rules() -> list[Rule]:
    """The registered rules, and one for each history table (known only once apps are loaded)."""
    return [*rules, *(HistoryRule(history) for history in history_models())]


# A person's data: who applied the policy ---------------------------------------------------------


@holder
class RetentionRunsData:
    """Runs of the retention policy record who started them: kept, like the audit log."""

    own: dict[str, str] = {}
    acts = {"fellowship.RetentionRun.by": "the record of what retention removed, and who asked"}

    def export(self, person: Person) -> Iterator[Part]:
        if person.user is None:
            return
        yield Part(
            "retention-runs",
            [
                {"at": run.at, "dry_run": run.dry_run, "counts": run.counts}
                for run in RetentionRun.objects.filter(by=person.user)
            ],
        )

    def plan(self, person: Person) -> list[PlanLine]:
        count = RetentionRun.objects.filter(by=person.user).count() if person.user else 0
        return [
            PlanLine(
                "runs of the retention policy", count, KEPT, self.acts["fellowship.RetentionRun.by"]
            )
        ]

    def blockers(self, person: Person) -> list[str]:
        return []

    def erase(self, person: Person, erasure: Erasure) -> None:
        """Nothing to blank: the link stays, to the account that erasure makes a pseudonym."""
