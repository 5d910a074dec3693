"""Background imports (SPEC T6, P6; API.md "Imports of any size may run in the background").

An ImportJob is the admin's handle on one import running in a worker: the
progress page and `GET /api/v1/imports/{job_id}` read it. The uploaded file
stays in the database (StoredUpload) under `file_token` for a day; the report holds counts and row outcomes, never full ID numbers.
"""

from django.conf import settings
from django.db import models

from core.models import BackgroundJob

from .kinds import LABELS


class ImportJob(BackgroundJob):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.CASCADE, related_name="import_jobs"
    )
    dry_run = models.BooleanField("仅检查", default=False)
    done = models.PositiveIntegerField("已处理行数", default=0)
    total = models.PositiveIntegerField("总行数", default=0)
    report = models.JSONField("结果", default=dict, blank=True)
    file_token = models.CharField("上传文件", max_length=64, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        indexes = [models.Index(fields=["created_by", "-created_at"], name="imports_job_by_creator")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} {self.status}"

    def get_kind_display(self) -> str:
        return LABELS.get(self.kind, self.kind)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class StoredUpload(models.Model):
    """An uploaded import file (or a result workbook) kept for a day, under a random token.

    In the database rather than on a disk because every app server and every worker
    reaches the database: a preview on one server is confirmed on another, and a
    background import runs on whichever worker claims it (issue 15, item 3). Files are
    at most excel.readers.MAX_UPLOAD_BYTES (10 MB), refused before they are stored.
    """

    token = models.CharField("令牌", max_length=64, unique=True)
    data = models.BinaryField("文件内容")
    created_at = models.DateTimeField("上传时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "上传的导入文件"
        verbose_name_plural = "上传的导入文件"

    def __str__(self):
        return f"upload {self.pk}"
