"""The organisation tree (SPEC T1–T3) and who administers it (C5).

A materialised path (django-treebeard MP_Node): a subtree is one
`path__startswith` query, the ancestor chain is the set of path prefixes.
An explicit `parent` column (kept in step by the services) makes "direct
subordinates" an indexed equality and carries the sibling-name constraint.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from treebeard.mp_tree import MP_Node

from core.models import ProcessRecord, TimeStampedModel

from .rules import BranchKind, Category

MAX_ADMINS = 3  # SPEC C5


class Org(MP_Node, TimeStampedModel):
    steplen = 4

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children_set")
    category = models.CharField("组织类别", max_length=10, choices=Category.choices)
    short_name = models.CharField("组织简称", max_length=50)
    full_name = models.CharField("组织全称", max_length=200)
    sort_order = models.IntegerField("排序", default=0)

    # Organisation information (SPEC O1); blank until its admin fills it in.
    industry = models.CharField("单位所属行业类别", max_length=10, blank=True)
    phone = models.CharField("团组织联系电话", max_length=30, blank=True)
    email = models.EmailField("团组织电子邮箱", blank=True)
    admin_quota = models.PositiveIntegerField("本级团组织行政编制数", null=True, blank=True)
    admin_staffed = models.PositiveIntegerField("行政编制实际配备数", null=True, blank=True)
    inst_quota = models.PositiveIntegerField("本级团组织事业编制数", null=True, blank=True)
    inst_staffed = models.PositiveIntegerField("事业编制实际配备数", null=True, blank=True)
    # SPEC-2 DJ1/DJ3: when it was founded (confirmed by its 对标定级 self-rating; until then its creation on the
    # platform stands in) and whether it is a 临时团支部 or 流动团员团支部, which are not rated.
    founded_on = models.DateField("成立时间", null=True, blank=True)
    # db_default: rows written by code that predates the column (older data migrations) get "" too.
    branch_kind = models.CharField("团支部类型", max_length=10, choices=BranchKind.choices, blank=True, db_default="")
    secretary = models.ForeignKey(
        "people.Person",
        verbose_name="团组织书记",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "团组织"
        verbose_name_plural = "团组织"
        constraints = [
            models.UniqueConstraint(fields=["parent", "short_name"], name="orgs_unique_sibling_name"),
            # U2: one 待接转团支部 per organisation.
            models.UniqueConstraint(
                fields=["parent"], condition=Q(category="待接转团支部"), name="orgs_one_pending_branch"
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "sort_order"], name="orgs_children_order"),
            models.Index(fields=["full_name"], name="orgs_full_name"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def level(self) -> int:
        return self.depth

    @property
    def is_branch(self) -> bool:
        """A leaf holding members: a 团支部, the 待接转团支部 (U2) or a 毕业生团组织 (SPEC-2 GR2)."""
        return self.category in (Category.BRANCH, Category.PENDING, Category.GRADUATED)

    @property
    def founded(self):
        """成立时间: the confirmed date, else the day it was created on the platform (API.md `founded_on`)."""
        return self.founded_on or timezone.localdate(self.created_at)

    @property
    def is_pending(self) -> bool:
        """The system's 待接转团支部 (U2): it holds a deleted branch's members until they are transferred out."""
        return self.category == Category.PENDING

    @classmethod
    def subtree_q(cls, path: str, prefix: str = "") -> Q:
        """The node at `path` and all below it, as an index range on `path`.

        A range rather than LIKE 'path%': it uses the path index on SQLite and
        on PostgreSQL whatever the database's collation is.
        """
        upper = path + cls.alphabet[-1] * (cls._meta.get_field("path").max_length - len(path))
        return Q(**{f"{prefix}path__gte": path, f"{prefix}path__lte": upper})

    def subtree(self):
        return Org.objects.filter(Org.subtree_q(self.path))

    def ancestors(self):
        return Org.objects.filter(path__in=self.ancestor_paths()).order_by("path")

    def children(self):
        return Org.objects.filter(parent=self).order_by("sort_order", "path")

    def ancestor_paths(self) -> list[str]:
        """Paths of every ancestor, root first: the chain is one `path__in` query."""
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]

    def lineage_paths(self) -> list[str]:
        """Its superiors' paths and its own, root first: what covers it (a yearly round, the figures' chain)."""
        return [*self.ancestor_paths(), self.path]

    def is_descendant_of_path(self, path: str) -> bool:
        return self.path.startswith(path) and self.path != path


class OrgAdmin(TimeStampedModel):
    """A person who administers an organisation (管理员). At most three (C5)."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="admins")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="admin_posts")
    # One of MAX_ADMINS numbered places: the database itself refuses a fourth admin,
    # whatever happens to the service's row lock.
    slot = models.PositiveSmallIntegerField("管理员席位")

    class Meta:
        verbose_name = "管理员"
        verbose_name_plural = "管理员"
        constraints = [
            models.UniqueConstraint(fields=["org", "person"], name="orgs_admin_unique"),
            models.UniqueConstraint(fields=["org", "slot"], name="orgs_admin_unique_slot"),
            models.CheckConstraint(
                condition=models.Q(slot__gte=1, slot__lte=MAX_ADMINS), name="orgs_admin_at_most_three"
            ),
        ]

    def __str__(self):
        return f"{self.org} · {self.person}"


class RegistrationCode(models.Model):
    """管理员注册码 (SPEC C1, C2). Only a keyed hash of the code is stored."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="registration_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField("有效期至")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    used_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    replaced_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        verbose_name = "管理员注册码"
        verbose_name_plural = "管理员注册码"
        indexes = [models.Index(fields=["org", "-created_at"], name="orgs_code_latest")]

    def __str__(self):
        return f"注册码 {self.pk} · {self.org_id}"


class AdminChange(TimeStampedModel):
    """管理员变更 of an organisation's own admins, waiting for its direct superior (SPEC C6): the domain record
    (who, which organisation, add or revoke) of a 管理员变更 process."""

    class Action(models.TextChoices):
        ADD = "add", "添加管理员"
        REVOKE = "revoke", "撤销管理员"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "已驳回"
        WITHDRAWN = "withdrawn", "已撤回"
        TERMINATED = "ended", "系统终止"

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="admin_changes")
    # The approval (its status, steps and timeline) is this process of the engine (SPEC-2 W); `status` mirrors it.
    process = models.OneToOneField("workflow.Process", on_delete=models.PROTECT, related_name="admin_change")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "管理员变更申请"
        verbose_name_plural = "管理员变更申请"
        # One open request per organisation and person: the process's workflow_one_open_per_subject (W3).
        indexes = [models.Index(fields=["status", "org"], name="orgs_adminchange_open")]

    def __str__(self):
        return f"{self.get_action_display()}：{self.person}（{self.org}）"


class OrgMigration(ProcessRecord):
    """组织迁移 (SPEC U4): an organisation and its whole subtree move under a new superior.

    Applied for by the migrating organisation; its current superior releases it,
    then the new superior accepts it, and the subtree moves.
    """

    class Status(models.TextChoices):
        RELEASE = "待原上级审批", "待原上级审批"
        ACCEPT = "待新上级审批", "待新上级审批"
        DONE = "已完成", "已完成"
        REJECTED = "已驳回", "已驳回"
        WITHDRAWN = "已撤回", "已撤回"
        TERMINATED = "系统终止", "系统终止"

    OPEN = (Status.RELEASE, Status.ACCEPT)
    # Its process's closing status -> its own (an open one reads 待 + the open step: 待原上级审批, 待新上级审批).
    FINAL = {"已通过": Status.DONE, "未通过": Status.REJECTED, "已撤回": Status.WITHDRAWN,
             "已退回": Status.TERMINATED, "系统终止": Status.TERMINATED}  # fmt: skip

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="migrations")
    # The approval (its steps, who handles each, the timeline) is this process of the engine (SPEC-2 W);
    # `status` mirrors where it stands, for the lists.
    process = models.OneToOneField("workflow.Process", on_delete=models.PROTECT, related_name="org_migration")
    # Superiors may be deleted later (U2); the names stay as they were at application time.
    from_parent = models.ForeignKey(
        Org, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="原上级组织"
    )
    from_name = models.CharField("原上级组织全称", max_length=200)
    to_parent = models.ForeignKey(
        Org, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="新上级组织"
    )
    to_name = models.CharField("新上级组织全称", max_length=200)
    reason = models.CharField("迁移原因", max_length=200)
    status = models.CharField("处理状态", max_length=10, choices=Status.choices, default=Status.RELEASE)
    requested_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "组织迁移申请"
        verbose_name_plural = "组织迁移申请"
        # One open request per organisation: the process's workflow_one_open_per_subject (W3).
        indexes = [
            models.Index(fields=["status", "from_parent"], name="orgs_migration_release"),
            models.Index(fields=["status", "to_parent"], name="orgs_migration_accept"),
        ]

    def __str__(self):
        return f"{self.org} → {self.to_name}"
