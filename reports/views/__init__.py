"""Report pages, by resource: jobs (request, watch, download) and content (preview, wording)."""
