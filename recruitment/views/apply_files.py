"""An application's files, only through these views: to the applicant, and to faculty (whose
downloads are audited); and the pre-filled approval form for the applicant's manager to sign."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from fellowship import audit
from fellowship.enums import AuditAction, AuditSubject
from fellowship.models import programme
from fellowship.pdf import pdf_response, render_pdf
from fellowship.uploads import attachment

from ..models import Application
from .apply_common import application_for, own_application


def _audit_file(request, application: Application, what: str) -> None:
    """Anyone but the applicant opening an application's file goes in the audit log."""
    if request.user.pk != application.applicant_id:
        audit.record(
            AuditAction.DOWNLOADED,
            AuditSubject.APPLICATION_FILE,
            by=request.user,
            reference=application.ref,
            summary=what,
        )


def cv_file(request, ref: str):
    application = application_for(request, ref)
    if not application.cv:
        raise Http404
    _audit_file(request, application, "CV")
    return attachment(application.cv, download_name=f"{application.ref} CV.pdf")


def approval_file(request, ref: str):
    application = application_for(request, ref)
    if not application.approval_form:
        raise Http404
    _audit_file(request, application, "Employer approval form")
    return attachment(
        application.approval_form, download_name=f"{application.ref} employer approval.pdf"
    )


def document_file(request, ref: str, pk: int):
    """A required document by its ApplicationDocument id."""
    application = application_for(request, ref)
    document = get_object_or_404(application.documents.select_related("requirement"), pk=pk)
    _audit_file(request, application, document.requirement.name)
    return attachment(
        document.file, download_name=f"{application.ref} {document.requirement.name}.pdf"
    )


@require_http_methods(["GET"])
def approval_form_pdf(request, ref: str):
    """A pre-filled approval form for the manager to sign, as a PDF: to the applicant alone."""
    application = own_application(request, ref)
    pdf = render_pdf(
        render_to_string(
            "recruitment/apply/approval_form_pdf.html",
            {"application": application, "round": application.round, "programme": programme()},
        )
    )
    return pdf_response(pdf, filename=f"{application.ref} employer approval form to sign.pdf")
