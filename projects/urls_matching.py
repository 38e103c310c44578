"""Matching URLs: fellows rank projects, supervisors rank fellows, faculty run, review and publish."""

from django.urls import path

from .views import matching

urlpatterns = [
    # Fellows: rank the projects they are eligible for, then read their result.
    path("projects/choices/", matching.project_choices, name="project_choices"),
    path("projects/choices/result/", matching.matching_result, name="matching_result"),
    # Supervisors (or faculty on their behalf): rank the fellows who chose their projects.
    path(
        "projects/matching/<int:number>/supervisors/<int:pk>/ranking/",
        matching.fellow_ranking,
        name="fellow_ranking",
    ),
    # Faculty: set up, run, review, override and publish.
    path("projects/matching/", matching.matching_list, name="matching_list"),
    path("projects/matching/<int:number>/", matching.matching_detail, name="matching_detail"),
    path(
        "projects/matching/<int:number>/supervisors/",
        matching.matching_supervisors,
        name="matching_supervisors",
    ),
    path("projects/matching/<int:number>/run/", matching.matching_run, name="matching_run"),
    path(
        "projects/matching/<int:number>/allocation/",
        matching.matching_allocation,
        name="matching_allocation",
    ),
    path(
        "projects/matching/<int:number>/allocation/<int:pk>/override/",
        matching.matching_override,
        name="matching_override",
    ),
    path(
        "projects/matching/<int:number>/publish/",
        matching.matching_publish,
        name="matching_publish",
    ),
]
