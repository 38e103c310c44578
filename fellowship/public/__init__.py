"""The programme's public website: the home page for visitors, how to apply, for supervisors, the
interest list, the sitemap and robots.txt. Pages are the same for every anonymous visitor (and may
be cached); the feature apps add their parts through fellowship.hooks.public_section."""
