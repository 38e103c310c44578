"""Recruitment URLs for shortlisting (issue 4/9)."""

urlpatterns: list = []
