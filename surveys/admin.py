"""Support admin for surveys and their questions.

Responses and answers are deliberately not registered: for anonymous surveys no page may show
them next to anything about the people who answered.
"""

from django.contrib import admin

from .models import Question, Survey


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
