"""Template helpers for NHS.UK frontend markup: the "nhsuk" crispy-forms pack and the error summary.

`{% load nhsuk %}` gives:

* `field|nhsuk_kind` - which NHS.UK component renders the field: "hidden", "checkbox" (a single
  box), "checkboxes", "radios", "select", "textarea", "file", "password", "multi", "input" or
  "other".
* `field|nhsuk_optional` - whether the label gets " (optional)" (not in forms whose fields are
  all optional, such as filters, nor if the form sets `nhsuk_show_optional = False`).
* `field|nhsuk_error_target` - the id an error-summary link should point at.
* `{% nhsuk_widget field %}` - the control itself, with NHS.UK classes and aria-describedby.
* `{% nhsuk_choice_items field as items %}` - the options of a radio or checkbox group.
* `{% nhsuk_file_info field as info %}` - the current file and the "remove" box of a file field.
* `{% nhsuk_error_summary_items form formsets as items %}` - every error on the page as
  (href, message) pairs, marking the forms so no second summary is shown for them.
* `value|nhsuk_button_classes` - a crispy button's classes, bootstrap ones swapped for NHS.UK.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterable

from django import forms, template
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The attribute set on a form once an error summary has listed its errors.
SUMMARY_SHOWN = "nhsuk_error_summary_shown"

_INPUT_CLASS = {
    "input": "nhsuk-input",
    "password": "nhsuk-input",
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
    "file": "nhsuk-file-upload__input",
    "checkbox": "nhsuk-checkboxes__input",
}
_ERROR_CLASS = {
    "input": "nhsuk-input--error",
    "password": "nhsuk-input--error",
    "textarea": "nhsuk-textarea--error",
    "select": "nhsuk-select--error",
}
_WIDTH_CLASS = re.compile(r"^nhsuk-(input|select)--width-\d+$")


def _kind(widget: forms.Widget) -> str:
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):  # ClearableFileInput too
        return "file"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    if isinstance(widget, forms.Select):  # SelectMultiple, NullBooleanSelect too
        return "select"
    if isinstance(widget, forms.MultiWidget):
        return "multi"
    if isinstance(widget, Input):
        return "input"
    return "other"


@register.filter
def nhsuk_kind(field) -> str:
    return _kind(field.field.widget)


def _marks_optional(form) -> bool:
    """Whether the form's optional fields say "(optional)".

    Not when every visible field is optional, as in a filter or search form, nor when the form
    sets `nhsuk_show_optional = False`.
    """
    explicit = getattr(form, "nhsuk_show_optional", None)
    if explicit is not None:
        return bool(explicit)
    cached = getattr(form, "_nhsuk_marks_optional", None)
    if cached is None:
        cached = any(f.required for f in form.fields.values() if not f.widget.is_hidden)
        form._nhsuk_marks_optional = cached
    return cached


@register.filter
def nhsuk_optional(field) -> bool:
    """Optional fields say so in their label; a lone checkbox never does."""
    if field.field.required or _kind(field.field.widget) in {"hidden", "checkbox"}:
        return False
    return _marks_optional(field.form)


def _field_id(field) -> str:
    return field.field.widget.attrs.get("id") or field.auto_id or ""


@register.filter
def nhsuk_error_target(field) -> str:
    """The id of the element an error-summary link should move focus to."""
    widget = field.field.widget
    id_ = _field_id(field)
    if not id_:
        return ""
    kind = _kind(widget)
    if kind in {"radios", "checkboxes"}:
        return widget.id_for_label(id_, "0") or id_
    if kind == "multi":
        return f"{id_}_0"
    return field.id_for_label or id_


@register.filter
def nhsuk_hint_id(field) -> str:
    return f"{_field_id(field)}-hint"


@register.filter
def nhsuk_error_id(field) -> str:
    return f"{_field_id(field)}-error"


@register.simple_tag
def nhsuk_describedby(field, show_errors=True) -> str:
    """Space-separated ids of the hint and error message, after any the widget already names."""
    ids = field.field.widget.attrs.get("aria-describedby", "").split()
    if field.help_text:
        ids.append(nhsuk_hint_id(field))
    if show_errors and field.errors:
        ids.append(nhsuk_error_id(field))
    return " ".join(ids)


def _classes(*parts: str) -> str:
    seen: list[str] = []
    for part in parts:
        for name in (part or "").split():
            if name not in seen:
                seen.append(name)
    return " ".join(seen)


@register.simple_tag
def nhsuk_widget(field, show_errors=True, extra_class=""):
    """The field's control with NHS.UK classes, error state and aria-describedby.

    Placeholders are dropped: the NHS service manual says not to use them (labels and hints do
    the job). A file field is always a plain file input, because the private uploads have no URL
    for Django's ClearableFileInput to link to; `nhsuk_file_info` gives the current file instead.
    """
    original = field.field.widget
    kind = _kind(original)
    has_errors = bool(show_errors and field.errors)
    attrs: dict = {}
    describedby = nhsuk_describedby(field, show_errors)
    if describedby:
        attrs["aria-describedby"] = describedby

    if kind == "multi":
        widget = copy.deepcopy(original)
        for sub in widget.widgets:
            base = "nhsuk-select" if isinstance(sub, forms.Select) else "nhsuk-input"
            error = f"{base}--error" if has_errors else ""
            sub.attrs.pop("placeholder", None)
            sub.attrs["class"] = _classes(base, error, sub.attrs.get("class", ""))
        return field.as_widget(widget=widget, attrs=attrs)

    if kind == "file":
        widget = forms.FileInput()
        # A widget that takes several files (allow_multiple_selected) keeps doing so.
        widget.allow_multiple_selected = getattr(original, "allow_multiple_selected", False)
        widget.attrs = {k: v for k, v in original.attrs.items() if k != "placeholder"}
        widget.is_required = original.is_required
    else:
        widget = copy.copy(original)
        widget.attrs = {k: v for k, v in original.attrs.items() if k != "placeholder"}

    own = widget.attrs.get("class", "")
    width = ""
    if kind == "input" and not any(_WIDTH_CLASS.match(c) for c in own.split()):
        if isinstance(original, forms.NumberInput):
            width = "nhsuk-input--width-10"
        elif isinstance(original, (forms.DateInput, forms.DateTimeInput, forms.TimeInput)):
            width = "nhsuk-input--width-20"
    attrs["class"] = _classes(
        _INPUT_CLASS.get(kind, ""),
        _ERROR_CLASS.get(kind, "") if has_errors else "",
        width,
        own,
        extra_class,
    )
    if kind == "password":
        attrs.setdefault("spellcheck", "false")
        attrs.setdefault("autocapitalize", "none")
    if not attrs["class"]:
        del attrs["class"]
    return field.as_widget(widget=widget, attrs=attrs)


@register.simple_tag
def nhsuk_choice_items(field) -> list[dict]:
    """The options of a RadioSelect or CheckboxSelectMultiple, each with its <input> ready."""
    kind = _kind(field.field.widget)
    css = "nhsuk-checkboxes__input" if kind == "checkboxes" else "nhsuk-radios__input"
    items = []
    for sub in field.subwidgets:
        data = sub.data
        attrs = {
            k: v
            for k, v in data["attrs"].items()
            if k not in {"class", "placeholder", "aria-describedby", "checked"}
        }
        attrs["class"] = css
        attrs["type"] = data.get("type", "radio" if kind == "radios" else "checkbox")
        attrs["name"] = data["name"]
        attrs["value"] = "" if data["value"] is None else str(data["value"])
        attrs["checked"] = bool(data.get("selected"))
        items.append(
            {
                "id": attrs.get("id", ""),
                "label": data["label"],
                "input": format_html("<input{}>", flatatt(attrs)),
            }
        )
    return items


@register.simple_tag
def nhsuk_file_info(field) -> dict:
    """The name of the file already stored, and the "remove" box a ClearableFileInput offers."""
    widget = field.field.widget
    value = field.value()
    name = getattr(value, "name", None) if value and not isinstance(value, str) else None
    info = {"current": os.path.basename(name) if name else "", "can_clear": False}
    if (
        info["current"]
        and isinstance(widget, forms.ClearableFileInput)
        and not field.field.required
        and not field.field.disabled
    ):
        info.update(
            can_clear=True,
            clear_name=widget.clear_checkbox_name(field.html_name),
            clear_id=widget.clear_checkbox_id(widget.clear_checkbox_name(field.html_name)),
            clear_checked=bool(
                field.form.is_bound
                and field.form.data.get(widget.clear_checkbox_name(field.html_name))
            ),
        )
    return info


def _form_items(form) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = [("", str(e)) for e in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            target = "" if field.is_hidden else nhsuk_error_target(field)
            message = str(error)
            # A link must make sense on its own: "Name: This field is required." names the field
            # unless the message already does.
            label = str(field.label or "")
            if label and label.lower() not in message.lower():
                message = f"{label}: {message}"
            items.append((f"#{target}" if target else "", message))
    return items


def _as_list(value) -> list:
    if not value:
        return []
    if isinstance(value, (forms.BaseForm, forms.BaseFormSet)):
        return [value]
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        return list(value)
    return []


@register.simple_tag
def nhsuk_error_summary_items(form=None, formsets=None, mark=True) -> list[dict]:
    """Every error of `form` and of each formset in `formsets`, in page order.

    Returns dicts with `href` ("" for errors that belong to no one field) and `message`. Unless
    `mark` is false, each form is flagged so that crispy's errors.html does not list it again.
    """
    items: list[tuple[str, str]] = []
    for thing in _as_list(form) + _as_list(formsets):
        if isinstance(thing, forms.BaseFormSet):
            if not thing.is_bound:
                continue
            items += [("", str(e)) for e in thing.non_form_errors()]
            for subform in thing.forms:
                items += _form_items(subform)
                if mark:
                    setattr(subform, SUMMARY_SHOWN, True)
        elif isinstance(thing, forms.BaseForm):
            if thing.is_bound:
                items += _form_items(thing)
            if mark:
                setattr(thing, SUMMARY_SHOWN, True)
    return [{"href": href, "message": message} for href, message in items]


@register.filter
def nhsuk_summary_shown(form) -> bool:
    return bool(getattr(form, SUMMARY_SHOWN, False))


_BOOTSTRAP = re.compile(r"^(btn(-[a-z-]+)?|form-control|float-\w+)$")


@register.filter
def nhsuk_button_classes(value: str, base: str = "nhsuk-button") -> str:
    """`base` plus the author's own classes, without bootstrap's btn, btn-primary and so on.

    A crispy Button or Reset (whose bootstrap classes include btn-secondary) becomes a secondary
    NHS.UK button.
    """
    names = (value or "").split()
    extra = [n for n in names if not _BOOTSTRAP.match(n)]
    if "btn-secondary" in names and "nhsuk-button--secondary" not in extra:
        extra.append("nhsuk-button--secondary")
    return _classes(base, *extra)


_CLASS_ATTR = re.compile(r'\sclass="([^"]*)"')


@register.filter
def nhsuk_strict_button_attrs(flat_attrs: str) -> SafeString:
    """StrictButton's pre-rendered attributes with the class swapped to NHS.UK button classes."""
    flat = str(flat_attrs or "")
    match = _CLASS_ATTR.search(flat)
    classes = escape(nhsuk_button_classes(match.group(1) if match else ""))
    rest = _CLASS_ATTR.sub("", flat)
    return mark_safe(f' class="{classes}"{rest}')  # noqa: S308 - rest was escaped by flatatt
