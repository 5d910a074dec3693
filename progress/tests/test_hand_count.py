"""Issue 6 done-when: the progress page, the API and the export agree with a hand count on the demo data.

The hand count reads the rows straight from the tables and applies SPEC S1–S4 as written here, without
progress.aggregates or progress.standards, so a slip in either shows up as a difference:

S1  an organisation's information is complete when its O1 fields are filled (by category) and its
    secretary has registered (an activated account) and has a mobile number;
S2  a committee (团的领导机关, 基层团委, 团工委, 团总支: leading bodies enter their own cadres like any
    团委, see progress/standards.py) has completed cadre entry with at least 2 complete cadres;
S3  a 团支部 has completed member entry with at least 3 complete members or cadres, each person once;
S4  a person is complete when the P10 required fields are filled, verified or not.
待接转团支部 are not organisations in the totals; their members are members.
"""

import re
from collections import defaultdict
from io import BytesIO

import pytest
from openpyxl import load_workbook

from demo.generator import build_and_write
from orgs.models import Org, OrgAdmin
from people.models import Cadre, Person
from progress.aggregates import stats_recount

FIELDS = ("orgs", "orgs_complete", "cadre_orgs", "cadre_orgs_complete", "branches", "branches_complete",
          "members", "members_complete")  # fmt: skip
VIEW_PCTS = {"orgs": ("orgs",), "cadres": ("cadre_orgs",), "members": ("branches", "members")}
PCTS = ("orgs", "cadre_orgs", "branches", "members")

# O1, by category; "secretary" means a named secretary with a name and ID number (mobile checked by S1).
QUOTAS = ("admin_quota", "admin_staffed", "inst_quota", "inst_staffed")
O1 = {
    "团的领导机关": ("category", "short_name", "full_name", "phone", "email", *QUOTAS, "secretary"),
    "基层团委": ("category", "short_name", "full_name", "industry", *QUOTAS, "secretary"),
    "团工委": ("category", "short_name", "full_name", "industry", *QUOTAS, "secretary"),
    "团总支": ("category", "short_name", "full_name", "industry", *QUOTAS, "secretary"),
    "团支部": ("category", "short_name", "full_name", "industry", "secretary"),
}
COMMITTEES = {"团的领导机关", "基层团委", "团工委", "团总支"}
P10_REQUIRED = ("name", "id_number", "ethnicity", "political_status", "league_join_date", "education",
                "occupation", "mobile")  # fmt: skip


def filled(value) -> bool:
    return value is not None and value != ""  # O3: 0 is a value, empty is not


def hand_count() -> dict[str, dict]:
    """{org path: own figures} from the rows themselves."""
    people = {p.pk: p for p in Person.objects.all()}
    complete = {pk for pk, p in people.items() if all(filled(getattr(p, f)) for f in P10_REQUIRED)}
    cadres_of = defaultdict(set)
    for person_id, org_id in Cadre.objects.values_list("person_id", "org_id"):
        cadres_of[org_id].add(person_id)
    members_of = defaultdict(set)
    for pk, p in people.items():
        if p.branch_id is not None:
            members_of[p.branch_id].add(pk)
    own = {}
    for org in Org.objects.all():
        counted = org.category != "待接转团支部"
        info = False
        if counted:
            secretary = people.get(org.secretary_id)
            info = (
                all(filled(getattr(org, f)) for f in O1[org.category] if f != "secretary")
                and secretary is not None
                and secretary.account_state == "active"
                and filled(secretary.mobile)
            )
        committee = org.category in COMMITTEES
        branch = org.category == "团支部"
        entered = (members_of[org.pk] | cadres_of[org.pk]) & complete
        own[org.path] = {
            "orgs": int(counted),
            "orgs_complete": int(info),
            "cadre_orgs": int(committee),
            "cadre_orgs_complete": int(committee and len(cadres_of[org.pk] & complete) >= 2),
            "branches": int(branch),
            "branches_complete": int(branch and len(entered) >= 3),
            "members": len(members_of[org.pk]),
            "members_complete": len(members_of[org.pk] & complete),
        }
    return own


def subtree_totals(own: dict[str, dict], path: str) -> dict:
    totals = dict.fromkeys(FIELDS, 0)
    for p, figures in own.items():
        if p.startswith(path):
            for f in FIELDS:
                totals[f] += figures[f]
    return totals


def pct(done: int, total: int) -> float | None:
    return round(100 * done / total, 1) if total else None


def expected_table(own, org: Org) -> dict[str, dict]:
    """{short name, or "合计（含本级）" for the organisation itself: totals} as the table should show them."""
    table = {c.short_name: subtree_totals(own, c.path) for c in Org.objects.filter(parent=org)}
    table["合计（含本级）"] = subtree_totals(own, org.path)
    return table


def page_table(html: str) -> dict[str, list[str]]:
    body = html[html.index("<tbody>") : html.rindex("</tbody>")]
    rows = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        rows[cells[0]] = cells[1:-1]  # the figures, without the name and the 查看 links
    return rows


def shown_pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


@pytest.fixture
def demo(db):
    build_and_write(seed=5, members=600)
    province = Org.objects.get(short_name="团江苏省委")
    university = Org.objects.get(short_name="南京医科大学团委")
    admin = OrgAdmin.objects.filter(org=province).select_related("person").first().person
    return province, university, admin


def test_page_api_and_export_show_the_hand_count(demo, client, api_login):
    province, university, admin = demo
    assert stats_recount() == []
    own = hand_count()
    assert sum(f["members"] for f in own.values()) >= 600
    client.force_login(admin)
    api = api_login(admin, password="Demo@2026")
    for org in (province, university):
        expected = expected_table(own, org)
        assert len(expected) > 3 and expected["合计（含本级）"]["members"] > 0
        assert any(0 < e["branches_complete"] < e["branches"] for e in expected.values())  # the data is not trivial
        assert any(0 < e["orgs_complete"] < e["orgs"] for e in expected.values())

        # The API: every row, every figure.
        body = api.get(f"/api/v1/orgs/{org.id}/progress").json()
        assert {r["short_name"]: {f: r[f] for f in FIELDS} for r in body["rows"]} == {
            k: v for k, v in expected.items() if k != "合计（含本级）"
        }
        assert {f: body["self"][f] for f in FIELDS} == expected["合计（含本级）"]

        # The page, each of its three views: the figures and the percentages of its own kind (issue 14, item 6).
        for kind, bases in VIEW_PCTS.items():
            shown = page_table(client.get(f"/progress/orgs/{org.id}/{kind}/").content.decode())
            assert set(shown) == set(expected)
            for name, e in expected.items():
                want = []
                for base in bases:
                    want += [str(e[base]), str(e[f"{base}_complete"]), shown_pct(pct(e[f"{base}_complete"], e[base]))]
                assert shown[name] == want, name

        # The export, from the page and from the API: the same cells.
        for response in (
            client.get(f"/progress/orgs/{org.id}/orgs.xlsx"),
            api.get(f"/api/v1/orgs/{org.id}/progress.xlsx"),
        ):
            assert response.status_code == 200
            ws = load_workbook(BytesIO(response.content)).active
            sheet = {r[0]: list(r[1:]) for r in ws.iter_rows(min_row=3, values_only=True)}
            assert set(sheet) == set(expected)
            for name, e in expected.items():
                want = []
                for base in PCTS:
                    want += [e[base], e[f"{base}_complete"], pct(e[f"{base}_complete"], e[base])]
                assert sheet[name] == want, name
    assert stats_recount() == []
