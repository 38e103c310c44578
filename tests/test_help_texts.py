"""Hints render as text: what faculty type as a survey question's hint, a required document's
description or any other help text reaches the page escaped, never as markup. Only help text our
own code builds as safe markup (with format_html) keeps its tags.
"""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from fellowship.enums import Role
from surveys import services as survey_services
from surveys.enums import QuestionKind
from surveys.models import Invitation, Question

from .conftest import make_person
from .factories import ApplicationFactory, RequiredDocumentFactory, RoundFactory

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def assert_inert(page: str, *, times: int) -> None:
    assert HOSTILE not in page
    assert "<img src=x" not in page and "onerror=alert" not in page.replace(ESCAPED, "")
    assert page.count(ESCAPED) == times, page.count(ESCAPED)


class Kinds(forms.Form):
    """A field of every kind the template pack draws (each draws its hint in its own place)."""

    text = forms.CharField(help_text=HOSTILE)
    radios = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect, help_text=HOSTILE)
    checkboxes = forms.MultipleChoiceField(
        choices=[("a", "A")], widget=forms.CheckboxSelectMultiple, help_text=HOSTILE
    )
    checkbox = forms.BooleanField(help_text=HOSTILE)
    area = forms.CharField(widget=forms.Textarea, help_text=HOSTILE)


def test_every_kind_of_field_shows_its_hint_as_text():
    form = Kinds()
    page = "".join(
        render_to_string("nhsuk/field.html", {"field": form[name], "form_show_labels": True})
        for name in form.fields
    )
    assert_inert(page, times=len(form.fields))


def test_hint_built_by_our_code_as_markup_keeps_its_tags():
    field = forms.CharField(help_text=format_html("{}<br><strong>50 words</strong>", HOSTILE))
    form = type("F", (forms.Form,), {"x": field})()
    page = render_to_string("nhsuk/field.html", {"field": form["x"], "form_show_labels": True})
    assert f"{ESCAPED}<br><strong>50 words</strong>" in page


def test_a_layout_fieldsets_hint_and_legend_are_text():
    class Fieldset:
        label_html = HOSTILE
        help_text = HOSTILE
        css_class = css_id = ""
        flat_attrs = ""

    page = render_to_string(
        "nhsuk/layout/multifield.html", {"multifield": Fieldset(), "fields_output": ""}
    )
    assert_inert(page, times=2)


@pytest.mark.django_db
def test_a_survey_question_hint_written_by_faculty_reaches_respondents_as_text(login):
    survey = survey_services.create_from_template(
        "alumni",
        by=None,
        title="Alumni",
        opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=7),
    )
    survey.questions.all().delete()
    kinds = [
        (QuestionKind.TEXT, {}),
        (QuestionKind.SINGLE_CHOICE, {"options": [["a", "A"], ["b", "B"]]}),
        (QuestionKind.MULTIPLE_CHOICE, {"options": [["a", "A"], ["b", "B"]]}),
        (QuestionKind.AGREEMENT, {}),
        (QuestionKind.NUMBER, {}),
        (QuestionKind.GRID, {"rows": [["r1", "Row 1"]], "scale": "yes_no"}),
    ]
    for position, (kind, extra) in enumerate(kinds):
        Question.objects.create(
            survey=survey,
            key=f"q{position}",
            kind=kind,
            text=f"Question {position}",
            help_text=HOSTILE,
            position=position,
            **extra,
        )
    person = make_person(Role.ALUMNUS)
    Invitation.objects.create(survey=survey, person=person)

    page = login(person).get(reverse("survey_answer", args=[survey.pk]))
    assert page.status_code == 200
    assert_inert(page.content.decode(), times=len(kinds))


@pytest.mark.django_db
def test_a_required_documents_description_reaches_applicants_as_text(login):
    rnd = RoundFactory()
    RequiredDocumentFactory(round=rnd, description=HOSTILE)
    applicant = make_person(Role.APPLICANT)
    application = ApplicationFactory(round=rnd, applicant=applicant)

    page = login(applicant).get(reverse("application_documents", args=[application.ref]))
    assert page.status_code == 200
    assert_inert(page.content.decode(), times=1)
