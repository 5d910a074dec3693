"""Operator commands (API.md): init_root and load_leading_bodies (SPEC T4)."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from accounts.backends import IdNumberBackend
from orgs import services as org_services
from orgs.models import Org, OrgAdmin
from people.models import AccountState, Cadre, Person

ROOT_ADMIN_ID = "11010519491231002X"
ROOT_PASSWORD = "Gongqing-Tuan#2026"  # an admin: 12+ characters, not the name 王中央 in pinyin
HEADER = "上级组织全称,组织简称,组织全称,排序\n"
JIANGSU = (
    "共青团中央委员会,团江苏省委,共青团江苏省委员会,1\n"
    "共青团江苏省委员会,团南京市委,共青团南京市委员会,1\n"
    "共青团江苏省委员会,团苏州市委,共青团苏州市委员会,2\n"
    "共青团中央委员会,团浙江省委,共青团浙江省委员会,2\n"
)


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def init_root(**options):
    return run("init_root", "--admin-name", "王中央", "--admin-id-number", ROOT_ADMIN_ID, **options)


@pytest.fixture
def root_password(monkeypatch):
    monkeypatch.setenv("INIT_ROOT_PASSWORD", ROOT_PASSWORD)


@pytest.fixture
def root(db):
    return org_services.org_create_root(short_name="团中央", full_name="共青团中央委员会")


def write_csv(tmp_path, rows: str, name="bodies.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding=encoding)
    return path


# --- init_root -------------------------------------------------------------


def test_init_root_creates_the_root_and_its_first_admin(db, root_password):
    output = init_root(full_name="共青团中央委员会")
    root = Org.objects.get(depth=1)
    assert root.short_name == "团中央"
    assert root.full_name == "共青团中央委员会"
    assert root.category == "团的领导机关"
    assert root.level == 1
    admin = Person.objects.by_id_number(ROOT_ADMIN_ID).get()
    assert admin.name == "王中央"
    assert admin.account_state == AccountState.ACTIVE
    assert admin.must_change_password is False
    assert OrgAdmin.objects.filter(org=root, person=admin).exists()
    assert Cadre.objects.get(org=root, person=admin).position == "书记"
    assert "已创建根组织" in output


def test_the_root_admin_logs_in_with_the_password_from_the_environment(db, root_password):
    init_root()
    assert IdNumberBackend().authenticate(None, id_number=ROOT_ADMIN_ID, password=ROOT_PASSWORD) is not None
    assert IdNumberBackend().authenticate(None, id_number=ROOT_ADMIN_ID, password=ROOT_ADMIN_ID[-8:]) is None


def test_init_root_refuses_a_second_run(db, root_password):
    init_root()
    with pytest.raises(CommandError) as exc:
        run("init_root", "--name", "团中央2", "--admin-name", "李四", "--admin-id-number", "440304199912311237")
    assert "根组织已经存在" in str(exc.value)
    assert Org.objects.count() == 1
    assert Person.objects.count() == 1


def test_init_root_creates_nothing_when_the_password_is_weak(db, monkeypatch):
    monkeypatch.setenv("INIT_ROOT_PASSWORD", "12345678")
    with pytest.raises(CommandError) as exc:
        init_root()
    assert "密码不符合要求" in str(exc.value)
    assert not Org.objects.exists()
    assert not Person.objects.exists()


def test_init_root_creates_nothing_when_the_id_number_is_invalid(db, root_password):
    with pytest.raises(CommandError) as exc:
        run("init_root", "--admin-name", "王中央", "--admin-id-number", "110105194912310021")
    assert "校验位" in str(exc.value)
    assert not Org.objects.exists()


def test_init_root_without_a_password_or_terminal_refuses(db, monkeypatch):
    monkeypatch.delenv("INIT_ROOT_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)
    with pytest.raises(CommandError) as exc:
        init_root()
    assert "INIT_ROOT_PASSWORD" in str(exc.value)
    assert not Org.objects.exists()


# --- load_leading_bodies ----------------------------------------------------


def test_it_loads_leading_bodies_from_a_csv(root, tmp_path):
    output = run("load_leading_bodies", str(write_csv(tmp_path, JIANGSU)))
    assert "新建 4 个" in output
    jiangsu = Org.objects.get(full_name="共青团江苏省委员会")
    nanjing = Org.objects.get(full_name="共青团南京市委员会")
    suzhou = Org.objects.get(full_name="共青团苏州市委员会")
    zhejiang = Org.objects.get(full_name="共青团浙江省委员会")
    assert jiangsu.parent_id == root.id
    assert zhejiang.parent_id == root.id
    assert nanjing.parent_id == jiangsu.id
    assert nanjing.level == 3
    assert nanjing.path.startswith(jiangsu.path)
    assert {o.category for o in (jiangsu, nanjing, suzhou, zhejiang)} == {"团的领导机关"}
    assert (nanjing.short_name, nanjing.sort_order, suzhou.sort_order) == ("团南京市委", 1, 2)
    assert list(jiangsu.children()) == [nanjing, suzhou]


def test_it_reads_a_csv_saved_by_excel_with_a_byte_order_mark(root, tmp_path):
    run("load_leading_bodies", str(write_csv(tmp_path, JIANGSU, encoding="utf-8-sig")))
    assert Org.objects.count() == 5


def test_it_reads_an_xlsx_file(root, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["上级组织全称", "组织简称", "组织全称", "排序"])
    sheet.append(["共青团中央委员会", "团江苏省委", "共青团江苏省委员会", 1])
    sheet.append(["共青团江苏省委员会", "团南京市委", "共青团南京市委员会", 1])
    path = tmp_path / "bodies.xlsx"
    workbook.save(path)
    run("load_leading_bodies", str(path))
    assert Org.objects.get(full_name="共青团南京市委员会").parent.full_name == "共青团江苏省委员会"


def test_loading_the_same_file_again_creates_nothing(root, tmp_path):
    path = write_csv(tmp_path, JIANGSU)
    run("load_leading_bodies", str(path))
    ids = sorted(Org.objects.values_list("id", flat=True))
    output = run("load_leading_bodies", str(path))
    assert "新建 0 个" in output
    assert "4 个已存在" in output
    assert sorted(Org.objects.values_list("id", flat=True)) == ids


def test_loading_again_updates_the_order(root, tmp_path):
    run("load_leading_bodies", str(write_csv(tmp_path, JIANGSU)))
    reordered = JIANGSU.replace("团苏州市委,共青团苏州市委员会,2", "团苏州市委,共青团苏州市委员会,0")
    run("load_leading_bodies", str(write_csv(tmp_path, reordered, name="again.csv")))
    assert Org.objects.get(full_name="共青团苏州市委员会").sort_order == 0
    assert Org.objects.count() == 5


def test_a_row_with_an_unknown_parent_loads_nothing(root, tmp_path):
    rows = JIANGSU + "共青团安徽省委员会,团合肥市委,共青团合肥市委员会,1\n"
    with pytest.raises(CommandError) as exc:
        run("load_leading_bodies", str(write_csv(tmp_path, rows)))
    assert "第6行" in str(exc.value)
    assert "找不到上级组织“共青团安徽省委员会”" in str(exc.value)
    assert list(Org.objects.all()) == [root]


def test_a_row_without_names_loads_nothing(root, tmp_path):
    rows = JIANGSU + "共青团江苏省委员会,,共青团无锡市委员会,3\n"
    with pytest.raises(CommandError) as exc:
        run("load_leading_bodies", str(write_csv(tmp_path, rows)))
    assert "第6行" in str(exc.value)
    assert Org.objects.count() == 1


def test_a_non_integer_order_loads_nothing(root, tmp_path):
    rows = "共青团中央委员会,团江苏省委,共青团江苏省委员会,第一\n"
    with pytest.raises(CommandError) as exc:
        run("load_leading_bodies", str(write_csv(tmp_path, rows)))
    assert "应为整数" in str(exc.value)
    assert Org.objects.count() == 1


def test_a_file_without_the_expected_columns_is_refused(root, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("名称,排序\n团江苏省委,1\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        run("load_leading_bodies", str(path))
    assert "文件缺少列" in str(exc.value)


def test_a_missing_file_is_refused(root, tmp_path):
    with pytest.raises(CommandError) as exc:
        run("load_leading_bodies", str(tmp_path / "nothing.csv"))
    assert "文件不存在" in str(exc.value)


def test_an_unsupported_file_type_is_refused(root, tmp_path):
    path = tmp_path / "bodies.txt"
    path.write_text(HEADER + JIANGSU, encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        run("load_leading_bodies", str(path))
    assert "不支持的文件类型" in str(exc.value)


@pytest.mark.parametrize("weak", ["Qing#2026ab", "Zhongyang#2026x"])  # 11 characters; the name in pinyin
def test_init_root_applies_the_admin_password_rules(db, monkeypatch, weak):
    monkeypatch.setenv("INIT_ROOT_PASSWORD", weak)
    with pytest.raises(CommandError, match="密码不符合要求"):
        init_root()
    assert not Org.objects.exists()
