from django.apps import AppConfig


class FellowshipConfig(AppConfig):
    name = "fellowship"
    verbose_name = "Programme core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each app registers the history-import tables it owns in its history.py.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("history")
        # ... and adds to the core's pages through fellowship.hooks in its hooks.py.
        autodiscover_modules("hooks")
        # ... and declares the e-mails it sends, with their placeholders, in its emails.py.
        autodiscover_modules("emails")
        # ... and says what it holds about a person, for access and erasure, in its personal_data.py.
        autodiscover_modules("personal_data")
        # ... and registers the rules of the retention policy for its records in its retention.py.
        autodiscover_modules("retention")
        # ... and adds to the public website (fellowship.hooks.public_section) in its public_sections.py.
        autodiscover_modules("public_sections")
        # Any saved or deleted record that a public page may show makes the cached pages stale.
        from .public.caching import watch_public_sources

        watch_public_sources()
