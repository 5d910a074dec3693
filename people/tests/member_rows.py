"""Realistic member rows, generated in memory (for tests and `make bench`).

Cells come as Excel really holds them (SPEC P6): ID numbers as text (as
ints on request), mobiles as numbers or text,
入团年月 as text in several spellings, as a number (201709) or as a date,
some with full-width digits or stray spaces.
"""

import datetime as dt
import random

from core.validators import id_check_char
from imports.importers.members import COLUMNS

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯博晨阳欣怡梓涵子轩雨涵思远佳琪"
REGIONS = ["320102", "320104", "320105", "320106", "320111", "320113", "320114", "320115", "320116", "320205"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
HEADER = [c.header for c in COLUMNS]


def _id_number(rng: random.Random, used: set, *, numeric: bool) -> str | int:
    while True:
        birth = dt.date(rng.randint(1996, 2008), rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        value = first17 + id_check_char(first17)
        if value in used:
            continue
        if numeric and (value.endswith("X") or int(value) % 64):
            continue  # only numbers a float holds exactly can come back as numbers
        used.add(value)
        return int(value) if numeric else value


def member_rows(
    n: int, *, seed: int = 1, dev_base: int = 0, numeric_ids: bool = False, today: dt.date | None = None
) -> list[dict]:
    """`n` valid rows keyed like member_import.COLUMNS.

    `numeric_ids` gives every tenth ID number as an int, as a reader other
    than Excel may; in an .xlsx file an 18-digit number does not survive
    (Excel keeps 15 digits, and python-calamine parses long numbers inexactly).
    """
    rng = random.Random(seed)
    today = today or dt.date.today()
    used: set = set()
    rows = []
    for i in range(n):
        id_number = _id_number(rng, used, numeric=numeric_ids and i % 10 == 3)
        text = str(id_number)
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
        join = dt.date(birth.year + rng.randint(14, 17), rng.randint(1, 12), 1)
        if join > today.replace(day=1):
            join = dt.date(today.year - 1, 1, 1)
        if join.year - birth.year - (join.month < birth.month) < 14:
            join = dt.date(birth.year + 15, birth.month, 1)
        style = i % 6
        joined = [
            f"{join:%Y-%m}",
            f"{join.year}.{join.month:02d}",
            int(f"{join:%Y%m}"),
            join,
            f" {join.year}年{join.month}月 ",
            f"{join:%Y-%m}".translate(FULL_WIDTH),
        ][style]
        dev = f"{join.year}{dev_base + i:08d}" if join >= dt.date(2017, 1, 1) else ""
        rows.append(
            {
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 3 else ""),
                "id_number": id_number if style != 5 else f" {text[:6]} {text[6:]}".translate(FULL_WIDTH),
                "political_status": "团员" if i % 20 else "中共预备党员",
                "league_join_date": joined,
                "development_number": dev,
                "ethnicity": "汉族" if i % 11 else "回族",
                "education": "大学本科" if i % 4 else "高中",
                "occupation": "学生",
                "mobile": 13800000000 + rng.randint(0, 99999999) if i % 2 else f"139{rng.randint(0, 99999999):08d}",
                "email": "",
                # 副书记, not 书记: the branches these files go into already have their 书记 (one per branch)
                "position": ["副书记", "组织委员", "宣传委员"][i] if i < 3 else "",
                "party_applied_on": "",
            }
        )
    return rows


def as_table(rows: list[dict]) -> list[list]:
    """Header plus rows, as lists in COLUMNS order."""
    return [HEADER] + [[r.get(c.key, "") for c in COLUMNS] for r in rows]


def write_xlsx(rows: list[dict], *, sheet: str = "团员团干部") -> bytes:
    """A workbook like the template filled in (openpyxl write-only: about 1 s per 10,000 rows)."""
    import io

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for row in as_table(rows):
        ws.append([None if v == "" else v for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
