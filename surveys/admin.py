"""Support admin for surveys and their questions.

Responses and answers are deliberately not registered: for anonymous surveys no page may show
them next to anything about the people who answered. Deleting a survey lists how many responses
and answers go with it, never the answers themselves (Django would list each response with its
answers, in the order they were stored, which is the order of answering).
"""

from django.contrib import admin

from .models import Answer, Question, Response, Survey

_HIDDEN = tuple(f"{model._meta.verbose_name.capitalize()}: " for model in (Response, Answer))


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

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return _without_answers(deleted), counts, perms_needed, protected
