"""Forms of the projects app."""
