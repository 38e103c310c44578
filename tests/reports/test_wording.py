"""Faculty reword the report per objective; blank means the paper's wording; the report prints it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from reports.defaults import OBJECTIVES, REPORTED, ROWS
from reports.evidence import compute_evidence
from reports.models import ObjectiveWording
from reports.render import render_html, render_pdf
from reports.wording import (
    UnknownObjective,
    report_wording,
    reset_wording,
    save_wording,
    wording_for,
)

from .history import load_small_history

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")
NOTE = "Smith et al. (2024) found similar outcomes in a national survey of AI fellows."


def test_every_reported_objective_uses_the_papers_wording_until_edited():
    wording = report_wording()
    assert list(wording) == [str(n) for n in REPORTED] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    for number in REPORTED:
        w = wording_for(number)
        assert w == wording[str(number)]
        assert w["stakeholders"] == OBJECTIVES[number]["stakeholders"]
        assert w["benefits"] == {key: OBJECTIVES[number]["benefits"][key] for key in ROWS[number]}
        assert (w["edited"], w["notes"], w["updated_by"]) == (False, [], "")


def test_objectives_the_report_does_not_show_are_refused():
    for number in (0, 9):
        with pytest.raises(UnknownObjective):
            wording_for(number)
        with pytest.raises(UnknownObjective):
            save_wording(number, stakeholders="", benefit={}, notes="", by=None)


def test_faculty_wording_replaces_only_what_they_changed(person):
    editor = person("faculty", full_name="Ada Lovelace")
    save_wording(
        4,
        stakeholders="Funders\nPatients\n\n",
        benefit={"gender": "Fairer recruitment.\n\nMonitored every round.", "non_medics": ""},
        notes=f"  {NOTE}\n\nSecond note.  ",
        by=editor,
    )
    w = wording_for(4)
    assert w["stakeholders"] == ["Funders", "Patients"]
    assert w["benefits"]["gender"] == ["Fairer recruitment.", "Monitored every round."]
    assert w["benefits"]["non_medics"] == OBJECTIVES[4]["benefits"]["non_medics"]  # blank row
    assert w["benefits_edited"] == {"gender": True, "non_medics": False}
    assert w["notes"] == [NOTE, "Second note."]
    assert w["edited"] and w["updated_by"] == "Ada Lovelace" and w["updated_on"]
    assert wording_for(3)["edited"] is False
    # Stored as written, with the history naming the editor.
    stored = ObjectiveWording.objects.get(objective=4)
    assert stored.benefit == "[gender]\nFairer recruitment.\n\nMonitored every round."
    assert stored.history.latest().history_user == editor


def test_saving_the_papers_words_unchanged_is_not_an_edit(person):
    paper = OBJECTIVES[1]
    save_wording(
        1,
        stakeholders="\n".join(paper["stakeholders"]),
        benefit={key: "\n\n".join(paras) for key, paras in paper["benefits"].items()},
        notes="",
        by=person("faculty"),
    )
    stored = ObjectiveWording.objects.get(objective=1)
    assert (stored.stakeholders, stored.benefit, stored.notes) == ("", "", "")
    assert wording_for(1)["edited"] is False


def test_reset_goes_back_to_the_paper_and_keeps_the_history(person):
    editor = person("faculty")
    save_wording(7, stakeholders="Everyone", benefit={"growth": "Grew."}, notes=NOTE, by=editor)
    reset_wording(7, by=editor)
    w = wording_for(7)
    assert w["stakeholders"] == OBJECTIVES[7]["stakeholders"] and not w["edited"]
    assert w["notes"] == []
    assert ObjectiveWording.objects.get(objective=7).history.count() == 2


def test_an_unknown_row_is_refused(person):
    with pytest.raises(ValueError, match="no evidence row"):
        save_wording(7, stakeholders="", benefit={"gender": "x"}, notes="", by=person("faculty"))


# In the report ----------------------------------------------------------------------------------


def _edit_objective_3(by):
    save_wording(
        3,
        stakeholders="Funders\nNHS trusts & hosts",
        benefit={"domains": "Projects <span> every care pathway."},
        notes=NOTE + "\n\nSee https://example.org/paper for the paper.",
        by=by,
    )


def test_the_report_html_prints_faculty_wording_and_their_notes_as_evidence(person):
    load_small_history()
    _edit_objective_3(person("faculty", full_name="Grace Hopper"))
    html = render_html(compute_evidence(2))

    section = html.split('id="objective-3"')[1].split('id="objective-4"')[0]
    assert "NHS trusts &amp; hosts" in section
    assert "Projects &lt;span&gt; every care pathway." in section  # escaped
    assert OBJECTIVES[3]["benefits"]["domains"][0] not in section
    assert OBJECTIVES[3]["benefits"]["projects"][0] in section  # the row not edited
    assert section.count("Further evidence (from the programme team)") == 1
    assert NOTE in section and 'href="https://example.org/paper"' in section
    assert html.count("Further evidence (from the programme team)") == 2  # row + appendix note
    # The appendix records whose wording each objective used.
    appendix = html.split('id="appendix"')[1]
    assert "Edited by Grace Hopper on" in appendix
    assert appendix.count("The paper's wording") == 7


def test_a_report_renders_from_the_wording_it_recorded(person):
    load_small_history()
    editor = person("faculty")
    _edit_objective_3(editor)
    recorded = report_wording()
    reset_wording(3, by=editor)
    evidence = compute_evidence(2)
    assert NOTE in render_html(evidence, wording=recorded)
    assert NOTE not in render_html(evidence)


@pytest.mark.skipif(PDFTOTEXT is None, reason="needs pdftotext (poppler-utils)")
def test_the_report_pdf_prints_faculty_wording(person, tmp_path):
    load_small_history()
    _edit_objective_3(person("faculty", full_name="Grace Hopper"))
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(compute_evidence(2)))
    text = subprocess.run(
        [PDFTOTEXT, str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    text = re.sub(r"\s+", " ", text)
    assert "Further evidence (from the programme team)" in text
    assert "Smith et al. (2024)" in text
    assert "NHS trusts & hosts" in text
    assert "Edited by Grace Hopper" in text


# The pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["outsider", "fellow", "alumnus", "supervisor", "funder", "panellist"]
)
def test_only_faculty_may_see_or_change_the_wording(role, request):
    client = request.getfixturevalue(f"{role}_client")
    assert client.get(reverse("report_wording")).status_code == 403
    assert client.get(reverse("report_wording_edit", args=[1])).status_code == 403
    response = client.post(reverse("report_wording_edit", args=[1]), {"stakeholders": "Me"})
    assert response.status_code == 403
    assert not ObjectiveWording.objects.exists()


def test_an_objective_outside_the_report_is_not_found(faculty_client):
    for number in (0, 9):
        assert faculty_client.get(reverse("report_wording_edit", args=[number])).status_code == 404
        assert (
            faculty_client.post(reverse("report_wording_edit", args=[number]), {}).status_code
            == 404
        )


def test_faculty_edit_then_reset_the_wording_of_an_objective(faculty_client, role_users):
    url = reverse("report_wording_edit", args=[8])
    listing = faculty_client.get(reverse("report_wording"))
    assert listing.status_code == 200
    assert listing.content.decode().count("Paper's wording") == 8

    page = faculty_client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    for label in ROWS[8].values():
        assert f"Benefit realised: {label}" in body
    assert OBJECTIVES[8]["benefits"]["onward"][0] in body  # prefilled with the current wording
    assert "Use the paper's wording" not in body  # nothing to reset yet

    response = faculty_client.post(
        url,
        {
            "stakeholders": "Funders\nAlumni",
            "benefit_supervisors": "",
            "benefit_onward": "Careers grow.",
            "notes": NOTE,
        },
    )
    assert response.status_code == 302 and response.url == reverse("report_wording")
    w = wording_for(8)
    assert w["stakeholders"] == ["Funders", "Alumni"]
    assert w["benefits"]["onward"] == ["Careers grow."]
    assert w["benefits"]["supervisors"] == OBJECTIVES[8]["benefits"]["supervisors"]
    assert w["notes"] == [NOTE]
    name = role_users["faculty"].get_full_name()
    listing = faculty_client.get(reverse("report_wording")).content.decode()
    assert f"Edited by {name} on" in listing
    assert "Onward programmes (edited)" in listing and "Careers grow." in listing
    assert listing.count("Paper's wording") == 7

    assert "Use the paper's wording" in faculty_client.get(url).content.decode()
    response = faculty_client.post(url, {"reset": "1"})
    assert response.status_code == 302
    assert wording_for(8)["edited"] is False


def test_a_refused_edit_keeps_what_was_typed(faculty_client):
    url = reverse("report_wording_edit", args=[2])
    typed = "A carefully worded benefit that must not be lost."
    response = faculty_client.post(
        url, {"stakeholders": "Funders\n" + "x" * 101, "benefit_themes": typed, "notes": "My note"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "100 characters or fewer" in body
    assert "There is a problem" in body  # the error summary's own heading
    assert typed in body and "My note" in body
    assert not ObjectiveWording.objects.exists()
