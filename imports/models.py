"""Background imports (SPEC T6, P6; API.md "Imports of any size may run in the background").

An ImportJob is the admin's handle on one import running in a worker: the
progress page and `GET /api/v1/imports/{job_id}` read it. The uploaded file
stays in the private upload directory under `file_token` until the job is
purged; the report holds counts and row outcomes, never full ID numbers.
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
