"""A process killed in the middle of a large import leaves only whole rows, and the same file re-run completes it (issue 8 item 5).

A real `manage.py`-style child process runs the member import against the
test database; it is sent SIGKILL as soon as it reports its first chunk,
while the second is being written. Every person it left must be whole
(every mandatory field, the keyed hash matching the decrypted ID number,
the derived fields consistent), the count a whole number of chunks, and
uploading the same file again must skip those and create the rest.
"""

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from openpyxl import Workbook

from core import pii
from core.validators import id_check_char, parse_id_number
from imports.importers import members as member_import
from people.models import Person

ROOT = Path(__file__).resolve().parents[2]
ROWS = 4 * member_import.CHUNK

CHILD = """
import sys
import django

django.setup()
from orgs.models import Org
from imports.importers.members import member_import
from people.models import Person

branch = Org.objects.get(pk=int(sys.argv[1]))
actor = Person.objects.get(pk=int(sys.argv[2]))
content = open(sys.argv[3], "rb").read()


def progress(done, total):
    print("DONE", done, total, flush=True)


member_import(branch=branch, file_or_rows=content, actor=actor, dry_run=False, progress=progress)
print("FINISHED", flush=True)
"""


def member_file(n: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(member_import.SHEET)
    ws.append([c.header for c in member_import.COLUMNS])
    for i in range(n):
        first17 = f"110101{2000 + i // 1000}0101{i % 1000:03d}"
        ws.append([f"成员{i}", first17 + id_check_char(first17), "团员", "2015-09", "", "汉族", "大学本科", "学生",
                   f"139{i:08d}", "", "", ""])  # fmt: skip
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def assert_whole(person: Person) -> None:
    parsed = parse_id_number(person.id_number)
    assert person.name.startswith("成员")
    assert person.id_hash == pii.keyed_hash(person.id_number)
    assert (person.birth_date, person.gender) == (parsed.birth_date, parsed.gender)
    assert person.mobile and person.mobile_hash == pii.keyed_hash(person.mobile)
    assert person.political_status == "团员" and person.league_join_date.isoformat() == "2015-09-01"
    assert (person.ethnicity, person.education, person.occupation) == ("汉族", "大学本科", "学生")
    assert person.complete


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_mid_way_leaves_whole_rows_and_re_running_completes_it(tree, tmp_path):
    content = member_file(ROWS)
    path = tmp_path / "members.xlsx"
    path.write_bytes(content)
    before = set(Person.objects.filter(branch=tree.branch).values_list("pk", flat=True))
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tree.branch.pk), str(tree.branch_admin.pk), str(path)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = child.stdout.readline()
        assert line.startswith("DONE"), line + child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)  # while the second chunk is being written
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    left = Person.objects.filter(branch=tree.branch).exclude(pk__in=before)
    count = left.count()
    assert 0 < count < ROWS, count
    assert count % member_import.CHUNK == 0, f"{count} rows: a chunk was half-written"
    for person in left:
        assert_whole(person)

    report = member_import.member_import(
        branch=tree.branch, file_or_rows=content, actor=tree.branch_admin, dry_run=False
    )
    assert (report.skipped, report.created, len(report.failed)) == (count, ROWS - count, 0)
    everyone = Person.objects.filter(branch=tree.branch).exclude(pk__in=before)
    assert everyone.count() == ROWS
    assert len({p.id_hash for p in everyone}) == ROWS
    for person in everyone.order_by("?")[:200]:
        assert_whole(person)
