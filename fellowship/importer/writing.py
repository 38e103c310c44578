"""Helpers the table writers use to match rows to those in the database and write them in bulk."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any

from .report import TableReport

LOOKUP_CHUNK = 10_000  # keys per `__in` query (SQLite allows 32,766 parameters)
UPDATE_BATCH = 1_000


class WriteContext:
    """Shared by the table writers of one import: who imports, and the fingerprint of what was read.

    The fingerprint hashes the current state of every row the import looked at (and the keys it
    did not find), so a dry run and a later import from the same files agree unless the database
    changed in between.
    """

    def __init__(self, by=None) -> None:
        self.by = by
        self._hash = hashlib.sha256()
        self._new: set[tuple[str, Any]] = set()
        self.cache: dict[str, Any] = {}

    def created(self, model, objects: Iterable) -> None:
        self._new.update((model._meta.label, obj.pk) for obj in objects)

    def ident(self, obj) -> Any:
        """The row's primary key, or "new" for a row this import made (its key differs between runs)."""
        return "new" if (obj._meta.label, obj.pk) in self._new else obj.pk

    def saw(self, *parts: Any) -> None:
        self._hash.update(repr(parts).encode())
        self._hash.update(b"\x1e")

    @property
    def fingerprint(self) -> str:
        return self._hash.hexdigest()


def in_chunks(values: Iterable, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _has_history(model) -> bool:
    return hasattr(model, "history") and hasattr(model._meta, "simple_history_manager_attribute")


def bulk_create(model, objects: list, ctx: WriteContext) -> list:
    if not objects:
        return []
    if _has_history(model):
        from simple_history.utils import bulk_create_with_history

        made = bulk_create_with_history(objects, model, default_user=ctx.by)
    else:
        made = model.objects.bulk_create(objects)
    ctx.created(model, made)
    return made


def bulk_update(model, objects: list, fields: list[str], ctx: WriteContext) -> None:
    if not objects:
        return
    if _has_history(model):
        from simple_history.utils import bulk_update_with_history

        bulk_update_with_history(
            objects, model, fields, batch_size=UPDATE_BATCH, default_user=ctx.by
        )
    else:
        model.objects.bulk_update(objects, fields, batch_size=UPDATE_BATCH)


def sync(
    model,
    existing: Iterable,
    key: Callable[[Any], Hashable],
    wanted: dict[Hashable, dict[str, Any]],
    ctx: WriteContext,
    report: TableReport | None = None,
    *,
    on_create: Callable[[Hashable], dict[str, Any]] | None = None,
    on_change: dict[str, Any] | None = None,
) -> dict[Hashable, Any]:
    """Make the rows of `model` keyed by `key` hold `wanted` ({key: {attname: value}}), in bulk.

    `existing` is the candidates already in the database (one query by the caller). Rows found
    with different values are updated, absent ones created (with `on_create(key)` added), others
    left alone; each is counted in `report`. Returns every wanted row by key.
    """
    current: dict[Hashable, Any] = {}
    for obj in existing:
        current.setdefault(key(obj), obj)
    label = model._meta.label
    create, update, fields = [], [], set()
    result = {}
    for k, values in wanted.items():
        obj = current.get(k)
        if obj is None:
            ctx.saw(label, "absent")  # the key may hold ids of rows this import makes
            obj = model(**values, **(on_create(k) if on_create else {}))
            create.append(obj)
            if report:
                report.created += 1
        else:
            before = [getattr(obj, f) for f in values]
            ident = ctx.ident(obj)
            ctx.saw(label, ident, before if ident != "new" else None)
            changed = [f for f, old in zip(values, before, strict=True) if old != values[f]]
            if changed:
                for f in changed:
                    setattr(obj, f, values[f])
                for f, v in (on_change or {}).items():
                    setattr(obj, f, v)
                    changed.append(f)
                update.append(obj)
                fields.update(changed)
                if report:
                    report.updated += 1
            elif report:
                report.unchanged += 1
        result[k] = obj
    bulk_create(model, create, ctx)
    bulk_update(model, update, sorted(fields), ctx)
    return result


def named(model, names: Iterable[str], ctx: WriteContext, **defaults) -> dict[str, Any]:
    """Rows of `model` by name (matched ignoring case, keyed by lower-case name), the missing ones
    created: one query to read the names and one to create the new ones.

    Reference lists (regions, funders, organisations, domains) are short, so every name is read
    and compared in Python: SQLite's LOWER() folds only ASCII letters, so "À" and "à" would not
    meet in the database and the unique name would then be created twice.
    """
    wanted: dict[str, str] = {}
    for name in names:
        if name:
            wanted.setdefault(name.lower(), name)
    found: dict[str, Any] = {}
    if wanted:
        for obj in model.objects.order_by("pk"):
            found.setdefault(obj.name.lower(), obj)
    new = [model(name=wanted[k], **defaults) for k in wanted if k not in found]
    for obj in bulk_create(model, new, ctx):
        found[obj.name.lower()] = obj
    for k in sorted(wanted):
        ctx.saw(model._meta.label, k, ctx.ident(found[k]))
    return {k: found[k] for k in wanted}
