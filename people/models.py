"""People: every member and cadre is a Person, and a Person is also the login user.

One table for both keeps a 74-million-row population to one row each. ID
numbers and mobiles are stored encrypted with a keyed hash for look-up
(core.pii); birth date and gender are derived from the ID number and kept in
plain columns because rules and statistics need them.
"""

import datetime as dt

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from core import pii
from core.models import TimeStampedModel
from core.validators import parse_id_number

from .choices import Gender, LeagueStatus, PoliticalStatus

# Fields a person must have for their record to count as entered (SPEC P10, S4).
REQUIRED_FOR_COMPLETE = (
    "name",
    "id_number",
    "ethnicity",
    "political_status",
    "league_join_date",
    "education",
    "occupation",
    "mobile",
)


def derived_fields(values: dict) -> dict:
    """The fields that follow from a person's others: the canonical ID number, its keyed hash, birth date and
    gender, the mobile's keyed hash and `complete`. `values` holds at least the fields of REQUIRED_FOR_COMPLETE.

    Person.sync_derived_fields (every save) and the member import's bulk insert, which builds no Person, both
    use this."""
    parsed = parse_id_number(values["id_number"])
    mobile = values["mobile"]
    return {
        "id_number": parsed.value,
        "id_hash": pii.keyed_hash(parsed.value),
        "birth_date": parsed.birth_date,
        "gender": parsed.gender,
        "mobile_hash": pii.keyed_hash(mobile) if mobile else "",
        "complete": all(values[f] for f in REQUIRED_FOR_COMPLETE),
    }


class PersonManager(BaseUserManager):
    def get_by_natural_key(self, username):
        return self.get(id_hash=username)

    def by_id_number(self, id_number: str):
        return self.filter(id_hash=pii.keyed_hash(id_number))


class AccountState(models.TextChoices):
    NONE = "none", "未开通"
    INITIAL = "initial", "初始密码"  # password = last 8 characters of the ID number (P7)
    ACTIVE = "active", "已注册"


class Person(AbstractBaseUser, TimeStampedModel):
    name = models.CharField("姓名", max_length=50)
    id_number = pii.EncryptedTextField("身份证号码")
    id_hash = models.CharField("身份证号码检索值", max_length=64, unique=True, editable=False)
    birth_date = models.DateField("出生日期")
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    political_status = models.CharField("政治面貌", max_length=10, choices=PoliticalStatus.choices, blank=True)
    league_join_date = models.DateField("入团年月", null=True, blank=True)
    education = models.CharField("学历", max_length=20, blank=True)
    occupation = models.CharField("职业", max_length=20, blank=True)
    mobile = pii.EncryptedTextField("手机号码", blank=True)
    mobile_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    email = models.EmailField("电子邮箱", blank=True)
    development_number = models.CharField("发展团员编号", max_length=12, null=True, blank=True, unique=True)
    party_applied_on = models.DateField("递交入党申请书年月", null=True, blank=True)

    # Membership of exactly one branch (P2); cadre posts live in Cadre.
    branch = models.ForeignKey(
        "orgs.Org",
        verbose_name="所在团支部",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    # Where a person without a branch was entered or registered (their first cadre post's
    # organisation): its direct superior is responsible for their record (P8, issue 12).
    home_org = models.ForeignKey(
        "orgs.Org",
        verbose_name="登记组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # 团籍状态 (SPEC-2 ST). A member who left has no branch (so no figure counts them, ST3) and keeps the branch
    # they left in `left_org` (the 离团团员 lists); their record is read-only (people.services.require_in_league).
    # `pending_status` mirrors an open 团籍状态变更 or 恢复团籍 (standing), so person answers need no join.
    league_status = models.CharField(
        "团籍状态", max_length=10, choices=LeagueStatus.choices, default=LeagueStatus.NORMAL
    )
    pending_status = models.CharField("待审核团籍状态", max_length=10, choices=LeagueStatus.choices, blank=True)
    left_org = models.ForeignKey(
        "orgs.Org",
        verbose_name="离团时所在团支部",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="left_members",
    )
    verified = models.BooleanField("已认证", default=True)
    complete = models.BooleanField("信息完整", default=False, editable=False)

    account_state = models.CharField("账号状态", max_length=10, choices=AccountState.choices, default=AccountState.NONE)
    must_change_password = models.BooleanField("需修改密码", default=False)
    registered_at = models.DateTimeField("注册时间", null=True, blank=True)
    is_active = models.BooleanField("可登录", default=True)
    is_staff = models.BooleanField("平台运维人员", default=False)
    is_superuser = models.BooleanField("超级管理员", default=False)

    objects = PersonManager()

    USERNAME_FIELD = "id_hash"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        indexes = [
            models.Index(fields=["branch", "complete"], name="people_branch_complete"),
            models.Index(fields=["name"], name="people_name"),
            models.Index(fields=["league_status", "birth_date"], name="people_status_birth"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sync_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {
                "id_hash",
                "birth_date",
                "gender",
                "mobile_hash",
                "complete",
            }
        super().save(*args, **kwargs)

    def sync_derived_fields(self) -> None:
        """Recompute what follows from other fields (derived_fields)."""
        for name, value in derived_fields({f: getattr(self, f) for f in REQUIRED_FOR_COMPLETE}).items():
            setattr(self, name, value)

    def missing_fields(self) -> list[str]:
        return [f for f in REQUIRED_FOR_COMPLETE if not getattr(self, f)]

    @property
    def id_number_masked(self) -> str:
        return pii.mask_id_number(self.id_number)

    @property
    def mobile_masked(self) -> str:
        return pii.mask_mobile(self.mobile)

    @property
    def has_left(self) -> bool:
        return self.league_status != LeagueStatus.NORMAL

    @property
    def registered(self) -> bool:
        return self.account_state == AccountState.ACTIVE

    @property
    def is_operator(self) -> bool:
        return self.is_superuser

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    # Django admin asks these; operators (superusers) may do everything there.
    def has_perm(self, perm, obj=None) -> bool:
        return self.is_active and self.is_superuser

    def has_module_perms(self, app_label) -> bool:
        return self.is_active and self.is_superuser

    def activate_account(self, raw_password: str) -> None:
        self.set_password(raw_password)
        self.account_state = AccountState.ACTIVE
        self.must_change_password = False
        self.registered_at = self.registered_at or timezone.now()


class Cadre(TimeStampedModel):
    """A position a person holds in one organisation (P2, P3). Many per person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cadre_posts")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="cadres")
    position = models.CharField("团内职务", max_length=20)

    class Meta:
        verbose_name = "团干部职务"
        verbose_name_plural = "团干部职务"
        constraints = [
            models.UniqueConstraint(fields=["person", "org"], name="people_cadre_one_post_per_org"),
        ]

    def __str__(self):
        return f"{self.person} · {self.position}"


class PostOfferStatus(models.TextChoices):
    PENDING = "待确认", "待确认"
    ACCEPTED = "已确认", "已确认"
    DECLINED = "已拒绝", "已拒绝"
    WITHDRAWN = "已撤回", "已撤回"
    TERMINATED = "系统终止", "系统终止"


class PostOffer(TimeStampedModel):
    """A cadre post offered to a person already on record by an organisation that does not hold their record.

    Linking someone by name and ID number alone proves nothing (issue 12), so the
    post starts only when the person accepts it, or the organisation responsible
    for their record (people.access.responsible_org) confirms it. Until then the
    offering organisation sees only the name and the masked ID number it typed.

    The offer is the domain record of a 任职确认 process of the approval engine (SPEC-2 W1–W6): its
    steps are its timeline (who offered, who accepted, declined or withdrew it, when); `status`
    mirrors the process for the lists that read it.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="post_offers")
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="post_offers")
    position = models.CharField("团内职务", max_length=20)
    secretary = models.BooleanField("登记为团组织书记", default=False)
    status = models.CharField("状态", max_length=10, choices=PostOfferStatus.choices, default=PostOfferStatus.PENDING)
    offered_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    process = models.OneToOneField("workflow.Process", on_delete=models.PROTECT, related_name="post_offer")

    class Meta:
        verbose_name = "待确认任职"
        verbose_name_plural = "待确认任职"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "org"], condition=models.Q(status="待确认"), name="people_one_open_offer_per_org"
            ),
        ]
        indexes = [models.Index(fields=["status", "org"], name="people_offer_status_org")]

    def __str__(self):
        return f"{self.person} · {self.position} ({self.status})"
