"""The audit trail: services record who did what, and never a full ID number or mobile."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from audit.models import AuditEvent
from audit.services import audit_record, redact
from conftest import make_id_number
from core import pii
from core.exceptions import Conflict
from orgs import services as org_services
from orgs.rules import Category
from people import services as people_services
from people.admins import org_admin_add

ID = "11010519491231002X"
MOBILE = "13812345678"


def test_creating_an_org_records_actor_verb_and_org(tree):
    org = org_services.org_create_child(
        parent=tree.uni, short_name="口腔医学院团委", category=Category.PRIMARY, actor=tree.uni_admin
    )
    event = AuditEvent.objects.get(verb="创建下级组织", target_id=str(org.pk))
    assert event.actor == tree.uni_admin
    assert event.org == tree.uni
    assert event.target_type == "org"
    assert event.target_label == org.full_name
    assert event.changes == {"short_name": "口腔医学院团委", "category": "基层团委", "full_name": org.full_name}


def test_a_refused_creation_records_nothing(tree):
    before = AuditEvent.objects.count()
    with pytest.raises(Conflict):
        org_services.org_create_child(
            parent=tree.college, short_name="临床医学2017级团总支", category=Category.GENERAL, actor=tree.college_admin
        )
    assert AuditEvent.objects.count() == before


def test_adding_an_admin_records_actor_verb_and_org(tree, make_person):
    person = make_person("副书记甲", birth="19930101")
    people_services.cadre_assign(person=person, org=tree.uni, position="副书记", actor=tree.province_admin)
    org_admin_add(org=tree.uni, person=person, actor=tree.province_admin)
    event = AuditEvent.objects.filter(verb="添加管理员", org=tree.uni).latest("id")
    assert event.actor == tree.province_admin
    assert event.org == tree.uni
    assert event.changes == {"person": "副书记甲"}


def test_appointing_a_cadre_is_recorded(tree, make_person):
    person = make_person("副书记甲", birth="19930101")
    people_services.cadre_assign(person=person, org=tree.uni, position="副书记", actor=tree.uni_admin)
    event = AuditEvent.objects.filter(verb="任命团干部", org=tree.uni).latest("id")
    assert event.actor == tree.uni_admin
    assert event.changes == {"person": "副书记甲", "position": "副书记"}


def test_an_anonymous_actor_is_stored_as_none(tree):
    event = audit_record(actor=AnonymousUser(), verb="测试", target=tree.root)
    assert event.actor is None


def test_redact_masks_id_numbers_and_mobiles():
    assert redact({"id_number": ID, "mobile": MOBILE}) == {
        "id_number": pii.mask_id_number(ID),
        "mobile": "138****5678",
    }


def test_redact_masks_both_sides_of_a_change():
    other = make_id_number("19900101")
    out = redact({"id_number": [ID, other], "mobile": [MOBILE, "13998765432"]})
    assert out == {
        "id_number": [pii.mask_id_number(ID), pii.mask_id_number(other)],
        "mobile": ["138****5678", "139****5432"],
    }


def test_redact_masks_inside_nested_objects():
    out = redact({"secretary": {"name": "张三", "id_number": ID, "mobile": MOBILE}})
    assert out == {"secretary": {"name": "张三", "id_number": pii.mask_id_number(ID), "mobile": "138****5678"}}


def test_redact_hides_secrets_completely():
    out = redact({"password": "Tuan#Test2026", "code": "Ab3dEf9H", "reset_code": "123456", "token": "abc"})
    assert out == {"password": "***", "code": "***", "reset_code": "***", "token": "***"}


def test_redact_keeps_other_values():
    assert redact({"short_name": "团江苏省委", "sort_order": 3, "flag": True, "none": None}) == {
        "short_name": "团江苏省委",
        "sort_order": 3,
        "flag": True,
        "none": None,
    }


def test_person_create_records_a_masked_id_number(make_person):
    person = make_person("张三")
    event = AuditEvent.objects.get(verb="录入人员", target_id=str(person.pk))
    assert event.changes["id_number"] == person.id_number_masked
    assert event.changes["id_number"] != person.id_number
    assert "*" in event.changes["id_number"]


def test_no_audit_event_of_the_shared_tree_holds_a_full_id_number_or_mobile(tree):
    people = [getattr(tree, p) for p in vars(tree) if p.endswith("admin") or p in ("member", "outsider")]
    stored = json.dumps([[e.changes, e.target_label] for e in AuditEvent.objects.all()], ensure_ascii=False)
    assert AuditEvent.objects.count() > 10
    for person in people:
        assert person.id_number not in stored
        assert person.mobile not in stored


def test_the_audit_column_holds_no_full_id_number_at_the_database_level(make_person):
    person = make_person("张三")
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes FROM audit_auditevent")
        raw = " ".join(str(row[0]) for row in cursor.fetchall())
    assert person.id_number not in raw


@pytest.mark.parametrize(
    "changes",
    [
        {"rows": [{"name": "张三", "id_number": ID, "mobile": MOBILE}]},  # a batch of people
        {"id_number": [ID], "mobile": [MOBILE]},  # a one-item list
    ],
)
def test_redact_masks_id_numbers_inside_lists(changes):
    stored = json.dumps(redact(changes), ensure_ascii=False)
    assert ID not in stored
    assert MOBILE not in stored
