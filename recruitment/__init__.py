"""Recruitment rounds, applications, equality monitoring, shortlisting, panels and offers."""
