"""URLs of the whole service; each app adds its own under its prefix."""

from django.contrib import admin
from django.urls import include, path

from .views import audit, history, home, people, programme

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("support/admin/", admin.site.urls),
    # Programme core (faculty)
    path("programme/cohorts/", programme.CohortList.as_view(), name="cohort_list"),
    path("programme/cohorts/new/", programme.CohortCreate.as_view(), name="cohort_create"),
    path("programme/cohorts/<int:number>/", programme.CohortDetail.as_view(), name="cohort_detail"),
    path("programme/cohorts/<int:number>/edit/", programme.CohortUpdate.as_view(), name="cohort_update"),
    path("programme/regions/", programme.RegionList.as_view(), name="region_list"),
    path("programme/regions/new/", programme.RegionCreate.as_view(), name="region_create"),
    path("programme/regions/<int:pk>/edit/", programme.RegionUpdate.as_view(), name="region_update"),
    path("programme/organisations/", programme.OrganisationList.as_view(), name="organisation_list"),
    path("programme/organisations/new/", programme.OrganisationCreate.as_view(), name="organisation_create"),
    path("programme/organisations/<int:pk>/edit/", programme.OrganisationUpdate.as_view(), name="organisation_update"),
    path("programme/funders/", programme.FunderList.as_view(), name="funder_list"),
    path("programme/funders/new/", programme.FunderCreate.as_view(), name="funder_create"),
    path("programme/funders/<int:pk>/", programme.FunderDetail.as_view(), name="funder_detail"),
    path("programme/funders/<int:pk>/edit/", programme.FunderUpdate.as_view(), name="funder_update"),
    path("programme/funders/<int:pk>/mou/", programme.funder_mou, name="funder_mou"),
    path("programme/fellows/", programme.FellowList.as_view(), name="fellow_list"),
    path("programme/fellows/new/", programme.FellowCreate.as_view(), name="fellow_create"),
    path("programme/fellows/<int:pk>/", programme.FellowDetail.as_view(), name="fellow_detail"),
    path("programme/fellows/<int:pk>/edit/", programme.FellowUpdate.as_view(), name="fellow_update"),
    path("programme/workshops/", programme.WorkshopList.as_view(), name="workshop_list"),
    path("programme/workshops/new/", programme.WorkshopCreate.as_view(), name="workshop_create"),
    path("programme/workshops/<int:pk>/", programme.WorkshopDetail.as_view(), name="workshop_detail"),
    path("programme/workshops/<int:pk>/edit/", programme.WorkshopUpdate.as_view(), name="workshop_update"),
    path("programme/history/import/", history.history_import, name="history_import"),
    path("people/", people.person_list, name="person_list"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/roles/<int:grant_pk>/remove/", people.role_revoke, name="role_revoke"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("", include("recruitment.urls")),
    path("", include("fellowship.urls_mentoring")),
    path("", include("projects.urls_matching")),
    path("", include("projects.urls")),
    path("", include("surveys.urls")),
    path("", include("portfolio.urls")),
    path("", include("reports.urls")),
]
