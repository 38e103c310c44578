"""Fellows' portfolios, evidence files, posters and testimonials."""
