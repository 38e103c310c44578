"""Support admin for surveys and their questions.

Responses, answers, answers waiting to be released and the completion list are deliberately not
registered: for anonymous surveys no page may show them next to anything about the people who
answered, or say who has answered. Deleting a survey lists how many responses go with it, never
the answers themselves (Django would list each response with its answers, in the order they were
stored); for an open anonymous survey that number moves only in steps, as on every other page.
Once an anonymous survey has been sent its anonymity cannot change here, and once it has closed
neither can its dates (as in the survey builder).
"""

from django.contrib import admin
from django.utils import timezone

from . import services
from .models import Answer, PendingResponse, Question, Response, Survey

_HIDDEN = tuple(
    f"{model._meta.verbose_name.capitalize()}: " for model in (Response, Answer, PendingResponse)
)


def _without_answers(items: list) -> list:
    """The nested list of the delete confirmation without responses and answers (or what nests
    under them); the summary of counts still says how many there are."""
    out: list = []
    skipping = False
    for item in items:
        if isinstance(item, list):
            if not skipping:
                out.append(_without_answers(item))
            skipping = False
            continue
        skipping = str(item).startswith(_HIDDEN)
        if not skipping:
            out.append(item)
    return out


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "key", "kind", "text", "help_text", "required", "options"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "is_template", "anonymous", "opens_at", "closes_at"]
    list_filter = ["is_template", "anonymous", "key"]
    search_fields = ["title", "key"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None or obj.is_template:
            return fields
        sent = obj.invitations.exists() or services.answer_count(obj) > 0
        if sent:
            fields.append("anonymous")
        if sent and obj.anonymous and services.has_closed(obj):
            fields += ["opens_at", "closes_at"]
        return fields

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(s.anonymous for s in objs):
            # Answers and waiting answers would move by one as each person answers; responses
            # are counted as the survey pages count them.
            for model in (Response, Answer, PendingResponse):
                counts.pop(model._meta.verbose_name_plural, None)
            now = timezone.now()
            shown = [
                services.answered_as_shown(
                    services.answer_count(s),
                    anonymous=s.anonymous,
                    closed=services.has_closed(s, now),
                )
                for s in objs
            ]
            total = sum(a.number for a in shown)
            if all(a.exact is not None for a in shown):
                counts[Response._meta.verbose_name_plural] = total
            elif total:
                counts[Response._meta.verbose_name_plural] = f"at least {total}"
            else:
                counts[Response._meta.verbose_name_plural] = f"fewer than {shown[0].step}"
        return _without_answers(deleted), counts, perms_needed, protected
