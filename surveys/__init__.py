"""Survey builder, distribution, responses and results (issue 6/9)."""
