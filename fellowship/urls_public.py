"""The public website's addresses: pages anyone may read without signing in."""

from django.urls import path

from .public import views

urlpatterns = [
    path("apply-for-the-fellowship/", views.how_to_apply, name="public_apply"),
    path("for-supervisors/", views.for_supervisors, name="public_supervisors"),
    path("interest/", views.interest_signup, name="interest_signup"),
    path("interest/confirm/<str:token>/", views.interest_confirm, name="interest_confirm"),
    path(
        "interest/unsubscribe/<str:token>/", views.interest_unsubscribe, name="interest_unsubscribe"
    ),
    path("accessibility/", views.accessibility_statement, name="accessibility_statement"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
]
