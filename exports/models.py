"""Background exports (issue 14, item 3): the admin's handle on one export written by a worker, and its file.

The finished workbook is kept in the database (ExportChunk rows of at most CHUNK_BYTES each), so any web
node can serve it to its creator, and only until `expires_at`; the scheduled job `exports_purge` deletes
it afterwards. `params` holds what the kind needs to write it again (the full export's reason), never an
ID number.
"""

from django.conf import settings
from django.db import models

from core.models import TimeStampedModel


class ExportJob(TimeStampedModel):
    class Status(models.TextChoices):
        QUEUED = "排队中", "排队中"
        RUNNING = "进行中", "进行中"
        DONE = "已完成", "已完成"
        FAILED = "失败", "失败"

    kind = models.CharField("类型", max_length=40)
    org = models.ForeignKey(
        "orgs.Org", verbose_name="组织", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.CASCADE, related_name="export_jobs"
    )
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField("已写入行数", default=0)
    total = models.PositiveIntegerField("预计行数", default=0)
    filename = models.CharField("文件名", max_length=200, blank=True)
    size = models.PositiveBigIntegerField("文件大小", default=0)
    error = models.TextField("错误", blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("文件保留至", null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        indexes = [models.Index(fields=["created_by", "-created_at"], name="exports_job_by_creator")]

    def __str__(self):
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(self.done * 100 / self.total)) if self.total else 0


class ExportChunk(models.Model):
    """One piece of a finished export's file, in order of `seq`."""

    job = models.ForeignKey(ExportJob, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        verbose_name = "导出文件分段"
        verbose_name_plural = "导出文件分段"
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="exports_chunk_job_seq")]
