"""Public URLs of fellows' portfolios (no sign-in): the fellows and alumni page, fellows' photos
and the graduation posters the projects page shows."""

from django.urls import path

from . import public

urlpatterns = [
    path("fellows/", public.fellows_page, name="public_fellows"),
    path("fellows/photos/<int:pk>/", public.profile_photo, name="public_profile_photo"),
    path("projects/posters/<int:pk>/", public.poster_file, name="public_poster_file"),
]
