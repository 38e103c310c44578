"""Caching of the public website's pages, without ever showing what a fellow has withdrawn.

A page is the same for every visitor who is not signed in, so the server keeps each rendered page
in the shared cache and answers the next visitor from it. It is kept under the *public version*:
a token that changes, once the transaction commits, whenever any record of the apps that feed the
public pages is saved or deleted (a consent withdrawn, a profile changed, a round edited, a
fellow erased ...). The next request after a change renders afresh, so a withdrawal takes effect
on the next request on every node. Changes that no save announces (a round opening at its time, a
bulk update) show within PUBLIC_CACHE_SECONDS, as every cached page and ETag also names the
current time window.

Browsers and proxies may store a page too, but must ask again before each use (`no-cache`): the
ETag names the version, so an unchanged page costs them a 304 and a withdrawn profile is never
shown again from their copy.

Anyone signed in, or carrying a session or messages cookie, gets a private page that no cache
stores, so a page never tells a later visitor who was signed in.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

# How long a rendered page may be kept at most, for changes that no save announces.
PUBLIC_CACHE_SECONDS = 60
VERSION_KEY = "public-site:version"
# Cookies that make a response personal (a session, or messages waiting to be shown).
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
# The apps whose records the public pages show (the sites framework holds the programme's name).
PUBLIC_SOURCES = {"fellowship", "recruitment", "projects", "portfolio", "sites"}
# Records of those apps that no public page shows and that change often (an applicant's draft at
# the deadline, reviewers' scores, sign-ins, the outbox): they leave the cached pages alone.
NOT_SHOWN = {
    "fellowship.auditevent",
    "fellowship.outboxmessage",
    "fellowship.interestsignup",
    "fellowship.retentionrun",
    "recruitment.application",
    "recruitment.applicationdocument",
    "recruitment.statement",
    "recruitment.equalityrecord",
    "recruitment.stagechange",
    "recruitment.reviewerassignment",
    "recruitment.shortlistscore",
    "recruitment.interviewscore",
    "recruitment.moderation",
    "recruitment.consensusscore",
}


def public_version() -> str:
    """The current public version (made on first use, and again if the cache was emptied)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def bump_public_version() -> None:
    """Make every cached public page stale at once (on every node sharing the cache)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _pending(func) -> bool:
    return any(entry[1] is func for entry in connection.run_on_commit)


def record_changed(sender, **kwargs) -> None:
    """post_save / post_delete / m2m_changed: bump the version now (for every row saved) and again
    once the change is committed (once per transaction however many rows change). The second bump
    matters: a page rendered between the two, from the data as it was before the commit, is kept
    under the first one's version and would otherwise be served until it expired."""
    bump_public_version()
    if not connection.in_atomic_block:
        return  # autocommit: already committed
    if not _pending(bump_public_version):
        transaction.on_commit(bump_public_version)


def shown_models() -> list[type[Model]]:
    """The models of the apps that feed the public pages, less those no page shows and the
    history tables."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in PUBLIC_SOURCES
        and model._meta.label_lower not in NOT_SHOWN
        and not model._meta.model_name.startswith("historical")
    ]


def watch_public_sources() -> None:
    """Listen for changes to every shown model, model by model (a listener for every model would
    stop Django deleting the others' rows in bulk), and to their many-to-many relations."""
    for model in shown_models():
        uid = f"public-site:{model._meta.label_lower}"
        post_save.connect(record_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(record_changed, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                record_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}:{field.name}",
            )


def _window() -> int:
    return int(time.time() // PUBLIC_CACHE_SECONDS)


def _personal(request) -> bool:
    return request.user.is_authenticated or any(
        name in request.COOKIES for name in PERSONAL_COOKIES
    )


def _private(response):
    """Someone's own page: no cache, shared or the browser's, may keep it."""
    patch_vary_headers(response, ("Cookie",))
    patch_cache_control(response, private=True, no_store=True)
    return response


def public_page(view):
    """An anonymous visitor's GET is answered from the shared cache when it can be (see the module
    docstring), with an ETag and `public, no-cache`; anyone else gets the view's own response,
    private and never stored."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if _personal(request) or request.method not in ("GET", "HEAD"):
            return _private(view(request, *args, **kwargs))
        # The address includes the host: a page may hold absolute links (the sitemap, og:url).
        address = request.build_absolute_uri()
        tag = hashlib.sha256(f"{public_version()}:{_window()}:{address}".encode()).hexdigest()[:32]
        etag = f'"{tag}"'
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponseNotModified()
        else:
            key = f"public-site:page:{tag}"
            stored = cache.get(key)
            if stored is not None:
                content, content_type = stored
                response = HttpResponse(content, content_type=content_type)
            else:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                # A page that set a cookie, or holds a form's CSRF token, is someone's own.
                if (
                    response.status_code != 200
                    or response.cookies
                    or response.streaming
                    or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                ):
                    return _private(response)
                cache.set(key, (response.content, response["Content-Type"]), PUBLIC_CACHE_SECONDS)
        response["ETag"] = etag
        patch_vary_headers(response, ("Cookie",))
        patch_cache_control(response, public=True, no_cache=True)
        return response

    return login_not_required(wrapper)
