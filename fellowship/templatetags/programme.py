"""Template filters for the programme's vocabularies."""

from django import template

from ..enums import FellowStatus, Profession, Role

register = template.Library()


@register.filter
def profession_label(key: str) -> str:
    try:
        return Profession(key).label
    except ValueError:
        return key


@register.filter
def role_label(key: str) -> str:
    try:
        return Role(key).label
    except ValueError:
        return key


@register.filter
def status_label(key: str) -> str:
    try:
        return FellowStatus(key).label
    except ValueError:
        return key


@register.filter
def css_string(value) -> str:
    """`value` as a quoted CSS string for a print stylesheet (running headers in PDFs): letters,
    digits, spaces and plain punctuation as they are, every other character as a CSS escape, so
    no name can end the string, the rule or the <style> element."""
    from django.utils.safestring import mark_safe

    plain = set(" -,.:;()'&")
    escaped = "".join(ch if ch.isalnum() or ch in plain else f"\\{ord(ch):x} " for ch in str(value))
    return mark_safe(f'"{escaped}"')  # noqa: S308 - every character is checked above
