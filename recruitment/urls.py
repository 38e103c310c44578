"""Recruitment URLs: the applicant's journey and the faculty's pages."""

from django.urls import include, path

from .views import apply_files, apply_rounds, apply_steps, apply_submit, faculty
from .views.manager_approval import manager_approval

urlpatterns = [
    # Applicants
    path("apply/", apply_rounds.round_list, name="round_list"),
    path("apply/rounds/<int:pk>/start/", apply_rounds.start, name="application_start"),
    path("apply/<str:ref>/", apply_rounds.overview, name="application_overview"),
    path("apply/<str:ref>/eligibility/", apply_steps.eligibility, name="application_eligibility"),
    path("apply/<str:ref>/statement/", apply_steps.statement, name="application_statement"),
    path("apply/<str:ref>/documents/", apply_steps.documents, name="application_documents"),
    path("apply/<str:ref>/approval/", apply_steps.approval, name="application_approval"),
    path("apply/<str:ref>/review/", apply_submit.review, name="application_review"),
    path("apply/<str:ref>/withdraw/", apply_submit.withdraw, name="application_withdraw"),
    path("apply/<str:ref>/equality/", apply_submit.equality, name="application_equality"),
    path("apply/<str:ref>/files/cv/", apply_files.cv_file, name="application_cv"),
    path(
        "apply/<str:ref>/files/approval/",
        apply_files.approval_file,
        name="application_approval_form",
    ),
    path(
        "apply/<str:ref>/files/approval-form-to-sign.pdf",
        apply_files.approval_form_pdf,
        name="application_approval_form_pdf",
    ),
    path(
        "apply/<str:ref>/files/documents/<int:pk>/",
        apply_files.document_file,
        name="application_document",
    ),
    path("employer-approval/<str:token>/", manager_approval, name="manager_approval"),
    # Faculty
    path("recruitment/rounds/", faculty.round_list, name="round_admin_list"),
    path("recruitment/rounds/new/", faculty.round_create, name="round_create"),
    path("recruitment/rounds/<int:pk>/", faculty.round_detail, name="round_detail"),
    path("recruitment/rounds/<int:pk>/edit/", faculty.round_update, name="round_update"),
    path(
        "recruitment/rounds/<int:pk>/eligibility/",
        faculty.round_eligibility,
        name="round_eligibility",
    ),
    path(
        "recruitment/rounds/<int:pk>/applications/",
        faculty.application_list,
        name="application_list",
    ),
    path(
        "recruitment/rounds/<int:pk>/applications.<str:fmt>",
        faculty.application_export,
        name="application_export",
    ),
    path(
        "recruitment/rounds/<int:pk>/equality/",
        faculty.equality_monitoring,
        name="equality_monitoring",
    ),
    path(
        "recruitment/applications/<str:ref>/", faculty.application_detail, name="application_detail"
    ),
    path(
        "recruitment/applications/<str:ref>/ineligible/",
        faculty.mark_ineligible,
        name="application_ineligible",
    ),
    # Issue 4/9: shortlisting, interviews and offers
    path("", include("recruitment.urls_shortlisting")),
    path("", include("recruitment.urls_interviews")),
    path("", include("recruitment.urls_offers")),
]
