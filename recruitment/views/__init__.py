"""Recruitment's pages, one module per side: `apply` for applicants (and the manager's link), `faculty` for the programme team."""
