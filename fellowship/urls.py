"""URLs of the whole service; each app adds its own under its prefix."""

from django.contrib import admin
from django.urls import include, path

from . import health, metrics
from .views import (
    audit,
    emails,
    history,
    home,
    invitations,
    people,
    personal_data,
    privacy_notices,
    programme,
    programme_settings,
    retention,
)

urlpatterns = [
    path("", home.home, name="home"),
    # Answered by fellowship.health.ProbeMiddleware first; routed too, so that they have names.
    path("health/live/", health.live, name="health_live"),
    path("health/ready/", health.ready, name="health_ready"),
    path("metrics", metrics.export, name="metrics"),
    path("accounts/", include("allauth.urls")),
    path("support/admin/", admin.site.urls),
    # Programme core (faculty)
    path("programme/cohorts/", programme.CohortList.as_view(), name="cohort_list"),
    path("programme/cohorts/new/", programme.CohortCreate.as_view(), name="cohort_create"),
    path("programme/cohorts/<int:number>/", programme.CohortDetail.as_view(), name="cohort_detail"),
    path(
        "programme/cohorts/<int:number>/edit/",
        programme.CohortUpdate.as_view(),
        name="cohort_update",
    ),
    path("programme/regions/", programme.RegionList.as_view(), name="region_list"),
    path("programme/regions/new/", programme.RegionCreate.as_view(), name="region_create"),
    path(
        "programme/regions/<int:pk>/edit/", programme.RegionUpdate.as_view(), name="region_update"
    ),
    path(
        "programme/organisations/", programme.OrganisationList.as_view(), name="organisation_list"
    ),
    path(
        "programme/organisations/new/",
        programme.OrganisationCreate.as_view(),
        name="organisation_create",
    ),
    path(
        "programme/organisations/<int:pk>/edit/",
        programme.OrganisationUpdate.as_view(),
        name="organisation_update",
    ),
    path("programme/funders/", programme.FunderList.as_view(), name="funder_list"),
    path("programme/funders/new/", programme.FunderCreate.as_view(), name="funder_create"),
    path("programme/funders/<int:pk>/", programme.FunderDetail.as_view(), name="funder_detail"),
    path(
        "programme/funders/<int:pk>/edit/", programme.FunderUpdate.as_view(), name="funder_update"
    ),
    path("programme/funders/<int:pk>/mou/", programme.funder_mou, name="funder_mou"),
    path("programme/fellows/", programme.FellowList.as_view(), name="fellow_list"),
    path("programme/fellows/new/", programme.FellowCreate.as_view(), name="fellow_create"),
    path("programme/fellows/<int:pk>/", programme.FellowDetail.as_view(), name="fellow_detail"),
    path(
        "programme/fellows/<int:pk>/edit/", programme.FellowUpdate.as_view(), name="fellow_update"
    ),
    path("programme/workshops/", programme.WorkshopList.as_view(), name="workshop_list"),
    path("programme/workshops/new/", programme.WorkshopCreate.as_view(), name="workshop_create"),
    path(
        "programme/workshops/<int:pk>/", programme.WorkshopDetail.as_view(), name="workshop_detail"
    ),
    path(
        "programme/workshops/<int:pk>/edit/",
        programme.WorkshopUpdate.as_view(),
        name="workshop_update",
    ),
    path("programme/history/import/", history.history_import, name="history_import"),
    path("programme/settings/", programme_settings.programme_settings, name="programme_settings"),
    path("people/", people.person_list, name="person_list"),
    path("people/data/", personal_data.requests_page, name="personal_data_requests"),
    path("people/data/export/", personal_data.export_for_person, name="personal_data_export"),
    path("people/data/erase/", personal_data.erase, name="personal_data_erase"),
    path("people/data/retention/", retention.retention_page, name="retention"),
    path("people/data/retention/check/", retention.retention_check, name="retention_check"),
    path("people/data/retention/remove/", retention.retention_apply, name="retention_apply"),
    path("privacy/", privacy_notices.privacy_index, name="privacy_index"),
    path("privacy/<slug:purpose>/", privacy_notices.privacy_notice, name="privacy_notice"),
    path("your-data/", personal_data.my_data, name="my_data"),
    path("your-data/download/", personal_data.my_data_download, name="my_data_download"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/roles/<int:grant_pk>/remove/", people.role_revoke, name="role_revoke"),
    path("people/invitations/", invitations.invitation_list, name="invitation_list"),
    path("people/invitations/new/", invitations.invitation_create, name="invitation_create"),
    path("people/invitations/many/", invitations.invitation_bulk, name="invitation_bulk"),
    path(
        "people/invitations/many/<int:pk>/", invitations.invitation_batch, name="invitation_batch"
    ),
    path(
        "people/invitations/<int:pk>/resend/",
        invitations.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "people/invitations/<int:pk>/revoke/",
        invitations.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitation/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("emails/", emails.email_text_list, name="email_text_list"),
    path("emails/<slug:key>/", emails.email_text_edit, name="email_text_edit"),
    path("emails/<slug:key>/reset/", emails.email_text_reset, name="email_text_reset"),
    path(
        "emails/<slug:key>/versions/<int:pk>/restore/",
        emails.email_text_restore,
        name="email_text_restore",
    ),
    path("", include("fellowship.urls_public")),
    # The public pages of the apps whose data they show: fellows and alumni, projects and posters.
    path("", include("portfolio.urls_public")),
    path("", include("projects.urls_public")),
    path("", include("recruitment.urls")),
    path("", include("fellowship.urls_mentoring")),
    path("", include("projects.urls_matching")),
    path("", include("projects.urls")),
    path("", include("surveys.urls")),
    path("", include("portfolio.urls")),
    path("", include("reports.urls")),
]
