"""Portfolio views: the fellow's own pages (fellows.py) and the faculty's lists (faculty.py)."""
