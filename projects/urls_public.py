"""Public URLs of the projects app (no sign-in): the projects page."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("projects/", public_views.projects_page, name="public_projects"),
]
