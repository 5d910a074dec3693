"""Background exports (issue 14, item 3): the admin's handle on one export written by a worker, and its file.

The finished workbook is kept in the database (ExportChunk rows of at most CHUNK_BYTES each), so any web
node can serve it to its creator, and only until `expires_at`; the scheduled job `exports_purge` deletes
it afterwards. `params` holds what the kind needs to write it again (the full export's reason), never an
ID number.
"""

from django.conf import settings
from django.db import models

from core.models import BackgroundJob


class ExportJob(BackgroundJob):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.CASCADE, related_name="export_jobs"
    )
    params = models.JSONField("参数", default=dict, blank=True)
    done = models.PositiveIntegerField("已写入行数", default=0)
    total = models.PositiveIntegerField("预计行数", default=0)
    filename = models.CharField("文件名", max_length=200, blank=True)
    size = models.PositiveBigIntegerField("文件大小", default=0)
    expires_at = models.DateTimeField("文件保留至", null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        indexes = [models.Index(fields=["created_by", "-created_at"], name="exports_job_by_creator")]

    def __str__(self):
        return f"{self.kind} #{self.pk} {self.status}"

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
