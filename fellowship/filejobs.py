"""Files made in the background and kept for reuse: a PDF too slow to draw inside a request.

A feature app subclasses `FileJob` (an abstract model) with the fields its file is made from,
and calls `request_file` from its service and `run_file_job` from its Celery task. A job moves
QUEUED → RENDERING → DONE or FAILED:

* `key` names the file's content (a digest of everything printed in it). Asking again for the
  same key while a job is queued or rendering returns that job; a DONE file is reused until it
  expires. When the content changes the key does too, so the next request makes a new file.
* `scope` names what the file is of (say, "cohort 3, all regions"). A new file stored for a scope
  replaces the older ones of that scope: their files are deleted with their rows.
* The worker claims a job under a row lock and counts the attempt; a redelivered or duplicate
  message finds the job taken or finished and does nothing, so running the task twice stores one
  file. A job whose worker died (RENDERING for longer than STALE_AFTER) is claimed again.
* The file is stored through Django's storage API under a random private name, and is sent only
  by a view that checks the person's permission.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from .uploads import delete_stored_on_commit, private_upload_to

logger = logging.getLogger(__name__)

# A job rendering for longer than this belongs to a worker that died (a catalogue of a thousand
# projects takes well under a minute), and a job queued this long ago lost its message.
STALE_AFTER = datetime.timedelta(minutes=5)
# A job whose worker died this many times fails rather than loops for ever.
MAX_ATTEMPTS = 3

UNEXPECTED = "The file could not be made."
BROKER_DOWN = "The service that makes files is not available."


class FileJobState(models.TextChoices):
    QUEUED = "queued", "Waiting"
    RENDERING = "rendering", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


ACTIVE_STATES = (FileJobState.QUEUED, FileJobState.RENDERING)


class FileJob(models.Model):
    """A file made in the background (abstract: each feature app has its own table)."""

    scope = models.CharField(max_length=200)
    key = models.CharField(max_length=64)
    state = models.CharField(
        max_length=20, choices=FileJobState.choices, default=FileJobState.QUEUED
    )
    file = models.FileField(upload_to=private_upload_to("files"), blank=True, max_length=255)
    failure_reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # How long a finished file is reused: set on request as requested_at + the time, and moved on
    # to finished_at + the same time when the file is stored.
    expires_at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["-requested_at"]
        constraints = [
            # Two requests for the same file while one is queued or rendering share it.
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(state__in=ACTIVE_STATES),
                name="%(app_label)s_%(class)s_one_active_job_per_key",
            ),
        ]

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def ready(self) -> bool:
        return self.state == FileJobState.DONE and bool(self.file)

    def stale(self, now: datetime.datetime) -> bool:
        """Queued or rendering for so long that its message or worker was lost."""
        since = self.started_at if self.state == FileJobState.RENDERING else self.requested_at
        return self.active and (since is None or since < now - STALE_AFTER)


J = TypeVar("J", bound=FileJob)


def request_file(
    model: type[J],
    *,
    scope: str,
    key: str,
    by,
    task,
    fresh_for: datetime.timedelta,
    **fields,
) -> tuple[J, bool]:
    """The job making the file `key`: a queued, rendering or fresh finished one, or a new one.

    Returns (job, created). Side effects, only for a new job: creates it QUEUED with `fields`,
    and on commit sends `task(file_id=job.pk)`; if the broker cannot be reached the job is marked
    FAILED so the person can try again. A queued or rendering job whose message or worker was
    lost is sent again instead (its task claims it under a lock, so it is still made once).
    """
    now = timezone.now()
    with transaction.atomic():
        existing = (
            model.objects.select_for_update()
            .filter(key=key)
            .filter(Q(state__in=ACTIVE_STATES) | Q(state=FileJobState.DONE, expires_at__gt=now))
            .exclude(state=FileJobState.DONE, file="")
            .order_by("-requested_at")
            .first()
        )
        if existing is not None:
            if existing.stale(now):
                _queue(model, existing.pk, task)
            return existing, False
        try:
            # A savepoint: a concurrent identical request may win the race to the partial unique
            # constraint, and then this one shares that job.
            with transaction.atomic():
                job = model.objects.create(
                    scope=scope,
                    key=key,
                    requested_by=by,
                    requested_at=now,
                    expires_at=now + fresh_for,
                    **fields,
                )
        except IntegrityError:
            return model.objects.get(key=key, state__in=ACTIVE_STATES), False
        _queue(model, job.pk, task)
    return job, True


def _queue(model: type[FileJob], job_id: int, task) -> None:
    from .tasks import enqueue

    def broker_down() -> None:
        model.objects.filter(pk=job_id, state=FileJobState.QUEUED).update(
            state=FileJobState.FAILED, failure_reason=BROKER_DOWN, finished_at=timezone.now()
        )

    transaction.on_commit(lambda: enqueue(task, fallback=broker_down, file_id=job_id))


def run_file_job(
    model: type[J], job_id: int, *, render: Callable[[J], tuple[bytes, str]]
) -> J | None:
    """Make the file of job `job_id` if it is due: the body of a feature app's task.

    `render(job)` returns (content, file name). Side effects: claims the job (RENDERING,
    started_at, attempts+1); stores the file through the storage API and marks the job DONE with
    finished_at and expires_at; then deletes the older jobs of the same scope and their files.
    On an error: deletes any file it stored, marks the job FAILED and logs the traceback. A job
    that is done, failed, taken by a live worker or gone is returned untouched. Returns the job.
    """
    job, attempt = _claim(model, job_id)
    if attempt is None:
        return job
    mine = model.objects.filter(pk=job_id, state=FileJobState.RENDERING, attempts=attempt)
    stored = ""
    try:
        content, name = render(job)
        job.file.save(name, ContentFile(content), save=False)
        stored = job.file.name
        with transaction.atomic():
            current = mine.select_for_update().first()
            if current is None:  # another worker took the job over: keep its work, not ours
                job.file.storage.delete(stored)
                job.refresh_from_db()
                return job
            now = timezone.now()
            mine.update(
                file=stored,
                state=FileJobState.DONE,
                finished_at=now,
                expires_at=now + (current.expires_at - current.requested_at),
            )
            replaced = list(
                model.objects.select_for_update()
                .filter(scope=job.scope, state__in=(FileJobState.DONE, FileJobState.FAILED))
                .exclude(pk=job_id)
            )
            model.objects.filter(pk__in=[old.pk for old in replaced]).delete()
            delete_stored_on_commit(job.file.storage, [old.file.name for old in replaced])
    except Exception:
        logger.exception("File job %s.%s failed on attempt %s", model.__name__, job_id, attempt)
        if stored:
            job.file.storage.delete(stored)
        mine.update(
            state=FileJobState.FAILED, failure_reason=UNEXPECTED, finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def _claim(model: type[J], job_id: int) -> tuple[J | None, int | None]:
    """Lock the job and take it if it is due: (job, this attempt's number) or (job, None)."""
    now = timezone.now()
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("File job %s.%s no longer exists", model.__name__, job_id)
            return None, None
        if job.state != FileJobState.QUEUED and not (
            job.state == FileJobState.RENDERING and job.stale(now)
        ):
            return job, None
        if job.attempts >= MAX_ATTEMPTS:
            job.state = FileJobState.FAILED
            job.failure_reason = UNEXPECTED
            job.finished_at = now
            job.save(update_fields=["state", "failure_reason", "finished_at"])
            return job, None
        job.state = FileJobState.RENDERING
        job.attempts += 1
        job.started_at = now
        job.failure_reason = ""
        job.save(update_fields=["state", "attempts", "started_at", "failure_reason"])
        return job, job.attempts
