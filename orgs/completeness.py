"""When an organisation's information is complete (SPEC O1, S1), in one place."""

from .models import Org
from .rules import Category

FIELD_LABELS = {
    "category": "组织类别",
    "short_name": "组织简称",
    "full_name": "组织全称",
    "industry": "单位所属行业类别",
    "phone": "团组织联系电话",
    "email": "团组织电子邮箱",
    "admin_quota": "本级团组织行政编制数",
    "admin_staffed": "行政编制实际配备数",
    "inst_quota": "本级团组织事业编制数",
    "inst_staffed": "事业编制实际配备数",
    "secretary": "团组织书记",
    "secretary_registered": "书记已注册账号",
    "secretary_mobile": "书记手机号码",
}
BASE = ("category", "short_name", "full_name")
QUOTAS = ("admin_quota", "admin_staffed", "inst_quota", "inst_staffed")
SECRETARY = ("secretary",)

REQUIRED_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    Category.LEADING: BASE + ("phone", "email") + QUOTAS + SECRETARY,
    Category.PRIMARY: BASE + ("industry",) + QUOTAS + SECRETARY,
    Category.WORKING: BASE + ("industry",) + QUOTAS + SECRETARY,
    Category.GENERAL: BASE + ("industry",) + QUOTAS + SECRETARY,
    Category.BRANCH: BASE + ("industry",) + SECRETARY,
    Category.PENDING: (),
}


def required_fields(org: Org) -> tuple[str, ...]:
    return REQUIRED_BY_CATEGORY.get(org.category, BASE)


def missing_fields(org: Org) -> list[str]:
    """O1 fields still empty, then S1's secretary conditions. Empty is not 0 (O3)."""
    missing = []
    for field in required_fields(org):
        if field == "secretary":
            continue
        value = getattr(org, field)
        if value is None or value == "":
            missing.append(field)
    if "secretary" in required_fields(org):
        secretary = org.secretary
        if secretary is None:
            missing.append("secretary")
        else:
            if not secretary.registered:
                missing.append("secretary_registered")
            if not secretary.mobile:
                missing.append("secretary_mobile")
    return missing


def is_complete(org: Org) -> bool:
    return not missing_fields(org)
