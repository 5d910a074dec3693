"""Searchable pickers (issue 14, item 4): one results fragment and one view helper for every picker.

A picker is a search box whose matches come a page at a time from an endpoint (htmx, no JavaScript
build). What was chosen stays chosen: a search or page request carries the chosen ids (the checked
inputs of the results, hx-include), and every answer shows them first, checked, above the page of
matches, so a new search never drops a choice; a page shown again after a refusal does the same
with the ids the form posted.

The callers scope: `search(query)` is a service of orgs or people that returns only what the actor
may see (orgs.pick, people.pick), and the chosen ids are looked up through the same `search("")`,
so an id typed into a URL never shows anything outside it. This module only pages and renders
(templates/partials/picker.html, the widget; templates/partials/picker_results.html, the fragment).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.shortcuts import render

from core.normalize import clean_text

FIELD = re.compile(r"^[a-z][a-z_]{0,39}$")
MAX_CHOSEN = 200
MAX_PAGE = 1000


@dataclass(frozen=True)
class Choice:
    """One result as the picker shows it: `label` bold, `detail` beside it (a 全称, a masked ID number)."""

    id: int
    label: str
    detail: str = ""
    tag: str = ""


@dataclass
class Picker:
    field: str  # the form field the choice posts as
    label: str
    url: str  # the search endpoint, with its own parameters (scope, kind)
    multiple: bool = False
    limit: int = 0  # multiple: at most this many (the 已选 n/limit counter)
    autosubmit: bool = False  # choosing submits the form (a GET form that switches the page's subject)
    placeholder: str = "输入名称中的几个字搜索"
    empty: str = "没有符合条件的结果，请换个关键词。"
    min_chars: int = 0  # a search of fewer characters lists nothing (a nationwide search wants two)
    q: str = ""
    page: int = 1
    chosen: list[Choice] = field(default_factory=list)
    items: list[Choice] = field(default_factory=list)
    has_next: bool = False

    @property
    def dom_id(self) -> str:
        return "pick-" + self.field.replace("_", "-")

    @property
    def over_limit(self) -> bool:
        return bool(self.limit) and len(self.chosen) > self.limit


def _ints(values: Iterable) -> list[int]:
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue
    return list(dict.fromkeys(out))[:MAX_CHOSEN]


def _page(value) -> int:
    try:
        return min(max(int(value), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def build(
    picker: Picker,
    *,
    search: Callable[[str], QuerySet],
    to_choice: Callable[[object], Choice],
    chosen_ids: Iterable = (),
    q: str = "",
    page=1,
    per_page: int = 20,
) -> Picker:
    """Fill `picker` with the chosen records (looked up through `search`) and one page of matches."""
    ids = _ints(chosen_ids)
    picker.q = clean_text(q)[:50]
    picker.page = _page(page)
    if not picker.multiple:
        ids = ids[:1]
    by_id = {o.pk: o for o in search("").filter(pk__in=ids)} if ids else {}
    picker.chosen = [to_choice(by_id[i]) for i in ids if i in by_id]
    if len(picker.q) < picker.min_chars or (picker.chosen and not picker.multiple and not picker.q):
        picker.items, picker.has_next = [], False  # a single choice made: matches again once one searches
        return picker
    start = (picker.page - 1) * per_page
    rows = list(search(picker.q).exclude(pk__in=list(by_id))[start : start + per_page + 1])
    picker.has_next = len(rows) > per_page
    picker.items = [to_choice(o) for o in rows[:per_page]]
    return picker


def results(request, *, url: str, search, to_choice, per_page: int = 20, empty: str = "", min_chars: int = 0):
    """The endpoint's answer: the fragment for the widget's field, query and page (htmx GET)."""
    name = request.GET.get("field", "")
    if not FIELD.match(name):
        name = "choice"
    picker = Picker(
        field=name, label="", url=url, multiple=request.GET.get("multi") == "1",
        limit=_page(request.GET.get("limit")) if request.GET.get("limit") else 0,
        autosubmit=request.GET.get("auto") == "1", min_chars=min_chars,
    )  # fmt: skip
    if empty:
        picker.empty = empty
    build(picker, search=search, to_choice=to_choice, chosen_ids=request.GET.getlist(name),
          q=request.GET.get("q", ""), page=request.GET.get("page"), per_page=per_page)  # fmt: skip
    return render(request, "partials/picker_results.html", {"p": picker})
