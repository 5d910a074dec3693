"""The audit trail as a person reads it: Chinese field names and values, not internal keys (issue 14, item 8).

`changes` is stored as the services wrote it (keys like "industry", values like ["", "P"]); pages turn each
entry into "单位所属行业类别：（空）→ P 教育". Labels come from the target model's own verbose names, looked up
through the app registry (so audit imports no higher app), and from the trail's own keys below. A higher app
that stores codes registers how to show them (`register_value`), e.g. orgs the industry names.
"""

from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

# Keys the services write that are not model fields.
KEYS = {
    "person": "人员", "position": "团内职务", "count": "人数", "where": "查看位置", "reason": "原因",
    "note": "说明", "opinion": "意见", "from": "原组织", "to": "新组织", "left": "离开", "order": "排序",
    "filled": "补充的信息", "moved_members": "移入待接转团支部的团员", "ended_posts": "结束的职务",
    "admins": "管理员", "cadres": "团干部", "secretary": "团组织书记", "secretary_offered": "书记任职确认已发给",
    "by": "确认人", "status": "回应状态", "reasons": "原因", "error": "错误代码", "message": "说明",
    "action": "操作", "kind": "类型", "rows": "行数", "created": "新建", "skipped": "跳过", "failed": "失败",
    "full_name": "组织全称", "category": "组织类别", "id_number": "身份证号码", "mobile": "手机号码",
    "process_id": "流程编号", "job_id": "导入任务",
}  # fmt: skip
# Keys whose value is a list of names, never an old → new pair.
LISTS = {"admins", "cadres", "reasons", "filled"}
# Internal bookkeeping nobody needs to read (the materialised path of the tree).
HIDDEN = {"path", "depth", "numchild"}
# Models whose field names may appear in changes, by AuditEvent.target_type (model_name).
MODELS = {"org": "orgs.Org", "person": "people.Person", "cadre": "people.Cadre"}

_VALUES: dict[str, Callable[[object], str]] = {}


def register_value(key: str, show: Callable[[object], str]) -> None:
    _VALUES[key] = show


def label(key: str, target_type: str = "") -> str:
    if key in KEYS:
        return KEYS[key]
    for model_label in ([MODELS[target_type]] if target_type in MODELS else []) + list(MODELS.values()):
        try:
            return str(apps.get_model(model_label)._meta.get_field(key).verbose_name)
        except (LookupError, FieldDoesNotExist):
            continue
    return key


def value(key: str, raw) -> str:
    if raw is None or raw == "":
        return "（空）"
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, dict):
        return "；".join(f"{label(k)}：{value(k, v)}" for k, v in raw.items() if k not in HIDDEN)
    if isinstance(raw, list):
        return "、".join(value(key, v) for v in raw) or "（空）"
    if key in _VALUES:
        return _VALUES[key](raw)
    return str(raw)


def describe(event) -> list[str]:
    """One line per entry of the event's changes: label, then the value or old → new."""
    lines = []
    for key, raw in (event.changes or {}).items():
        if key in HIDDEN:
            continue
        pair = isinstance(raw, list) and len(raw) == 2 and not any(isinstance(v, (dict, list)) for v in raw)
        if pair and key not in LISTS:
            shown = f"{value(key, raw[0])} → {value(key, raw[1])}"  # a field changed from → to (audit.services.diff)
        else:
            shown = value(key, raw)
        lines.append(f"{label(key, event.target_type)}：{shown}")
    return lines
