"""Project URLs: supervisors' proposals, faculty vetting, the catalogue and milestones."""

from django.urls import path

from .views import catalogue, proposals, vetting

urlpatterns = [
    # Supervisors (and alumni) propose; anyone who may see a proposal may compare its versions.
    path("projects/proposals/", proposals.proposal_list, name="proposal_list"),
    path("projects/proposals/new/", proposals.proposal_create, name="proposal_create"),
    path("projects/<str:ref>/", proposals.proposal_detail, name="proposal_detail"),
    path("projects/<str:ref>/edit/", proposals.proposal_update, name="proposal_update"),
    path("projects/<str:ref>/submit/", proposals.proposal_submit, name="proposal_submit"),
    path("projects/<str:ref>/versions/", proposals.version_compare, name="proposal_versions"),
    # Faculty vetting and the checklist
    path("projects/vetting/queue/", vetting.review_queue, name="review_queue"),
    path("projects/<str:ref>/review/", vetting.review, name="proposal_review"),
    path("projects/checklist/items/", vetting.checklist, name="checklist"),
    path("projects/checklist/items/<int:pk>/", vetting.checklist_item, name="checklist_item"),
    # The approved catalogue, and milestones through the year
    path("projects/catalogue/<int:number>/", catalogue.catalogue, name="catalogue"),
    path("projects/catalogue/<int:number>/pdf/", catalogue.catalogue_pdf, name="catalogue_pdf"),
    path(
        "projects/catalogue/<int:number>/pdf/<int:pk>/",
        catalogue.catalogue_file,
        name="catalogue_file",
    ),
    path(
        "projects/catalogue/<int:number>/pdf/<int:pk>/download/",
        catalogue.catalogue_file_download,
        name="catalogue_file_download",
    ),
    path("projects/overview/status/", vetting.overview, name="project_overview"),
    path("projects/<str:ref>/milestones/", vetting.milestones, name="project_milestones"),
]
