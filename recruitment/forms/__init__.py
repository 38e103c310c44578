"""Forms of recruitment, one module per side: `apply` for applicants, `faculty` for the programme team."""
