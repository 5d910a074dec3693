"""Hostile uploads found by attacking the running server (issue 12 item 16), played against the API and the pages.

(a) a corrupted deflate stream used to escape as zlib.error: an HTML 500;
(c) zip entries named `../x`, `/x` or stored as symbolic links were accepted;
(d) a hidden sheet named like the template's was read instead of the visible one;
(e) there was no limit on how many files an admin may upload.
Each answers now a clear refusal: 400 `bad_file` from the API, the message in the
import card on the page, 429 `upload_quota` past the hourly quota.
"""

import io
import struct
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from excel import readers
from excel.readers import FileRefused
from imports.importers import children as batch
from orgs.models import Org

HEADER = ["组织简称", "组织类别", "组织全称（可选，留空则自动生成）"]


def children_file(rows=(("口腔2018级1班团支部", "团支部"),)) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = batch.SHEET
    ws.append(HEADER)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def api_upload(client, org, data: bytes):
    return client.post(f"/api/v1/orgs/{org.id}/children/import", {"file": SimpleUploadedFile("orgs.xlsx", data)})


def page_upload(client, org, data: bytes):
    return client.post(
        reverse("orgs:children_import_preview", args=[org.id]), {"file": SimpleUploadedFile("orgs.xlsx", data)}
    )


def created(org) -> list[str]:
    return sorted(Org.objects.get(pk=org.pk).children().values_list("short_name", flat=True))


# (a) a corrupted deflate stream


def corrupt_deflate(data: bytes, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """Set the member's first deflate block to the reserved type 3: zlib says "invalid block type"."""
    data = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(member)
    assert info.compress_type == zipfile.ZIP_DEFLATED
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    data[info.header_offset + 30 + name_len + extra_len] = 0xFF
    return bytes(data)


def test_the_corrupted_file_really_breaks_zlib():
    import zlib

    with pytest.raises(zlib.error):
        zipfile.ZipFile(io.BytesIO(corrupt_deflate(children_file()))).read("xl/worksheets/sheet1.xml")


@pytest.mark.django_db
def test_a_corrupted_deflate_stream_is_a_400_from_the_api(tree, api_login):
    response = api_upload(api_login(tree.general_admin), tree.general, corrupt_deflate(children_file()))
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "bad_file" and "已损坏" in response.json()["message"]
    assert created(tree.general) == [tree.branch.short_name]


@pytest.mark.django_db
def test_a_corrupted_deflate_stream_is_explained_on_the_page(tree, client):
    client.force_login(tree.general_admin)
    response = page_upload(client, tree.general, corrupt_deflate(children_file()))
    assert response.status_code == 200
    assert "已损坏" in response.content.decode()


# (c) entries that leave the archive, and symbolic links


def with_entry(info: zipfile.ZipInfo | str, content: bytes = b"<x/>") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(children_file())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr(info, content)
    return out.getvalue()


def symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix
    info.external_attr = 0o120777 << 16  # S_IFLNK | rwxrwxrwx
    return info, target.encode()


def traversal(name):
    return lambda: with_entry(name)


def duplicate_sheet() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(children_file())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        other = children_file([("另一个团支部", "团支部")])
        with zipfile.ZipFile(io.BytesIO(other)) as second, pytest.warns(UserWarning, match="Duplicate name"):
            dst.writestr("xl/worksheets/sheet1.xml", second.read("xl/worksheets/sheet1.xml"))
    return out.getvalue()


ENTRIES = {
    "dot-dot": (traversal("../../etc/cron.d/evil"), "压缩包以外"),
    "dot-dot-inside": (traversal("xl/../../evil.xml"), "压缩包以外"),
    "absolute": (traversal("/etc/passwd"), "压缩包以外"),
    "backslash-dot-dot": (traversal("xl\\..\\..\\evil.xml"), "压缩包以外"),
    "drive": (traversal("C:/Windows/evil.xml"), "压缩包以外"),
    "symlink": (lambda: with_entry(*symlink("xl/media/image1.png", "/etc/passwd")), "符号链接"),
    "duplicate": (duplicate_sheet, "出现了两次"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(ENTRIES))
def test_an_archive_entry_no_spreadsheet_has_is_refused_by_the_api(tree, api_login, name):
    build, words = ENTRIES[name]
    response = api_upload(api_login(tree.general_admin), tree.general, build())
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "bad_file" and words in response.json()["message"]
    assert created(tree.general) == [tree.branch.short_name]


@pytest.mark.django_db
def test_a_symlink_entry_is_refused_on_the_page(tree, client):
    client.force_login(tree.general_admin)
    response = page_upload(client, tree.general, with_entry(*symlink("xl/media/image1.png", "/etc/passwd")))
    assert response.status_code == 200 and "符号链接" in response.content.decode()


# (d) hidden sheets


def workbook(*sheets: tuple[str, str, list]) -> bytes:
    """Sheets as (title, state, rows of short names) in order; each gets the template's header."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, state, names in sheets:
        ws = wb.create_sheet(title)
        ws.sheet_state = state
        ws.append(HEADER)
        for name in names:
            ws.append([name, "团支部"])
    wb.active = next(i for i, (_, state, _) in enumerate(sheets) if state == "visible")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_hidden_sheet_named_like_the_templates_is_refused_not_read(tree, api_login):
    """The admin sees Sheet1 (one harmless row); the hidden 下级组织 sheet holds what would have been created."""
    data = workbook(("Sheet1", "visible", ["看得见的团支部"]), (batch.SHEET, "hidden", ["看不见的团支部"]))
    response = api_upload(api_login(tree.general_admin), tree.general, data)
    assert response.status_code == 400, response.content[:300]
    assert "被隐藏" in response.json()["message"] and batch.SHEET in response.json()["message"]
    assert created(tree.general) == [tree.branch.short_name]


@pytest.mark.django_db
def test_a_very_hidden_sheet_is_refused_too(tree, api_login):
    data = workbook(("Sheet1", "visible", ["看得见的团支部"]), (batch.SHEET, "veryHidden", ["看不见的团支部"]))
    response = api_upload(api_login(tree.general_admin), tree.general, data)
    assert response.status_code == 400 and "被隐藏" in response.json()["message"]


@pytest.mark.django_db
def test_without_the_templates_name_the_first_visible_sheet_is_read_never_a_hidden_one(tree, api_login):
    data = workbook(("隐藏", "hidden", ["看不见的团支部"]), ("Sheet1", "visible", ["看得见的团支部"]))
    response = api_upload(api_login(tree.general_admin), tree.general, data)
    assert response.status_code == 200, response.content[:300]
    assert created(tree.general) == sorted([tree.branch.short_name, "看得见的团支部"])


@pytest.mark.django_db
def test_the_visible_template_sheet_is_read_beside_hidden_ones(tree, api_login):
    data = workbook(("隐藏", "hidden", ["看不见的团支部"]), (batch.SHEET, "visible", ["看得见的团支部"]))
    response = api_upload(api_login(tree.general_admin), tree.general, data)
    assert response.status_code == 200, response.content[:300]
    assert created(tree.general) == sorted([tree.branch.short_name, "看得见的团支部"])


def test_a_template_with_its_hidden_choices_sheet_still_reads():
    """Long drop-down lists live on a hidden 选项 sheet of the template: a hidden sheet of another name is no ambiguity."""
    from excel import workbooks
    from excel.readers import Column
    from imports.tests.xlsx import open_xlsx

    columns = (Column("name", "名称"), Column("kind", "类别"))
    spec = workbooks.TemplateSpec(
        title="测试模板", sheet="数据", columns=columns, instructions=[], max_rows=10,
        choices={"kind": [f"很长的选项名称第{i}项" for i in range(60)]},
    )  # fmt: skip
    wb = open_xlsx(workbooks.template_workbook(spec))
    assert wb["选项"].sheet_state == "hidden"
    wb["数据"].append(["甲", "很长的选项名称第1项"])
    buffer = io.BytesIO()
    wb.save(buffer)
    sheet = readers.read_rows(buffer.getvalue(), columns=columns, template_name="测试模板", sheet_name="数据")
    assert sheet.rows[0].values == {"name": "甲", "kind": "很长的选项名称第1项"}


def test_the_reader_refuses_the_hidden_sheet_directly():
    data = workbook(("Sheet1", "visible", ["甲团支部"]), (batch.SHEET, "hidden", ["乙团支部"]))
    with pytest.raises(FileRefused, match="被隐藏"):
        readers.parse_sheet(data, sheet_name=batch.SHEET)


# (e) an hourly quota of uploads per admin


@pytest.fixture
def quota_of_two(settings):
    settings.RATELIMIT_ENABLE = True
    settings.UPLOAD_QUOTA_PER_HOUR = 2
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_the_api_refuses_uploads_past_the_hourly_quota_with_429(tree, api_login, quota_of_two):
    client = api_login(tree.general_admin)
    for _ in range(2):
        assert api_upload(client, tree.general, children_file([("甲团支部", "团支部")])).status_code == 200
    response = api_upload(client, tree.general, children_file([("乙团支部", "团支部")]))
    assert response.status_code == 429, response.content[:300]
    body = response.json()
    assert body["code"] == "upload_quota" and "每小时最多上传2个文件" in body["message"]
    assert "乙团支部" not in created(tree.general)
    # Another admin has a quota of their own.
    other = api_login(tree.college_admin)
    assert api_upload(other, tree.college, children_file([("丙团总支", "团总支")])).status_code == 200


@pytest.mark.django_db
def test_the_member_import_counts_against_the_same_quota(tree, api_login, quota_of_two):
    client = api_login(tree.branch_admin)
    url = f"/api/v1/orgs/{tree.branch.id}/people/import?dry_run=true"
    for _ in range(2):
        client.post(url, {"file": SimpleUploadedFile("m.xlsx", children_file())})
    response = client.post(url, {"file": SimpleUploadedFile("m.xlsx", children_file())})
    assert response.status_code == 429 and response.json()["code"] == "upload_quota"


@pytest.mark.django_db
def test_the_pages_refuse_uploads_past_the_quota_and_confirming_a_checked_file_is_no_upload(tree, client, quota_of_two):
    client.force_login(tree.general_admin)
    first = page_upload(client, tree.general, children_file([("甲团支部", "团支部")]))
    token = first.context["token"]
    page_upload(client, tree.general, children_file([("乙团支部", "团支部")]))
    third = page_upload(client, tree.general, children_file([("丙团支部", "团支部")]))
    assert "每小时最多上传2个文件" in third.content.decode()
    assert "token" not in third.context or not third.context["token"]
    # Confirming the file checked in the first preview uploads nothing new.
    done = client.post(reverse("orgs:children_import_confirm", args=[tree.general.id]), {"token": token})
    assert done.status_code == 200
    assert "甲团支部" in created(tree.general)
    # The member import page counts too.
    client.force_login(tree.branch_admin)
    url = reverse("people:member_import_preview", args=[tree.branch.pk])
    for _ in range(2):
        client.post(url, {"file": SimpleUploadedFile("m.xlsx", children_file())})
    refused = client.post(url, {"file": SimpleUploadedFile("m.xlsx", children_file())})
    assert "每小时最多上传2个文件" in refused.content.decode()


@pytest.mark.django_db
def test_the_quota_is_off_when_set_to_zero(tree, api_login, quota_of_two, settings):
    settings.UPLOAD_QUOTA_PER_HOUR = 0
    client = api_login(tree.general_admin)
    for _ in range(4):
        assert api_upload(client, tree.general, children_file([("甲团支部", "团支部")])).status_code == 200
