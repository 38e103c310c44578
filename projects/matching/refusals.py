"""What the matching's services say when they refuse a change, shared by several steps."""

RANKING_CLOSED = "Ranking has closed for this matching"
PUBLISHED = "This matching has been published, so it cannot change"
