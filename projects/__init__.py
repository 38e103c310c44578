"""AI project proposals, checklist vetting, milestones and fellow–project allocation."""
