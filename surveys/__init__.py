"""Survey builder, distribution, responses and results."""
