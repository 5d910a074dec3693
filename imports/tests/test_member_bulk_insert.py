"""The member import's bulk insert (imports.importers.members.bulk_insert_people): COPY on PostgreSQL,
executemany elsewhere, the same rows either way."""

import dataclasses

import pytest

from conftest import make_id_number
from core import pii
from imports.importers import members
from people.models import Person

pytestmark = pytest.mark.django_db


def rows(n):
    return [
        {
            "name": f"团员{i}", "id_number": make_id_number("20010203", serial=i), "political_status": "团员",
            "league_join_date": "2016-05", "development_number": "", "ethnicity": "汉族", "education": "高中",
            "occupation": "学生", "mobile": f"139{i:08d}" if i % 2 else "", "email": "", "position": "",
            "party_applied_on": "",
        }
        for i in range(n)
    ]  # fmt: skip


def test_an_imported_person_is_stored_as_a_saved_one_would_be(tree):
    members.member_import(branch=tree.branch, file_or_rows=rows(2), actor=tree.branch_admin, dry_run=False)
    for person in Person.objects.filter(name__startswith="团员"):
        stored = {f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields}
        person.save()  # recomputes what is derived, encrypts anew
        person.refresh_from_db()
        assert {f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields} == {
            **stored,
            "updated_at": person.updated_at,
        }
        assert person.id_hash == pii.keyed_hash(person.id_number)


def test_a_row_entered_meanwhile_makes_the_chunk_decide_again(tree, monkeypatch):
    """A unique violation in the bulk insert is Django's IntegrityError (COPY too), so the framework retries."""
    decide, calls = members.IMPORTER.decide, []

    def decide_then_race(run, chunk):
        decide(run, chunk)
        if not calls:
            calls.append(1)
            first = chunk[0]
            Person.objects.create(name=first.clean["name"], id_number=first.clean["id_number"], branch=tree.branch)

    monkeypatch.setattr(members, "IMPORTER", dataclasses.replace(members.IMPORTER, decide=decide_then_race))
    report = members.member_import(branch=tree.branch, file_or_rows=rows(3), actor=tree.branch_admin, dry_run=False)
    assert calls == [1]
    assert report.created == 3 and not report.failed  # the racing row was rolled back with its chunk
    assert Person.objects.filter(name__startswith="团员", branch=tree.branch).count() == 3
