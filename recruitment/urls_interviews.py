"""Recruitment URLs for interviews (issue 4/9)."""

urlpatterns: list = []
