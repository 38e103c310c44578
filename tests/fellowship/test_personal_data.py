"""Every record that links to a person is covered by the right of access and by erasure.

The test finds the links itself: fields pointing at an account or a fellow record, then fields
pointing at any record a person owns (an application's documents, a response's answers), and so
on. A new model or field with such a link fails here until an app's personal_data.py declares it,
as the person's own (exported and erased) or as the person acting (kept, pseudonymised, with a
reason)."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings

from fellowship import personal_data

ROOTS = {settings.AUTH_USER_MODEL, "fellowship.Fellow"}


def _label(model) -> str:
    return model._meta.label


def _is_history(model) -> bool:
    return model.__name__.startswith("Historical") or model._meta.auto_created


def _person_links() -> set[str]:
    """Every concrete link (foreign key, one-to-one or many-to-many) to an account, a fellow record
    or a record a person owns, following own links to their children."""
    declared = {link: kind for link, kind, _ in personal_data.links()}
    owners = set(ROOTS)
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if _is_history(model):
                continue
            for field in model._meta.get_fields():
                if not (field.concrete and field.is_relation and field.related_model):
                    continue
                if _label(field.related_model) not in owners:
                    continue
                link = f"{_label(model)}.{field.name}"
                if link in found:
                    continue
                found.add(link)
                changed = True
                # A record the person owns through a foreign key is theirs, and so are its children.
                if declared.get(link) == "own" and not field.many_to_many:
                    owners.add(_label(model))
    return found


def test_every_link_to_a_person_is_covered_by_access_and_erasure():
    declared = {link for link, _, _ in personal_data.links()}
    missing = sorted(_person_links() - declared)
    assert not missing, (
        "Declare these links in an app's personal_data.py (own: exported and erased; acts: kept,"
        f" with the reason): {missing}"
    )


def test_no_declared_link_names_a_field_that_does_not_exist():
    for link, _, _ in personal_data.links():
        app_model, field_name = link.rsplit(".", 1)
        model = apps.get_model(app_model)
        assert model._meta.get_field(field_name).is_relation, link


def test_a_link_is_declared_once():
    seen: list[str] = [link for link, _, _ in personal_data.links()]
    assert len(seen) == len(set(seen)), sorted({link for link in seen if seen.count(link) > 1})
