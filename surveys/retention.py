"""Surveys' rule of the retention policy (see fellowship.retention and settings.RETENTION).

The completion list (who was asked, reminded, and whether they answered) goes once the survey
closed `survey_invitations` months ago; the answers stay, and so do the report's figures, which
count responses, never invitations. The survey's results page then no longer says how many were
asked.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from fellowship.retention import Rule, register

from .models import Invitation


@register
class SurveyInvitationsRule(Rule):
    kind = "survey_invitations"
    what = "survey invitations and completion records"

    def due(self, now: dt.datetime) -> QuerySet[Invitation]:
        return Invitation.objects.filter(survey__closes_at__lte=self.policy.cutoff(now))
