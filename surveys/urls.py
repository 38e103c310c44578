"""Survey URLs: answering (anyone invited), speakers' results, and the faculty pages."""

from django.urls import path

from .views import answer, builder, distribution, results, speakers

urlpatterns = [
    # Answering
    path("surveys/", answer.my_surveys, name="my_surveys"),
    path("surveys/<int:pk>/", answer.survey_answer, name="survey_answer"),
    # Speakers see the feedback on their own sessions only
    path("surveys/speaking/", speakers.my_talks, name="my_talks"),
    path("surveys/speaking/<int:pk>/", speakers.speaker_results, name="speaker_results"),
    # Faculty: build, copy, send, read and export
    path("surveys/manage/", builder.survey_list, name="survey_list"),
    path("surveys/manage/new/", builder.survey_create, name="survey_create"),
    path("surveys/manage/<int:pk>/", builder.survey_edit, name="survey_edit"),
    path("surveys/manage/<int:pk>/copy/", builder.survey_copy, name="survey_copy"),
    path("surveys/manage/<int:pk>/questions/new/", builder.question_create, name="question_create"),
    path(
        "surveys/manage/<int:pk>/questions/<int:question_pk>/",
        builder.question_edit,
        name="question_edit",
    ),
    path("surveys/manage/<int:pk>/send/", distribution.survey_send, name="survey_send"),
    path("surveys/<int:pk>/results/", results.survey_results, name="survey_results"),
    path("surveys/<int:pk>/export/<str:fmt>/", results.survey_export, name="survey_export"),
    path(
        "recruitment/rounds/<int:pk>/panellist-feedback/",
        distribution.send_panellists,
        name="survey_send_panellists",
    ),
]
