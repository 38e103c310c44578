"""Surveys' addition to everyone's home page: the surveys they have been asked to answer, and for
speakers a link to the feedback on their workshop sessions."""

from fellowship.hooks import home_panel
from fellowship.models import Speaker

from .services import open_invitations


@home_panel
def open_surveys(request) -> dict:
    return {
        "open_surveys": list(open_invitations(request.user)),
        "speaks_at_workshops": Speaker.objects.filter(user=request.user).exists(),
    }
