"""Survey URLs: answering (anyone invited) and the faculty pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("surveys/", views.my_surveys, name="my_surveys"),
    path("surveys/<int:pk>/", views.survey_answer, name="survey_answer"),
    path("surveys/<int:pk>/results/", views.survey_results, name="survey_results"),
    path(
        "recruitment/rounds/<int:pk>/panellist-feedback/",
        views.send_panellists,
        name="survey_send_panellists",
    ),
]
