"""Recruitment rounds, applications, equality monitoring, shortlisting, panels and offers (issues 2/9 and 4/9)."""
