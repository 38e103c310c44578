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
