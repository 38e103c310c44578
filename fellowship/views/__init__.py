"""Views of the programme core, one module per resource."""
