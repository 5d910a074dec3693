"""A believable province of demo data, deterministic for a given seed.

团中央 → 团江苏省委 → city committees (团南京市委 …) with enterprises and
street working committees, and universities directly under the province
with 分团委 → 团总支 → class branches named as SPEC T7 says. People get
Chinese names and valid ID numbers; some records are left incomplete on
purpose so progress pages have something to show.

Built for scale (`--members 1000000`): organisations are created level by
level with their materialised paths computed here, and everything is
inserted with bulk_create, never row by row.
"""

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from core.validators import id_check_char
from orgs.industries import INDUSTRIES
from orgs.models import Org, OrgAdmin
from orgs.rules import Category
from people.choices import EDUCATIONS, ETHNICITIES, PoliticalStatus
from people.models import AccountState, Cadre, Person
from progress.aggregates import stats_recount

DEMO_PASSWORD = "Demo@2026"
TODAY = dt.date(2026, 11, 1)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯博晨阳欣怡梓涵子轩雨涵思远佳琪俊杰晓东嘉怡婷雪琳瑶璐慧颖婧悦雯倩晗宁航越哲睿铭昊天翔泽鑫旭峰嘉诚一鸣佳乐"
REGIONS = [
    "320102", "320104", "320105", "320106", "320111", "320113", "320114", "320115", "320116",
    "320205", "320206", "320211", "320213", "320281", "320302", "320303", "320311", "320321",
    "320505", "320506", "320507", "320508", "320581", "320582", "320583", "320585", "321002",
]  # fmt: skip
CITIES = ["南京", "苏州", "无锡", "徐州", "常州", "南通", "扬州", "镇江"]
UNIVERSITIES = [
    ("南京医科大学", [("第一临床医学院", ["五年制临床医学", "临床医学（5+3）一体化"]),
                   ("口腔医学院", ["口腔医学（5+3）一体化", "口腔医学"]),
                   ("公共卫生学院", ["预防医学", "卫生检验与检疫"])]),
    ("东南理工大学", [("机械工程学院", ["机械工程", "车辆工程"]),
                   ("计算机科学与工程学院", ["计算机科学与技术", "软件工程"]),
                   ("土木工程学院", ["土木工程", "给排水科学与工程"])]),
    ("江苏师范学院", [("文学院", ["汉语言文学", "秘书学"]),
                   ("数学与统计学院", ["数学与应用数学", "统计学"])]),
    ("苏州科技学院", [("电子与信息工程学院", ["电子信息工程", "通信工程"]),
                   ("建筑与城市规划学院", ["建筑学", "城乡规划"])]),
]  # fmt: skip
ENTERPRISES = ["地铁集团", "供电公司", "港务集团", "纺织集团", "化工集团", "城建集团"]
WORKSHOPS = ["包装车间", "机修车间", "调度中心", "客运部", "信息中心", "质检部"]
STREETS = ["建国门街道", "玄武门街道", "湖滨街道", "新街口街道", "夫子庙街道"]
COMMUNITIES = ["大雅宝社区", "碑亭巷社区", "梅园社区", "丹凤街社区", "珠江路社区"]
# The demo's class branches hold 24–40 members. The whole country averages about 18 members per
# organisation (74 million in 4 million): `seed_demo --branch-size 8-28` gives that shape for benchmarks.
MEMBERS_PER_BRANCH = (24, 40)


def founded_on(short_name: str) -> dt.date:
    """成立时间: a class branch or 团总支 in the September of its grade ("2017级"), anything else years ago."""
    grade = re.search(r"(20\d\d)级", short_name)
    return dt.date(int(grade.group(1)), 9, 1) if grade else dt.date(2012, 5, 4)


@dataclass
class DemoLogin:
    role: str
    org: str
    name: str
    id_number: str
    password: str


@dataclass
class Plan:
    """What has been built so far, in memory, before it is written."""

    orgs_by_depth: dict[int, list[Org]] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    cadres: list[tuple[Person, Org, str]] = field(default_factory=list)
    admins: list[tuple[Person, Org]] = field(default_factory=list)
    secretaries: list[tuple[Org, Person]] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)


class DemoBuilder:
    def __init__(self, *, seed: int, members: int, branch_size: tuple[int, int] = MEMBERS_PER_BRANCH):
        self.rng = random.Random(seed)
        self.target_members = members
        self.branch_size = branch_size
        self.used_ids: set[str] = set()
        self.dev_counter = 0
        self.plan = Plan()
        self.child_counts: dict[str, int] = {}
        self.password_hash = make_password(DEMO_PASSWORD)

    # --- organisations -------------------------------------------------
    def org(self, parent: Org | None, category: str, short_name: str, full_name: str | None = None) -> Org:
        if parent is None:
            depth, path = 1, Org._get_path(None, 1, 1)
        else:
            depth = parent.depth + 1
            n = self.child_counts.get(parent.path, 0) + 1
            self.child_counts[parent.path] = n
            path = Org._get_path(parent.path, depth, n)
        org = Org(
            path=path,
            depth=depth,
            numchild=0,
            category=category,
            short_name=short_name,
            full_name=full_name or ((parent.full_name if parent else "") + short_name),
            sort_order=self.child_counts.get(parent.path, 1) if parent else 1,
        )
        org.founded_on = founded_on(short_name)
        org._demo_parent = parent
        if parent is not None:
            parent.numchild += 1
        self.plan.orgs_by_depth.setdefault(depth, []).append(org)
        self.fill_info(org)
        return org

    def fill_info(self, org: Org) -> None:
        """Most organisations have filled in their information; about one in six has not."""
        if self.rng.random() < 0.17:
            return
        org.industry = "S" if org.category == Category.LEADING else self.rng.choice(INDUSTRIES)[0]
        org.phone = f"025-{self.rng.randint(52000000, 89999999)}"
        org.email = f"tw{self.rng.randint(1000, 99999)}@example.cn"
        if org.category != Category.BRANCH:
            org.admin_quota = self.rng.randint(0, 8)
            org.admin_staffed = self.rng.randint(0, org.admin_quota)
            org.inst_quota = self.rng.randint(0, 4)
            org.inst_staffed = self.rng.randint(0, org.inst_quota)

    # --- people ----------------------------------------------------------
    def id_number(self, birth: dt.date, gender: str) -> str:
        while True:
            seq = self.rng.randint(0, 99)
            gender_digit = self.rng.choice("13579" if gender == "男" else "02468")
            first17 = f"{self.rng.choice(REGIONS)}{birth:%Y%m%d}{seq:02d}{gender_digit}"
            value = first17 + id_check_char(first17)
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def person(
        self, *, born_year: int, branch: Org | None = None, complete: float = 0.85, account: str = AccountState.INITIAL
    ) -> Person:
        rng = self.rng
        gender = rng.choice("男女")
        birth = dt.date(born_year, rng.randint(1, 12), rng.randint(1, 28))
        join_age = rng.randint(13, 16)
        join = dt.date(born_year + join_age, rng.randint(1, 12), 1)
        if join > TODAY:
            join = dt.date(TODAY.year, 1, 1)
        if (join.year - birth.year - (join.month < birth.month)) < 13:
            join = dt.date(birth.year + 14, birth.month, 1)
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        p = Person(
            name=rng.choice(SURNAMES) + given,
            id_number=self.id_number(birth, gender),
            ethnicity="汉族" if rng.random() < 0.9 else rng.choice(ETHNICITIES[1:20]),
            political_status=PoliticalStatus.LEAGUE_MEMBER
            if rng.random() < 0.93
            else PoliticalStatus.PARTY_PROBATIONARY,
            league_join_date=join,
            education=rng.choice(EDUCATIONS[3:5]) if born_year < 2007 else "高中",
            occupation="学生" if born_year >= 1999 else "在职",
            mobile=f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
            branch=branch,
            account_state=account,
            must_change_password=account == AccountState.INITIAL,
            password=self.password_hash if account == AccountState.ACTIVE else "!",
        )
        if join >= dt.date(2017, 1, 1):
            self.dev_counter += 1
            p.development_number = f"{join.year}{self.dev_counter:08d}"
        if rng.random() > complete:
            # Deliberately incomplete: one or two required fields left empty.
            for f in rng.sample(["mobile", "education", "occupation", "ethnicity"], rng.randint(1, 2)):
                setattr(p, f, "")
        if account == AccountState.ACTIVE:
            p.registered_at = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
        self.plan.people.append(p)
        return p

    def cadre(
        self,
        org: Org,
        position: str,
        *,
        person: Person | None = None,
        admin: bool = False,
        login_role: str | None = None,
    ) -> Person:
        if person is None:
            person = self.person(
                born_year=self.rng.randint(1988, 1999),
                complete=0.8,
                account=AccountState.ACTIVE if admin else AccountState.INITIAL,
            )
        if person.branch is None and person.home_org is None:
            person.home_org = org  # 登记组织: its direct superior answers for the record (P8)
        self.plan.cadres.append((person, org, position))
        if position == "书记":
            self.plan.secretaries.append((org, person))
        if admin:
            person.account_state = AccountState.ACTIVE
            person.must_change_password = False
            person.password = self.password_hash
            person.registered_at = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
            for f in ("mobile", "education", "occupation", "ethnicity"):
                if not getattr(person, f):
                    setattr(
                        person,
                        f,
                        {"mobile": "13900000000", "education": "大学本科", "occupation": "在职", "ethnicity": "汉族"}[
                            f
                        ],
                    )
            self.plan.admins.append((person, org))
        if login_role:
            self.plan.logins.append(DemoLogin(login_role, org.full_name, person.name, person.id_number, DEMO_PASSWORD))
        return person

    def committee_cadres(self, org: Org, *, login_role: str | None = None, with_admin: float = 0.9) -> None:
        has_admin = login_role is not None or self.rng.random() < with_admin
        self.cadre(org, "书记", admin=has_admin, login_role=login_role)
        for position in self.rng.sample(["副书记", "委员", "常委", "专职团干部"], self.rng.randint(0, 3)):
            self.cadre(org, position)

    def branch(
        self,
        parent: Org,
        short_name: str,
        *,
        born_year: int,
        size: int | None = None,
        login_role: str | None = None,
        admin: bool = False,
    ) -> Org:
        b = self.org(parent, Category.BRANCH, short_name)
        size = size if size is not None else self.rng.randint(*self.branch_size)
        members = [self.person(born_year=born_year + self.rng.choice((0, 0, 0, -1, 1)), branch=b) for _ in range(size)]
        # A few self-registered members waiting for verification (P5-3).
        for m in members[-2:]:
            if self.rng.random() < 0.1:
                m.verified = False
                m.account_state = AccountState.ACTIVE
                m.must_change_password = False
                m.password = self.password_hash
        positions = ["书记", "组织委员", "宣传委员"]
        for m, position in zip(members, positions, strict=False):
            is_admin = position == "书记" and (login_role is not None or admin or self.rng.random() < 0.85)
            self.cadre(b, position, person=m, admin=is_admin, login_role=login_role if position == "书记" else None)
        self.members_made += size
        return b

    # --- the province ------------------------------------------------------
    def build(self) -> Plan:
        self.members_made = 0
        root = self.org(None, Category.LEADING, "团中央", "共青团中央委员会")
        self.cadre(root, "书记", admin=True, login_role="团中央管理员")
        province = self.org(root, Category.LEADING, "团江苏省委", "共青团江苏省委员会")
        self.cadre(province, "书记", admin=True, login_role="团省委管理员")
        self.cadre(province, "副书记")
        cities = []
        for i, city in enumerate(CITIES):
            c = self.org(province, Category.LEADING, f"团{city}市委", f"共青团{city}市委员会")
            self.committee_cadres(c, login_role="团市委管理员" if i == 0 else None, with_admin=1)
            cities.append(c)

        universities = []
        for i, (uni, _) in enumerate(UNIVERSITIES):
            u = self.org(province, Category.PRIMARY, f"{uni}团委", f"共青团{uni}委员会")
            self.committee_cadres(u, login_role="高校团委管理员" if i == 0 else None)
            universities.append(u)

        # Fixed skeleton first (so the demo logins always exist), then grow until the member target.
        first_uni, (_, colleges) = universities[0], UNIVERSITIES[0]
        college = self.find_or_make(first_uni, Category.PRIMARY, f"{colleges[0][0]}团委", login_role="分团委管理员")
        general = self.find_or_make(
            college, Category.GENERAL, f"{colleges[0][1][0]}2017级团总支", login_role="团总支管理员"
        )
        self.branch(general, f"{colleges[0][1][0]}2017级3班团支部", born_year=1999, size=32, login_role="团支部管理员")
        plain = self.plan.people[-1]
        # Its sister classes, each with an admin: the demo's 对标定级 round shows one in every state (demo.rating).
        for n in (1, 2, 4, 5):
            self.branch(general, f"{colleges[0][1][0]}2017级{n}班团支部", born_year=1999, size=26, admin=True)
        plain.account_state = AccountState.INITIAL
        plain.verified, plain.must_change_password, plain.password = True, True, "!"
        self.plan.logins.append(
            DemoLogin("团员（初始密码，首次登录须改密码）", "", plain.name, plain.id_number, plain.id_number[-8:])
        )
        new_branch = self.org(first_uni, Category.BRANCH, "研究生会团支部")  # an empty direct branch
        new_branch.founded_on = TODAY - dt.timedelta(days=60)  # too young for 对标定级 (SPEC-2 DJ1)

        rounds = 0
        while self.members_made < self.target_members:
            rounds += 1
            if rounds % 3:
                self.grow_university(universities[rounds % len(universities)], rounds)
            else:
                self.grow_city(cities[rounds % len(cities)], rounds)
        return self.plan

    def grow_university(self, uni: Org, rounds: int) -> None:
        name = uni.short_name.removesuffix("团委")
        colleges = dict(next(c for n, c in UNIVERSITIES if n == name))
        college_name = self.rng.choice(list(colleges))
        college = self.find_or_make(uni, Category.PRIMARY, f"{college_name}团委")
        year = 2019 + (rounds // 7) % 6
        major = self.rng.choice(colleges[college_name])
        general = self.find_or_make(college, Category.GENERAL, f"{major}{year}级团总支")
        n = self.child_counts.get(general.path, 0) + 1
        self.branch(general, f"{major}{year}级{n}班团支部", born_year=year - 18)

    def grow_city(self, city: Org, rounds: int) -> None:
        if self.rng.random() < 0.5:
            ent = self.find_or_make(
                city, Category.PRIMARY, f"{city.short_name[1:-2]}{self.rng.choice(ENTERPRISES)}团委"
            )
            n = self.child_counts.get(ent.path, 0)
            self.branch(
                ent,
                f"{WORKSHOPS[n % len(WORKSHOPS)]}{n // len(WORKSHOPS) or ''}团支部",
                born_year=self.rng.randint(1992, 2000),
            )
        else:
            street = self.find_or_make(city, Category.WORKING, f"{self.rng.choice(STREETS)}团工委")
            n = self.child_counts.get(street.path, 0)
            self.branch(
                street,
                f"{COMMUNITIES[n % len(COMMUNITIES)]}{n // len(COMMUNITIES) or ''}团支部",
                born_year=self.rng.randint(1995, 2005),
            )

    def find_or_make(self, parent: Org, category: str, short_name: str, login_role: str | None = None) -> Org:
        key = (parent.path, short_name)
        cache = self.__dict__.setdefault("_by_name", {})
        if key not in cache:
            cache[key] = self.org(parent, category, short_name)
            self.committee_cadres(cache[key], login_role=login_role)
        return cache[key]


BATCH = 2000


@transaction.atomic
def write(plan: Plan) -> None:
    """Insert the plan level by level, then people, posts and admins, all in bulk."""
    for depth in sorted(plan.orgs_by_depth):
        level = plan.orgs_by_depth[depth]
        for org in level:
            org.parent_id = org._demo_parent.id if org._demo_parent else None
        Org.objects.bulk_create(level, batch_size=BATCH)
    for p in plan.people:
        p.branch_id = p.branch.id if p.branch else None
        p.sync_derived_fields()
    Person.objects.bulk_create(plan.people, batch_size=BATCH)
    Cadre.objects.bulk_create(
        [Cadre(person_id=p.id, org_id=o.id, position=pos) for p, o, pos in plan.cadres], batch_size=BATCH
    )
    slots: dict[int, int] = {}
    posts = []
    for p, o in plan.admins:
        slots[o.id] = slots.get(o.id, 0) + 1
        posts.append(OrgAdmin(person_id=p.id, org_id=o.id, slot=slots[o.id]))
    OrgAdmin.objects.bulk_create(posts, batch_size=BATCH)
    secretaries = []
    for org, person in plan.secretaries:
        if org.phone:  # orgs that filled in their information name their secretary too
            org.secretary_id = person.id
            secretaries.append(org)
    Org.objects.bulk_update(secretaries, ["secretary"], batch_size=BATCH)
    stats_recount(fix=True)  # progress figures (进度监督), in bulk


def build_and_write(*, seed: int, members: int, branch_size: tuple[int, int] = MEMBERS_PER_BRANCH) -> Plan:
    plan = DemoBuilder(seed=seed, members=members, branch_size=branch_size).build()
    write(plan)
    return plan
