"""Recruitment URLs for shortlisting."""

from django.urls import path

from .views import shortlisting

urlpatterns = [
    # Faculty
    path(
        "recruitment/rounds/<int:pk>/shortlisting/",
        shortlisting.round_shortlisting,
        name="shortlisting",
    ),
    path(
        "recruitment/applications/<str:ref>/moderate/<int:criterion_pk>/",
        shortlisting.moderate,
        name="shortlist_moderate",
    ),
    # Reviewers (panellists and faculty)
    path("shortlisting/", shortlisting.my_reviews, name="my_reviews"),
    path("shortlisting/<int:pk>/", shortlisting.score, name="shortlist_score"),
    path("shortlisting/<int:pk>/conflict/", shortlisting.declare_conflict, name="declare_conflict"),
]
