"""A fellow's portfolio: entries by kind, the graduation poster and the testimonial, kept by the
fellow (in post and as an alumnus) and read by their project's supervisor and the faculty.

Who sees what: anyone who may not read a portfolio gets a 404 for it and for its files, so its
existence is not revealed; those who may read but not change it get a 403 on the editing pages.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from rules.contrib.views import permission_required

from fellowship.models import Fellow, programme
from fellowship.pdf import pdf_response, render_pdf
from fellowship.uploads import attachment, inline_image

from .. import consent as consent_text
from .. import services
from ..enums import ConsentPurpose, EntryKind
from ..forms import EntryForm, PosterForm, TestimonialForm
from ..models import Consent, PortfolioEntry, Poster, Testimonial

keep_portfolio = permission_required("portfolio.keep_portfolio", raise_exception=True)


def _fellow(request, ref: str, *, change: bool = False) -> Fellow:
    """The fellow whose portfolio this is: 404 unless this person may read it, 403 if they may
    read but `change` is asked and they may not."""
    fellow = get_object_or_404(Fellow.objects.select_related("cohort", "user"), ref=ref)
    if not request.user.has_perm("portfolio.view_portfolio", fellow):
        raise Http404
    if change and not request.user.has_perm("portfolio.change_portfolio", fellow):
        raise PermissionDenied
    return fellow


def _portfolio(request, fellow: Fellow) -> dict:
    """The portfolio's contents: entries grouped by kind in the vocabulary's order, poster, testimonial."""
    entries = list(fellow.portfolio_entries.all())
    groups = [
        {"kind": kind, "label": kind.label, "entries": [e for e in entries if e.kind == kind]}
        for kind in EntryKind
    ]
    testimonial, consents = None, []
    if request.user.has_perm("portfolio.view_fellow_testimonial", fellow):
        testimonial = Testimonial.objects.filter(fellow=fellow).with_consents().first()
        if testimonial:
            consents = list(testimonial.consents.all())
    return {
        "fellow": fellow,
        "groups": [g for g in groups if g["entries"]],
        "entry_count": len(entries),
        "poster": Poster.objects.filter(fellow=fellow).first(),
        "testimonial": testimonial,
        "consents": consents,
        "shows_testimonial": request.user.has_perm("portfolio.view_fellow_testimonial", fellow),
        "can_change": request.user.has_perm("portfolio.change_portfolio", fellow),
    }


@keep_portfolio
def my_portfolio(request):
    fellow = services.fellow_for(request.user)
    if fellow is None:
        raise Http404("Your account is not linked to a fellowship yet")
    return redirect("portfolio_detail", ref=fellow.ref)


def portfolio_detail(request, ref: str):
    fellow = _fellow(request, ref)
    return render(request, "portfolio/portfolio_detail.html", _portfolio(request, fellow))


def portfolio_pdf(request, ref: str):
    """The portfolio as an A4 PDF, for appraisal and revalidation."""
    fellow = _fellow(request, ref)
    context = _portfolio(request, fellow)
    context["generated_at"] = timezone.now()
    context["programme"] = programme()
    html = render_to_string("portfolio/portfolio_pdf.html", context, request=None)
    pdf = render_pdf(html)  # fetches nothing but our static files
    return pdf_response(
        pdf, filename=f"portfolio-{slugify(fellow.recorded_name) or fellow.ref}.pdf"
    )


# Entries --------------------------------------------------------------------------------------


def _entry(fellow: Fellow, pk: int) -> PortfolioEntry:
    return get_object_or_404(PortfolioEntry, pk=pk, fellow=fellow)


def entry_create(request, ref: str):
    fellow = _fellow(request, ref, change=True)
    initial = {"kind": request.GET["kind"]} if request.GET.get("kind") in EntryKind.values else {}
    return _edit_entry(request, fellow, PortfolioEntry(fellow=fellow), initial)


def entry_update(request, ref: str, pk: int):
    fellow = _fellow(request, ref, change=True)
    return _edit_entry(request, fellow, _entry(fellow, pk))


def _edit_entry(request, fellow: Fellow, entry: PortfolioEntry, initial: dict | None = None):
    adding = entry.pk is None
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, instance=entry)
        if form.is_valid():
            try:
                services.save_entry(form.save(commit=False), by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, "Your entry has been added" if adding else "Your entry has been saved"
                )
                return redirect("portfolio_detail", ref=fellow.ref)
    else:
        form = EntryForm(instance=entry, initial=initial)
    context = {"fellow": fellow, "form": form, "entry": entry, "adding": adding}
    return render(request, "portfolio/entry_form.html", context)


def entry_delete(request, ref: str, pk: int):
    fellow = _fellow(request, ref, change=True)
    entry = _entry(fellow, pk)
    if request.method == "POST":
        services.remove_entry(entry, by=request.user)
        messages.success(request, f"“{entry.title}” has been removed from your portfolio")
        return redirect("portfolio_detail", ref=fellow.ref)
    return render(request, "portfolio/entry_delete.html", {"fellow": fellow, "entry": entry})


def entry_evidence(request, ref: str, pk: int):
    fellow = _fellow(request, ref)
    entry = _entry(fellow, pk)
    if not entry.evidence:
        raise Http404
    suffix = PurePosixPath(entry.evidence.name).suffix
    return attachment(
        entry.evidence, download_name=f"{slugify(entry.title)[:80] or 'evidence'}{suffix}"
    )


# Poster and testimonial -----------------------------------------------------------------------


def poster_edit(request, ref: str):
    fellow = _fellow(request, ref, change=True)
    poster = Poster.objects.filter(fellow=fellow).first() or Poster(fellow=fellow)
    if request.method == "POST":
        form = PosterForm(request.POST, request.FILES, instance=poster)
        if form.is_valid():
            services.save_poster(form.save(commit=False), by=request.user, kind=form.kind)
            messages.success(request, "Your graduation poster has been saved")
            return redirect("portfolio_detail", ref=fellow.ref)
    else:
        form = PosterForm(instance=poster)
    return render(
        request, "portfolio/poster_form.html", {"fellow": fellow, "form": form, "poster": poster}
    )


def poster_file(request, ref: str):
    """The poster file: an image is shown in the page (its content was checked on upload);
    a PDF, or anything asked for with ?download, is sent as a download."""
    fellow = _fellow(request, ref)
    poster = Poster.objects.filter(fellow=fellow).first()
    if poster is None or not poster.file:
        raise Http404
    suffix = PurePosixPath(poster.file.name).suffix
    name = f"poster-{slugify(fellow.recorded_name) or fellow.ref}{suffix}"
    if not poster.is_image or "download" in request.GET:
        return attachment(poster.file, download_name=name)
    return inline_image(poster.file, kind=poster.file_kind, name=name)


def testimonial_edit(request, ref: str):
    fellow = _fellow(request, ref, change=True)
    testimonial = Testimonial.objects.filter(fellow=fellow).first() or Testimonial(fellow=fellow)
    if request.method == "POST":
        form = TestimonialForm(request.POST, instance=testimonial)
        if form.is_valid():
            try:
                changes = services.save_testimonial(
                    form.save(commit=False), by=request.user, **form.consents()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your testimonial has been saved")
                _tell_withdrawn(request, changes.withdrawn, changes.given)
                return redirect("portfolio_detail", ref=fellow.ref)
    else:
        form = TestimonialForm(instance=testimonial)
    context = {"fellow": fellow, "form": form, "wordings": consent_text.shown_wordings()}
    return render(request, "portfolio/testimonial_form.html", context)


def _tell_withdrawn(request, withdrawn, given=()) -> None:
    """Say which consents were withdrawn (a change of credit, withdrawn and given again, is not
    a withdrawal to the fellow)."""
    gone = [p.label.lower() for p in ConsentPurpose if p in withdrawn and p not in given]
    if gone:
        messages.info(request, "You withdrew your consent to " + " and to ".join(gone))


def consent_withdraw(request, ref: str, pk: int):
    """Withdraw one of the fellow's own current consents, after a confirmation page. Only the
    fellow may: faculty and supervisors get a 403, anyone else a 404."""
    fellow = _fellow(request, ref, change=True)
    consent = get_object_or_404(
        Consent.objects.current().select_related("testimonial__fellow"),
        pk=pk,
        testimonial__fellow=fellow,
    )
    also_publish = (
        consent.purpose == ConsentPurpose.QUOTE_IN_REPORTS and consent.testimonial.may_publish
    )
    if request.method == "POST":
        withdrawn = services.withdraw_consent(consent, by=request.user)
        _tell_withdrawn(request, withdrawn)
        return redirect(f"{reverse('portfolio_detail', args=[fellow.ref])}#consents")
    context = {"fellow": fellow, "consent": consent, "also_publish": also_publish}
    return render(request, "portfolio/consent_withdraw.html", context)
