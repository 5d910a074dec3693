"""The demo data command (API.md seed_demo): valid, T3-conform, deterministic, only on an empty DB."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from core.validators import parse_id_number
from demo.generator import DEMO_PASSWORD, DemoBuilder
from demo.standing import OVERAGE
from orgs import rules
from orgs.models import Org, OrgAdmin
from people.models import Cadre, Person
from people.validation import check_join_date

MEMBERS = 300


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    call_command("seed_demo", members=MEMBERS, seed=11, stdout=out)
    return out.getvalue()


def test_it_creates_at_least_the_requested_members(seeded):
    assert Person.objects.filter(branch__isnull=False).count() >= MEMBERS
    assert "已生成" in seeded


def test_every_person_has_a_valid_id_number_matching_birth_date_and_gender(seeded):
    people = list(Person.objects.all())
    assert len(people) >= MEMBERS
    for person in people:
        parsed = parse_id_number(person.id_number)
        assert (parsed.birth_date, parsed.gender) == (person.birth_date, person.gender), person.id_number


def test_every_person_obeys_the_join_age_rule(seeded):
    for person in Person.objects.exclude(league_join_date=None):
        check_join_date(person.league_join_date, person.birth_date)


def test_every_development_number_starts_with_the_join_year(seeded):
    numbered = Person.objects.exclude(development_number=None)
    assert numbered.exists()
    for person in numbered:
        assert len(person.development_number) == 12
        assert person.development_number[:4] == str(person.league_join_date.year)


def test_every_org_sits_where_t3_allows(seeded):
    orgs = {o.id: o for o in Org.objects.all()}
    roots = [o for o in orgs.values() if o.parent_id is None]
    assert len(roots) == 1
    for org in orgs.values():
        if org.parent_id is None:
            continue
        parent = orgs[org.parent_id]
        assert rules.may_contain(parent.category, org.category), (parent.short_name, org.short_name)
        assert org.path.startswith(parent.path)
        assert org.depth == parent.depth + 1


def test_every_org_knows_its_number_of_children(seeded):
    counts = Counter(Org.objects.exclude(parent=None).values_list("parent_id", flat=True))
    for org in Org.objects.all():
        assert org.numchild == counts.get(org.id, 0), org.short_name


def test_every_short_name_follows_the_t7_suffix_rule(seeded):
    for org in Org.objects.exclude(category=rules.Category.LEADING):
        rules.check_short_name(org.short_name, org.category)


def test_sibling_names_are_unique(seeded):
    pairs = Counter(Org.objects.values_list("parent_id", "short_name"))
    assert max(pairs.values()) == 1


def test_the_tree_has_the_levels_of_t1(seeded):
    branch = Org.objects.get(short_name="五年制临床医学2017级3班团支部")
    assert branch.level == 6
    assert [o.short_name for o in branch.ancestors()] == [
        "团中央",
        "团江苏省委",
        "南京医科大学团委",
        "第一临床医学院团委",
        "五年制临床医学2017级团总支",
    ]


def test_every_admin_is_a_cadre_of_their_org_and_no_org_has_more_than_three(seeded):
    cadres = set(Cadre.objects.values_list("person_id", "org_id"))
    for person_id, org_id in OrgAdmin.objects.values_list("person_id", "org_id"):
        assert (person_id, org_id) in cadres
    assert max(Counter(OrgAdmin.objects.values_list("org_id", flat=True)).values()) <= 3


def test_every_branch_member_belongs_to_a_branch(seeded):
    categories = set(Org.objects.filter(members__isnull=False).values_list("category", flat=True))
    assert categories == {rules.Category.BRANCH}


def test_the_printed_demo_logins_work(seeded, client):
    lines = [line for line in seeded.splitlines() if f"密码 {DEMO_PASSWORD}" in line]
    assert lines
    id_number = lines[0].split()[-3]
    response = client.post(
        "/api/v1/auth/login", {"id_number": id_number, "password": DEMO_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200


def test_it_refuses_a_database_that_already_has_orgs(seeded):
    count = Org.objects.count()
    with pytest.raises(CommandError) as exc:
        call_command("seed_demo", members=MEMBERS, stdout=io.StringIO())
    assert "只能载入空数据库" in str(exc.value)
    assert Org.objects.count() == count


def test_if_empty_skips_a_database_that_already_has_orgs(seeded):
    count = Person.objects.count()
    out = io.StringIO()
    call_command("seed_demo", members=MEMBERS, if_empty=True, stdout=out)
    assert "跳过" in out.getvalue()
    assert Person.objects.count() == count


def plan_fingerprint(seed: int):
    plan = DemoBuilder(seed=seed, members=MEMBERS).build()
    orgs = [(o.path, o.category, o.short_name, o.full_name) for level in plan.orgs_by_depth.values() for o in level]
    people = [(p.name, p.id_number, p.mobile, p.league_join_date) for p in plan.people]
    return orgs, people


def test_the_same_seed_gives_the_same_names_and_id_numbers():
    assert plan_fingerprint(5) == plan_fingerprint(5)


def test_another_seed_gives_other_people():
    assert plan_fingerprint(5)[1] != plan_fingerprint(6)[1]


def test_the_command_writes_exactly_the_seeded_plan(seeded):
    """The plan, and the three members past 28 the 团籍状态 demo enters through the services (demo.standing)."""
    _, planned = plan_fingerprint(11)
    written = {(p.name, p.id_number) for p in Person.objects.all()}
    overage = {(p.name, p.id_number) for p in Person.objects.filter(name__in=[n for n, _ in OVERAGE])}
    assert len(overage) == len(OVERAGE)
    assert written - overage == {(name, id_number) for name, id_number, _, _ in planned}


def test_a_second_run_on_the_demo_database_prints_the_logins_again(db):
    import io

    from django.core.management import call_command

    call_command("seed_demo", "--members", "300", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "跳过演示数据生成" in out.getvalue() and "演示账号" in out.getvalue()


def test_a_real_database_gets_no_invented_logins(tree):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "演示账号" not in out.getvalue()


def test_the_demo_has_a_rating_round_in_every_state(seeded):
    """Issue 17 item 5: 待复核 (changed once), 已复核, 不予定级, a 临时团支部 that is not rated, one not yet rated."""
    from rating import services
    from rating.models import Rating, RatingRound

    rnd = RatingRound.objects.get()
    assert rnd.org.short_name == "南京医科大学团委"
    states = {(r.status, r.reviewed_level or r.self_level, r.changed_since_review) for r in Rating.objects.all()}
    assert states == {("待复核", "四星", True), ("已复核", "三星", False), ("已复核", "不予定级", False)}
    general = Org.objects.get(short_name="五年制临床医学2017级团总支")
    views = [services.rating_view(org=b, actor=None, year=rnd.year) for b in Org.objects.filter(parent=general)]
    assert {"不参评", "未自评"} <= {v.status for v in views}
    young = services.rating_view(org=Org.objects.get(short_name="研究生会团支部"), actor=None, year=rnd.year)
    assert "成立不满6个月" in young.ineligible_reason


def test_the_demo_has_a_two_systems_round_in_every_state(seeded):
    """Issue 16 item 6: not started, draft, submitted, returned, approved (its registration confirmed)."""
    from evaluation import aggregates
    from evaluation.models import EvalRound, Evaluation, Registration

    rnd = EvalRound.objects.get()
    stages = sorted(Evaluation.objects.filter(year=rnd.year).values_list("stage", flat=True))
    assert stages == sorted(["草稿", "已通过", "已提交", "已退回"])
    assert Registration.objects.get().stage == "已通过"
    general = Org.objects.get(short_name="五年制临床医学2017级团总支")
    assert Org.objects.filter(parent=general).exclude(evaluations__year=rnd.year).exists()  # one not started
    assert aggregates.recount(rnd.year) == []
