from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import DomainError
from orgs import leading_bodies


class Command(BaseCommand):
    help = "SPEC T4: 从 .xlsx 或 .csv 文件载入团的领导机关（列：上级组织全称、组织简称、组织全称、排序）。全部成功或全部不导入，可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        try:
            rows = leading_bodies.parse(leading_bodies.read_rows(file))
            created, existing = leading_bodies.load(rows)
        except DomainError as e:
            raise CommandError(e.message) from None
        self.stdout.write(self.style.SUCCESS(f"新建 {created} 个领导机关，{existing} 个已存在。"))
