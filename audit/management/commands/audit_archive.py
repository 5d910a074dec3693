"""Retention of the audit trail: archive the events older than a cut-off, and optionally remove them.

    manage.py audit_archive --before 2020-01-01 --out /backup/audit-before-2020.jsonl [--purge]

Writes every event before the date (local time) as one JSON object per line: id, time, actor id and
name, verb, target, organisation, changes, outcome, client address and request id. Personal data in
the trail is already masked. With --purge the archived events are then deleted, in the same
transaction as lifting and restoring the append-only triggers (audit.append_only), which needs the
database account that owns the table: on PostgreSQL the migration/owner role, not the application's.
Keep the archive file for as long as the retention policy says (SECURITY.md §3).
"""

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from audit import append_only
from audit.models import AuditEvent


class Command(BaseCommand):
    help = "Archive audit events before a date to a JSON Lines file; --purge then removes them (table owner only)."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="cut-off date, YYYY-MM-DD (events before it)")
        parser.add_argument("--out", required=True, help="archive file to write (must not exist)")
        parser.add_argument("--purge", action="store_true", help="delete the archived events afterwards")

    def handle(self, *args, before: str, out: str, purge: bool, **options):
        try:
            cutoff = timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(before), dt.time()))
        except ValueError:
            raise CommandError(f"--before 应为日期 YYYY-MM-DD，收到 {before!r}") from None
        path = Path(out)
        if path.exists():
            raise CommandError(f"{path} 已存在；请指定新的归档文件。")
        events = AuditEvent.objects.filter(at__lt=cutoff).select_related("actor", "org").order_by("id")
        with transaction.atomic():
            last_id, count = 0, 0
            with path.open("x", encoding="utf-8") as f:
                for e in events.iterator(chunk_size=2000):
                    f.write(json.dumps(_row(e), ensure_ascii=False) + "\n")
                    last_id, count = e.id, count + 1
            if purge and count:
                append_only.remove(connection)
                AuditEvent.objects.filter(at__lt=cutoff, id__lte=last_id)._raw_delete(connection.alias)
                append_only.install(connection)
        done = "已归档并删除" if purge else "已归档"
        self.stdout.write(f"{done} {count} 条 {before} 之前的操作记录：{path}")


def _row(e: AuditEvent) -> dict:
    return {
        "id": e.id,
        "at": e.at.isoformat(),
        "actor_id": e.actor_id,
        "actor": e.actor.name if e.actor else None,
        "verb": e.verb,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "target_label": e.target_label,
        "org_id": e.org_id,
        "org": e.org.full_name if e.org else None,
        "changes": e.changes,
        "outcome": e.outcome,
        "ip": e.ip,
        "request_id": e.request_id,
    }
