"""Recruitment URLs for interviews."""

from django.urls import path

from .views import interviews as views

urlpatterns = [
    # Faculty
    path("recruitment/rounds/<int:pk>/panels/", views.panel_list, name="panel_list"),
    path("recruitment/rounds/<int:pk>/panels/new/", views.panel_create, name="panel_create"),
    path(
        "recruitment/rounds/<int:pk>/panels/agreement/",
        views.panel_agreement,
        name="panel_agreement",
    ),
    path("recruitment/rounds/<int:pk>/panels/offer-choice/", views.slot_choice, name="slot_choice"),
    path("recruitment/panels/<int:pk>/", views.panel_detail, name="panel_detail"),
    path("recruitment/panels/<int:pk>/edit/", views.panel_update, name="panel_update"),
    path("recruitment/panels/<int:pk>/slots/", views.panel_slots, name="panel_slots"),
    path("recruitment/panels/<int:pk>/invite/", views.panel_invite, name="panel_invite"),
    path("recruitment/slots/<int:pk>/allocate/", views.slot_allocate, name="slot_allocate"),
    # Candidates
    path("apply/<str:ref>/interview/", views.choose_slot, name="choose_slot"),
    # Panellists (and faculty on a panel)
    path("interviews/", views.my_interviews, name="my_interviews"),
    path("interviews/slots/<int:pk>/", views.interview_score, name="interview_score"),
    path("interviews/slots/<int:pk>/cv/", views.panel_cv, name="panel_cv"),
    path(
        "interviews/slots/<int:pk>/consensus/",
        views.interview_consensus,
        name="interview_consensus",
    ),
]
