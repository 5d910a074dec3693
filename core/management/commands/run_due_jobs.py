from django.core.management.base import BaseCommand

from core.scheduler import run_due_jobs


class Command(BaseCommand):
    help = "运行到期的定时任务（如超期未处理的组织关系转接自动退回）；可由 cron 调用，重复运行无害。"

    def handle(self, *args, **options):
        result = run_due_jobs()
        self.stdout.write(self.style.SUCCESS(f"完成：{result}"))
