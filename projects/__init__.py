"""AI project proposals, checklist vetting, milestones and fellow–project allocation (issue 3/9)."""
