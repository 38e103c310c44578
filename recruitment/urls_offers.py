"""Recruitment URLs for offers (issue 4/9)."""

urlpatterns: list = []
