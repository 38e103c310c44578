"""Views of the projects app."""
