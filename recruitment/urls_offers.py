"""Recruitment URLs for offers."""

from django.urls import path

from .views import offers

urlpatterns = [
    path("recruitment/rounds/<int:pk>/offers/", offers.offers, name="offers"),
    path(
        "recruitment/rounds/<int:pk>/offers/outcomes/", offers.send_outcomes, name="send_outcomes"
    ),
    path("offers/<int:pk>/", offers.offer_respond, name="offer_respond"),
]
