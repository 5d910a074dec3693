from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class ProcessRecord(TimeStampedModel):
    """The domain record of an approval process (workflow.Process, SPEC-2 W): who, what, where, why. The process
    holds the steps and the timeline; `status` mirrors where it stands, in the module's words, for the lists.
    A module names its open statuses (`OPEN`) and maps its process's closing status to its own (`FINAL`)."""

    OPEN: tuple = ()
    FINAL: dict = {}

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def timeline(self):
        """Its process's closed steps, from one status to the next (prefetch `process__steps__actor`)."""
        return self.process.entries(self.FINAL) if self.process_id else []


class BackgroundJob(TimeStampedModel):
    """What every job a background worker runs for an admin has (imports.ImportJob, exports.ExportJob): its kind,
    the organisation it is for, where it stands, and when it finished or why it failed. The job pages read it."""

    class Status(models.TextChoices):
        QUEUED = "排队中", "排队中"
        RUNNING = "进行中", "进行中"
        DONE = "已完成", "已完成"
        FAILED = "失败", "失败"

    kind = models.CharField("类型", max_length=40)
    org = models.ForeignKey(
        "orgs.Org", verbose_name="组织", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField("错误", blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ScheduledRun(models.Model):
    """When a scheduled job last started: claimed with one conditional UPDATE, so however many
    background workers run, one of them runs the job per interval (core.scheduler)."""

    name = models.CharField(max_length=50, primary_key=True)
    last_started_at = models.DateTimeField()

    class Meta:
        verbose_name = "定时任务运行记录"
        verbose_name_plural = "定时任务运行记录"

    def __str__(self):
        return f"{self.name} @ {self.last_started_at:%Y-%m-%d %H:%M:%S}"
