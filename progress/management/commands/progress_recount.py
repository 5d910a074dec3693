import sys
import time

from django.core.management.base import BaseCommand

from progress.aggregates import stats_recount


class Command(BaseCommand):
    help = "从头重新统计全部组织的录入进度，并与已保存的统计比较；--fix 用重新统计的结果覆盖。"

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="以重新统计的结果修正已保存的统计")
        parser.add_argument("--show", type=int, default=50, help="最多列出多少处差异（默认 50）")

    def handle(self, *args, fix: bool, show: int, **options):
        started = time.monotonic()
        diffs = stats_recount(fix=fix)
        took = time.monotonic() - started
        for d in diffs[:show]:
            self.stdout.write(f"org {d['org_id']}  {d['field']}: 已保存 {d['stored']}，重新统计 {d['counted']}")
        if len(diffs) > show:
            self.stdout.write(f"……另有 {len(diffs) - show} 处差异")
        if not diffs:
            self.stdout.write(self.style.SUCCESS(f"统计与重新统计一致（用时 {took:.2f} 秒）。"))
        elif fix:
            self.stdout.write(self.style.WARNING(f"已修正 {len(diffs)} 处差异（用时 {took:.2f} 秒）。"))
        else:
            self.stderr.write(self.style.ERROR(f"发现 {len(diffs)} 处差异（用时 {took:.2f} 秒）；用 --fix 修正。"))
            sys.exit(1)
