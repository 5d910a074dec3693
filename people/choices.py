"""Coded values of personal records (SPEC P10), kept as data.

Templates' drop-downs, forms and API validation all read these lists.
"""

from django.db import models


class PoliticalStatus(models.TextChoices):
    LEAGUE_MEMBER = "团员", "团员"
    PARTY_PROBATIONARY = "中共预备党员", "中共预备党员"
    PARTY_MEMBER = "中共党员", "中共党员"


class LeagueStatus(models.TextChoices):
    """团籍状态 (SPEC-2 ST1): 正常, or how the member left; changed only by an approved 团籍状态变更."""

    NORMAL = "正常", "正常"
    OVERAGE = "超龄离团", "超龄离团"
    RESIGNED = "自愿退团", "自愿退团"
    LAPSED = "自行脱团", "自行脱团"
    EXPELLED = "开除团籍", "开除团籍"


class Gender(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
    "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族", "穿青人", "其他", "外国血统中国籍人士",
]  # fmt: skip

EDUCATIONS = [
    "初中", "高中", "中等职业教育", "大学专科", "大学本科", "硕士研究生", "博士研究生", "小学及以下",
]  # fmt: skip

OCCUPATIONS = [
    "学生", "在职", "务农", "自由职业", "无业", "进城务工人员", "军人", "其他",
]  # fmt: skip

# 团内职务. Committees (团委/团工委/团总支) and branches use different titles.
COMMITTEE_POSITIONS = [
    "书记", "副书记", "常委", "委员", "挂职副书记", "兼职副书记", "专职团干部",
]  # fmt: skip
BRANCH_POSITIONS = [
    "书记", "副书记", "组织委员", "宣传委员", "文体委员", "学习委员", "生活委员", "委员",
]  # fmt: skip
ALL_POSITIONS = list(dict.fromkeys(COMMITTEE_POSITIONS + BRANCH_POSITIONS))
SECRETARY = "书记"
