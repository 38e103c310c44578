"""The Celery application; with no broker configured, tasks run eagerly in-process.

The request id (fellowship.request_ids) travels with each task: it is put in the message's headers
when the task is queued and restored in the worker while the task runs, so the task's log lines
carry the id of the request that queued it. The worker logs through the project's LOGGING (plain or
JSON lines, with the request id) rather than Celery's own set-up.
"""

import os

from celery import Celery
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

from fellowship import request_ids

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fellowship.settings")

app = Celery("fellowship")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEADER = "request_id"
# task id -> the token that restores the worker's context after the task.
_tokens: dict = {}


@before_task_publish.connect(dispatch_uid="fellowship.request_id.publish")
def put_request_id_in_headers(headers=None, **kwargs) -> None:
    request_id = request_ids.current()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


def _request_id_of(task) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return request_ids.accept(value) if value else None


@task_prerun.connect(dispatch_uid="fellowship.request_id.prerun")
def restore_request_id(task_id=None, task=None, **kwargs) -> None:
    """Run the task under the queuing request's id; a task run eagerly keeps the request's own."""
    request_id = _request_id_of(task)
    if request_id:
        _tokens[task_id] = request_ids.set_current(request_id)


@task_postrun.connect(dispatch_uid="fellowship.request_id.postrun")
def clear_request_id(task_id=None, **kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        request_ids.reset(token)


@setup_logging.connect(dispatch_uid="fellowship.logging")
def use_project_logging(loglevel=None, **kwargs) -> None:
    """The worker logs as the web nodes do (settings.LOGGING), not through Celery's own handlers,
    at the level given to `celery worker --loglevel`."""
    import logging
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
