"""团员教育评议 from Excel (SPEC-2 EV4: entry by a template with drop-downs as well as on the page), on the import
framework (imports.importer).

The template lists the branch's members for the round's year, each under their 人员编号 (the person_id of the
page and the API; ID numbers masked, as every reader sees them), with what is entered so far. A row is checked
by evaluation.services.Entry.check, the check of evaluation_save, so the file and the page refuse an item for the
same reasons in the same words; the confirmed file is written by evaluation_save itself.

All rows or none: an evaluation is one record, saved whole by the page (a bad item changes nothing), so a file
with any failed row writes nothing, unlike the member import, which enters its valid rows. The whole sheet is one
chunk of the framework, decided and applied in one transaction. The 优秀 limit (EV3) is shown on each 优秀 row
of the preview; it is enforced when the result is submitted, as on the page.
"""

from __future__ import annotations

from django.utils import timezone

from core.exceptions import Conflict, DomainError
from core.normalize import clean_code, clean_text
from excel.readers import Column
from excel.report import RowResult, Status
from excel.workbooks import TemplateSpec
from imports.importer import Checked, Importer, Run, Sheet, Unique, Words
from orgs.models import Org
from people import queries

from . import rules, services
from .models import Level

KIND = "evaluation_import"
TITLE = "团员教育评议录入模板"
SHEET = "团员教育评议"
MAX_ROWS = 2000  # one chunk: all rows or none
YES, NO = "是", "否"
COLUMNS = (
    Column("person_id", "人员编号（请勿修改）", width=14),
    Column("name", "姓名", width=12),
    Column("id_number", "身份证号码", required=False, width=24),
    Column("participates", "是否参评", width=10),
    Column("excluded_reason", "不参评原因", required=False, width=24),
    Column("level", "评议等次", width=12),
    Column("self_assessment", "自我评价", required=False, width=40),
    Column("votes", "得票情况", required=False, width=16),
)
HELD_BACK = "本行无误，但表中第{rows}行有错误：评议结果整表录入，请更正后重新上传，届时一并录入。"


def year_of(branch: Org) -> int:
    """The year the import enters: the covering round open today (the latest, if several), else the latest
    covering round, else this calendar year (the check then says no round is open)."""
    today = timezone.localdate()
    rounds = rules.rounds_covering(branch).order_by("-year")
    current = rounds.filter(starts_on__lte=today, ends_on__gte=today).first() or rounds.first()
    return current.year if current else today.year


def require_year(branch: Org, year: int) -> None:
    """The API names the year: only the current round's is imported (the page imports into it alone)."""
    current = year_of(branch)
    if year != current:
        raise Conflict(f"只能按模板录入当前评议年度（{current}年度）的团员教育评议。", code="not_current_year")


# Template


def _cells(row: services.Row) -> list:
    item = row.item
    return [
        row.person.pk, row.person.name, queries.masked_numbers(row.person).id_number,
        YES if row.participates else NO, row.excluded_reason, (item.proposed_level if item else "") or "",
        item.self_assessment if item else "", item.votes if item else "",
    ]  # fmt: skip


def template(branch: Org) -> TemplateSpec:
    year = year_of(branch)
    view = services.evaluation_view(branch=branch, year=year)
    levels = "、".join(Level.values)
    return TemplateSpec(
        title=TITLE, sheet=SHEET, columns=COLUMNS, max_rows=MAX_ROWS,
        choices={"participates": [YES, NO], "level": Level.values},
        rows=[_cells(r) for r in view.rows if r.person.branch_id == branch.pk],
        instructions=[
            f"1. 本表列出“{branch.full_name}”的全部团员，用于录入{year}年度团员教育评议。每行一人，"
            "不要修改、删除或移动第1行表头，也不要修改人员编号和姓名（系统按人员编号找到本支部的团员，并核对姓名）。",
            f"2. 是否参评：从下拉列表中选择“{YES}”或“{NO}”。不参评的须填写不参评原因（如长期病假、出国）。"
            "按规定不参加评议的团员（如保留团籍的中共党员、入团不满规定月数的）已填好“否”和原因，请不要修改。",
            f"3. 评议等次：参评的团员从下拉列表中选择（{levels}）；不参评的留空。",
            "4. 优秀不超过参评人数的30%（向下取整）：检查结果中列出导入后的优秀人数和上限，提交评议结果时再次检查。",
            "5. 自我评价、得票情况可选填；留空的单元格会清空系统中已填的内容。与系统中相同的行跳过。",
            "6. 评议会议的日期、应到和实到人数请在评议页面填写。",
            "7. 上传后先逐行检查，确认后才录入。表中有任何错误的行时整表都不录入，请按提示更正后重新上传。"
            "评议结果提交上级审核后、审核认证后都不能再按模板录入。",
        ],
    )  # fmt: skip


# Check, decide, apply


def check(row, run: Run) -> Checked:
    """One row's cells as the item evaluation_save takes; the item itself is checked against the branch in decide."""
    person_id = clean_code(row.values["person_id"])
    participates = clean_code(row.values["participates"])
    values = {"person_id": person_id, "name": clean_text(row.values["name"]), "participates": participates,
              "level": clean_code(row.values["level"]), "excluded_reason": clean_text(row.values["excluded_reason"])}  # fmt: skip
    checked = Checked(result=RowResult(row=row.number, status=Status.WILL_CREATE, values=values, cells=row.cells))
    run.state.setdefault("rows", []).append(checked)  # all rows or none: decide looks at every row
    if not person_id.isdigit():
        checked.fail(f"人员编号“{person_id}”无效：请不要修改表中的人员编号（新团员请先在系统中录入，再重新下载模板）。")
        return checked
    if participates not in ("", YES, NO):
        checked.fail(f"是否参评“{participates}”无效：请从下拉列表中选择“{YES}”或“{NO}”。")
        return checked
    item = {"person_id": int(person_id), "proposed_level": values["level"]}
    if participates:
        item["participates"] = participates == YES
        item["excluded_reason"] = values["excluded_reason"]
    for key in ("self_assessment", "votes"):
        if run.has_column(key):
            item[key] = row.values[key]
    checked.clean, checked.key = item, person_id
    return checked


def _state(participates: bool, reason: str, level: str) -> str:
    if not participates:
        return f"不参评（{reason}）"
    return level or "参评（未评等次）"


def decide(run: Run, rows: list[Checked]) -> None:
    """Each row through evaluation.services.Entry.check; then all rows or none, and the 优秀 count on 优秀 rows."""
    branch = run.target
    try:
        entry = services.evaluation_entry(branch=branch, year=year_of(branch), levels=True)
    except DomainError as e:
        for r in rows:
            r.fail(e.message)
        return
    run.state["year"] = entry.view.year
    after = {}  # person_id -> (participates, level) once the file is in: the 优秀 count
    for row in entry.view.rows:
        after[row.person.pk] = (row.participates, row.item.proposed_level if row.item else "")
    for r in rows:
        row = entry.rows.get(r.clean["person_id"])
        if row is not None and row.person.name != r.result.values["name"]:
            r.fail(f"人员编号{row.person.pk}是{row.person.name}，与本行姓名“{r.result.values['name']}”不一致："
                   "请不要修改表中的人员编号和姓名。")  # fmt: skip
            continue
        try:
            row, fields = entry.check(r.clean)
        except DomainError as e:
            r.fail(e.message)
            continue
        _decide_row(r, row, fields, after)
    _all_or_none(run, rows)
    _excellent_note(rows, after)


def _decide_row(r: Checked, row: services.Row, fields: dict, after: dict) -> None:
    item = row.item
    current = {"participates": row.participates, "excluded_reason": row.excluded_reason,
               "proposed_level": item.proposed_level if item else "", "self_assessment": item.self_assessment if item else "",
               "votes": item.votes if item else ""}  # fmt: skip
    if all(current[k] == v for k, v in fields.items()):
        r.skip("与系统中相同，跳过。")
        return
    new = {**current, **fields}
    after[row.person.pk] = (new["participates"], new["proposed_level"])
    before_state = _state(current["participates"], current["excluded_reason"], current["proposed_level"])
    state = _state(new["participates"], new["excluded_reason"], new["proposed_level"])
    if item is None:
        r.result.message = f"将录入：{state}"
    elif state != before_state:
        r.change(f"将变更：{before_state}→{state}")
    else:
        texts = [
            label for key, label in (("self_assessment", "自我评价"), ("votes", "得票情况")) if current[key] != new[key]
        ]
        r.change(f"将变更：{'、'.join(texts)}")


def _all_or_none(run: Run, rows: list[Checked]) -> None:
    failed = [c.result.row for c in run.state["rows"] if c.result.failed]
    if not failed:
        return
    shown = "、".join(str(n) for n in failed[:5]) + ("等" if len(failed) > 5 else "")
    for r in rows:
        if r.pending:
            r.fail(HELD_BACK.format(rows=shown))


def _excellent_note(rows: list[Checked], after: dict) -> None:
    """EV3 in the preview: the 优秀 count after the import against floor(30 % of the participants)."""
    participants = sum(1 for taking_part, _ in after.values() if taking_part)
    excellent = sum(1 for taking_part, level in after.values() if taking_part and level == Level.EXCELLENT)
    limit = rules.excellent_limit(participants)
    note = f"（导入后参评{participants}人、优秀{excellent}人，优秀上限{limit}人"
    note += "，超过上限，提交评议结果前请调整）" if excellent > limit else "）"
    for r in rows:
        if r.pending and after[r.clean["person_id"]][1] == Level.EXCELLENT:
            r.result.message += note


def apply(run: Run, rows: list[Checked]) -> None:
    """The whole sheet through evaluation_save, the page's service: it checks every item again and writes them."""
    if not rows:
        return
    try:
        services.evaluation_save(branch=run.target, actor=run.actor, year=run.state["year"],
                                 items=[r.clean for r in rows])  # fmt: skip
    except DomainError as e:
        for r in rows:
            r.fail(e.message)
        return
    for r in rows:
        message = r.result.message.replace("将", "已", 1)
        if r.changing:
            r.changed(message)
        else:
            r.done(message)


IMPORTER = Importer(
    kind=KIND, sheet=Sheet(TITLE, SHEET, COLUMNS, MAX_ROWS), template=template, require=services.require_entry,
    check=check, decide=decide, apply=apply, chunk=MAX_ROWS, lock_target=True, background=False,
    applies=rules.is_evaluated, not_here=services.NOT_EVALUATED,
    unique=(Unique("person_id", "与第{row}行是同一人（人员编号{value}），每人只填写一行。请删除重复的行。"),),
    words=Words(
        "录入", "人", "未变化跳过", "团员教育评议导入结果",
        (("name", "姓名"), ("participates", "是否参评"), ("level", "评议等次"), ("excluded_reason", "不参评原因")),
        "evaluation:evaluation_import", "evaluation:import",
    ),
)  # fmt: skip
