"""Fellows' portfolios, evidence files, posters and testimonials (issue 7/9)."""
