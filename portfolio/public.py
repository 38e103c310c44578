"""Public pages of fellows' portfolios (no sign-in): the fellows and alumni page, their photos and
the graduation posters the projects page links to.

Each request reads the fellows' current consents, so a withdrawal takes effect on the next
request. Pages may be kept by shared caches for five minutes for anonymous visitors only; files
(photos, posters) are never kept, so a withdrawn one is gone at once.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import PurePosixPath

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fellowship.public.caching import public_page
from fellowship.uploads import attachment, inline_image

from . import publishing


@public_page
@require_safe
def fellows_page(request):
    """Fellows and alumni by cohort: only those who chose to be shown, only what each chose."""
    fellows = publishing.public_fellows()
    cohorts = [
        {"number": number, "fellows": list(group)}
        for number, group in groupby(fellows, key=lambda f: f.cohort)
    ]
    return render(request, "portfolio/public/fellows.html", {"cohorts": cohorts})


@login_not_required
@require_safe
def profile_photo(request, pk: int):
    """A fellow's photo, while their profile is published and shows it; else 404."""
    profile = publishing.published_photo(pk)
    if profile is None:
        raise Http404
    suffix = PurePosixPath(profile.photo.name).suffix
    return inline_image(profile.photo, kind=profile.photo_kind, name=f"fellow-{pk}{suffix}")


@login_not_required
@require_safe
def poster_file(request, pk: int):
    """A graduation poster, while its fellow's consent to publish it is current; else 404.
    An image is shown in the page; a PDF (or ?download) is sent as a download."""
    poster = publishing.published_poster(pk)
    if poster is None:
        raise Http404
    name = f"poster-{pk}{PurePosixPath(poster.file.name).suffix}"
    if not poster.is_image or "download" in request.GET:
        return attachment(poster.file, download_name=name)
    return inline_image(poster.file, kind=poster.file_kind, name=name)
