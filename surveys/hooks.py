"""Surveys' addition to everyone's home page: the surveys they have been asked to answer."""

from fellowship.hooks import home_panel

from .services import open_invitations


@home_panel
def open_surveys(request) -> dict:
    return {"open_surveys": list(open_invitations(request.user))}
