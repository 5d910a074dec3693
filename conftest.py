"""Shared test set-up: a small league tree with named personas (STYLE: BaseTestCase personas).

团中央 (root_admin)
├── 团江苏省委 (province_admin)
│   ├── 团南京市委 (city_admin)
│   └── 南京医科大学团委 (uni_admin)
│       └── 第一临床医学院团委 (college_admin)
│           └── 临床医学2017级团总支 (general_admin)
│               └── 五年制临床医学2017级3班团支部 (branch_admin; member)
└── 团浙江省委 (outsider)
"""

import itertools
import os

import pytest
from django.core.cache import cache
from django.test import Client

from core.validators import id_check_char
from orgs import services as org_services
from orgs.rules import Category
from people import services as people_services
from people.admins import org_admin_add
from people.models import AccountState

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Tuan#Test2026"
_serial = itertools.count(1)


def make_id_number(birth: str = "20000101", region: str = "320102", serial: int | None = None) -> str:
    """A valid 18-digit ID number, unique per call unless `serial` is given."""
    n = next(_serial) if serial is None else serial
    first17 = f"{region}{birth}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def make_person_plain(name: str, birth: str = "20000101", *, branch=None, password: str | None = PASSWORD, **fields):
    """A person with complete fields (registered unless password=None), for fixtures and tests."""
    data = {
        "name": name,
        "id_number": make_id_number(birth),
        "ethnicity": "汉族",
        "political_status": "团员",
        "league_join_date": f"{int(birth[:4]) + 14}-09",
        "education": "大学本科",
        "occupation": "学生",
        "mobile": "13812345678",
    }
    data.update(fields)
    return people_services.person_create(
        data=data,
        password=password,
        account_state=AccountState.ACTIVE if password else AccountState.INITIAL,
        branch=branch,
    )


@pytest.fixture
def make_person(db):
    def make(name="测试人员", *, birth="20000101", password=PASSWORD, branch=None, **fields):
        return make_person_plain(name, birth, branch=branch, password=password, **fields)

    return make


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none, whatever ran before it on this worker."""
    cache.clear()
    yield


class Tree:
    """The organisations and personas of the module docstring, as attributes."""


@pytest.fixture
def tree(db, make_person):
    t = Tree()
    t.root = org_services.org_create_root(short_name="团中央", full_name="共青团中央委员会")
    t.province = org_services.org_create_child(
        parent=t.root,
        short_name="团江苏省委",
        full_name="共青团江苏省委员会",
        category=Category.LEADING,
        by_operator=True,
    )
    t.other_province = org_services.org_create_child(
        parent=t.root,
        short_name="团浙江省委",
        full_name="共青团浙江省委员会",
        category=Category.LEADING,
        by_operator=True,
    )
    t.city = org_services.org_create_child(
        parent=t.province,
        short_name="团南京市委",
        full_name="共青团南京市委员会",
        category=Category.LEADING,
        by_operator=True,
    )

    def admin(org, name, birth):
        person = make_person(name, birth=birth)
        people_services.cadre_assign(person=person, org=org, position="书记")
        org_admin_add(org=org, person=person)
        return person

    t.root_admin = admin(t.root, "中央管理员", "19850101")
    t.province_admin = admin(t.province, "省委管理员", "19880202")
    t.outsider = admin(t.other_province, "浙江管理员", "19890303")
    t.city_admin = admin(t.city, "市委管理员", "19900404")
    t.uni = org_services.org_create_child(
        parent=t.province, short_name="南京医科大学团委", category=Category.PRIMARY, actor=t.province_admin
    )
    t.uni_admin = admin(t.uni, "校团委管理员", "19920505")
    t.college = org_services.org_create_child(
        parent=t.uni, short_name="第一临床医学院团委", category=Category.PRIMARY, actor=t.uni_admin
    )
    t.college_admin = admin(t.college, "分团委管理员", "19950606")
    t.general = org_services.org_create_child(
        parent=t.college, short_name="临床医学2017级团总支", category=Category.GENERAL, actor=t.college_admin
    )
    t.general_admin = admin(t.general, "团总支管理员", "19960707")
    t.branch = org_services.org_create_child(
        parent=t.general, short_name="五年制临床医学2017级3班团支部", category=Category.BRANCH, actor=t.general_admin
    )
    t.branch_admin = make_person("支部书记", birth="19990808", branch=t.branch)
    people_services.cadre_assign(person=t.branch_admin, org=t.branch, position="书记")
    org_admin_add(org=t.branch, person=t.branch_admin)
    t.member = make_person("普通团员", birth="19990909", branch=t.branch)
    return t


@pytest.fixture
def api_login(client: Client):
    """Log a person in through the API; returns a client sending their bearer token."""

    def login(person, password=PASSWORD) -> Client:
        response = client.post(
            "/api/v1/auth/login",
            {"id_number": person.id_number, "password": password},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content.decode()
        return Client(headers={"Authorization": f"Bearer {response.json()['token']}"})

    return login


def get_ok(client, url: str):
    """A fetch() for assert_flat_queries: GET `url`, which must answer 200."""

    def fetch():
        response = client.get(url)
        assert response.status_code == 200, response.content.decode()[:300]
        return response

    return fetch


@pytest.fixture
def assert_flat_queries(django_assert_max_num_queries):
    """Pin the query count of `fetch()`, one request: at most `ceiling`, and no more once `grow()` has added rows.

    A warm-up request comes first, so that only the request's own queries count. Returns the responses
    before and after `grow()`.
    """

    def check(fetch, grow, ceiling: int):
        fetch()
        with django_assert_max_num_queries(ceiling) as few:
            before = fetch()
        grow()
        with django_assert_max_num_queries(len(few.captured_queries)):
            after = fetch()
        return before, after

    return check


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }
