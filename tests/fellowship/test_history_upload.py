"""The faculty upload page: a preview that writes nothing, then "Import" applies exactly the files
previewed, refused if the records changed in between or if the token is not this person's."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fellowship.enums import Role
from fellowship.importer import import_tables, read_sources
from fellowship.models import Cohort, Fellow, HistoryImport

from ..conftest import make_person
from .history_runner import page_text, table_counts

pytestmark = pytest.mark.django_db

COHORTS = b"number,start_date,end_date\n1,2021-09-01,2022-08-31\n2,2022-09-01,2023-08-31\n"
FELLOWS = b"ref,cohort,region,profession,status,name\nF-1,1,Wales,nursing,graduated,Ada Lovelace\nF-2,2,London,medicine,in_post,Mary Seacole\n"


def upload(client, **files: bytes):
    uploads = [SimpleUploadedFile(f"{name}.csv", data) for name, data in files.items()]
    return client.post(reverse("history_import"), {"files": uploads})


def test_preview_shows_created_updated_unchanged_per_table_and_writes_nothing(faculty_client):
    import_tables(read_sources([("cohorts.csv", b"number\n1\n")]))
    before = table_counts()

    response = upload(faculty_client, cohorts=COHORTS, fellows=FELLOWS)

    assert response.status_code == 200
    rows = {t.table: (t.created, t.updated, t.unchanged) for t in response.context["result"].tables}
    assert rows == {"cohorts": (1, 1, 0), "fellows": (2, 0, 0)}
    html = response.content.decode()
    assert (
        '<caption class="nhsuk-table__caption">' in html and '<th scope="row">fellows</th>' in html
    )
    assert 'name="token"' in html and "Import</button>" in html
    assert table_counts() == before


def test_import_applies_exactly_the_previewed_files(faculty_client):
    preview = upload(faculty_client, cohorts=COHORTS, fellows=FELLOWS)

    response = faculty_client.post(reverse("history_import"), {"token": preview.context["token"]})

    assert response.status_code == 302
    assert sorted(Fellow.objects.values_list("ref", "full_name")) == [
        ("F-1", "Ada Lovelace"),
        ("F-2", "Mary Seacole"),
    ]
    assert HistoryImport.objects.get().source == "cohorts.csv, fellows.csv"
    # The same token cannot be used twice.
    again = faculty_client.post(reverse("history_import"), {"token": preview.context["token"]})
    assert again.status_code == 400 and HistoryImport.objects.count() == 1


def test_import_is_refused_if_the_records_changed_since_the_preview(faculty_client):
    import_tables(read_sources([("cohorts.csv", COHORTS), ("fellows.csv", FELLOWS)]))
    changed = FELLOWS.replace(b"F-2,2,London,medicine,in_post", b"F-2,2,London,medicine,graduated")
    preview = upload(faculty_client, fellows=changed)
    assert [(t.created, t.updated, t.unchanged) for t in preview.context["result"].tables] == [
        (0, 1, 1)
    ]
    # Someone else changes a fellow the file touches, between the preview and the import.
    Fellow.objects.filter(ref="F-1").update(status="withdrawn")
    before = table_counts()

    response = faculty_client.post(reverse("history_import"), {"token": preview.context["token"]})

    assert response.status_code == 409
    assert "someone changed the records these files touch" in page_text(response)
    assert table_counts() == before and Fellow.objects.get(ref="F-2").status == "in_post"
    assert [(t.created, t.updated, t.unchanged) for t in response.context["result"].tables] == [
        (0, 2, 0)
    ]
    # The page shows the new preview; importing from it works.
    response = faculty_client.post(reverse("history_import"), {"token": response.context["token"]})
    assert response.status_code == 302 and Fellow.objects.get(ref="F-2").status == "graduated"


def test_a_made_up_or_another_persons_token_is_refused(faculty_client, login):
    preview = upload(faculty_client, cohorts=COHORTS)
    token = preview.context["token"]
    colleague = login(make_person(Role.FACULTY))

    for client, value in (
        (colleague, token),
        (faculty_client, "0" * 64),
        (faculty_client, "../../etc/passwd"),
    ):
        response = client.post(reverse("history_import"), {"token": value})
        assert response.status_code == 400
        assert "no longer waiting to be imported" in page_text(response)
    assert not Cohort.objects.exists()


def test_a_refused_upload_lists_problems_and_keeps_nothing(faculty_client, settings):
    response = upload(faculty_client, cohorts=b"number\nzero\n")
    assert response.status_code == 400
    assert "cohorts row 2, column number: must be a whole number, not 'zero'" in page_text(response)
    assert "token" not in response.context or not response.context.get("token")
    assert not list((settings.MEDIA_ROOT / "history-imports").glob("*/manifest.json"))


@pytest.mark.parametrize(
    "role", ["fellow", "alumnus", "supervisor", "panellist", "funder", "applicant", "outsider"]
)
def test_only_faculty_may_upload_or_import(role, role_users, login):
    client = login(role_users[role])
    assert (
        client.post(
            reverse("history_import"), {"files": [SimpleUploadedFile("cohorts.csv", COHORTS)]}
        ).status_code
        == 403
    )
    assert client.post(reverse("history_import"), {"token": "0" * 64}).status_code == 403
    assert not Cohort.objects.exists()
