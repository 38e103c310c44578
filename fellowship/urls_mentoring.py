"""Mentoring URLs: alumni offer, fellows ask, faculty assign, adjust and publish."""

from django.urls import path

from .views import mentoring

urlpatterns = [
    path("mentoring/", mentoring.my_mentoring, name="my_mentoring"),
    path("mentoring/offer/", mentoring.mentor_offer, name="mentor_offer"),
    path("mentoring/request/", mentoring.mentor_request, name="mentor_request"),
    path("programme/mentoring/", mentoring.mentoring_list, name="mentoring_list"),
    path("programme/mentoring/<int:number>/", mentoring.mentoring_cohort, name="mentoring_cohort"),
    path("programme/mentoring/<int:number>/run/", mentoring.mentoring_run, name="mentoring_run"),
    path(
        "programme/mentoring/<int:number>/pairs/new/",
        mentoring.mentoring_pair_add,
        name="mentoring_pair_add",
    ),
    path(
        "programme/mentoring/<int:number>/pairs/<int:pk>/",
        mentoring.mentoring_pair,
        name="mentoring_pair",
    ),
    path(
        "programme/mentoring/<int:number>/publish/",
        mentoring.mentoring_publish,
        name="mentoring_publish",
    ),
]
