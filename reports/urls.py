"""Report URLs: faculty request, watch, word and release reports; funders download released ones;
faculty edit the wording."""

from django.urls import path

from .views import content, jobs, narrative

urlpatterns = [
    path("reports/", jobs.report_list, name="report_list"),
    path("reports/new/", jobs.report_request, name="report_request"),
    path("reports/<int:pk>/", jobs.report_detail, name="report_detail"),
    path("reports/<int:pk>/status/", jobs.report_status, name="report_status"),
    path("reports/<int:pk>/download/<str:fmt>/", jobs.report_download, name="report_download"),
    path(
        "reports/<int:pk>/sections/<str:key>/", narrative.section_edit, name="report_section_edit"
    ),
    path("reports/<int:pk>/claims/<str:key>/", narrative.claim_resolve, name="report_claim"),
    path("reports/<int:pk>/release/", narrative.report_release, name="report_release"),
    path("reports/preview/<int:number>/", content.report_preview, name="report_preview"),
    path("reports/wording/", content.wording_list, name="report_wording"),
    path("reports/wording/<int:objective>/", content.wording_edit, name="report_wording_edit"),
]
