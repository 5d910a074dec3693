"""The audit trail is append-only in the database itself (issue 12, item 12).

Triggers on audit_auditevent refuse every UPDATE and DELETE (and, on PostgreSQL, TRUNCATE), whoever
issues them: the application, a bug, an injected query or a console session under the application's
database account. Nothing in the application updates or deletes events (people and organisations
deleted later leave their ids in the trail: the foreign keys have no database constraint).

Installed by migration audit 0005 on SQLite and PostgreSQL. The triggers bind the account that does
not own the table: on PostgreSQL run the application under a role that is not the owner of
audit_auditevent (migrations under the owner), so it can neither drop nor disable them. The owner
lifts them for two operator tasks only, each in one transaction that puts them back:
`manage.py audit_archive --purge` (retention) and `manage.py flush` (which wipes every table).

On SQLite a migration that rebuilds the table (most AlterField/RemoveField) drops its triggers:
such a migration must end with `migrations.RunPython(append_only.install, append_only.remove)`;
audit/tests/test_append_only.py fails until it does.
"""

TABLE = "audit_auditevent"
MESSAGE = "操作记录只能追加，不能修改或删除（audit_auditevent is append-only）"

SQL = {
    "sqlite": {
        "install": [
            f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        ],
        "remove": [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"],
    },
    "postgresql": {
        "install": [
            f"""CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}: %', TG_OP USING ERRCODE = 'insufficient_privilege';
            END
            $$""",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_update_delete ON {TABLE}",
            f"CREATE TRIGGER {TABLE}_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()",
        ],
        "remove": [
            f"DROP TRIGGER IF EXISTS {TABLE}_no_update_delete ON {TABLE}",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
            f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
        ],
    },
}


def _run(connection, step: str) -> None:
    statements = SQL.get(connection.vendor)
    if statements is None:
        raise NotImplementedError(f"no append-only triggers for {connection.vendor}; add them in audit/append_only.py")
    with connection.cursor() as cursor:
        for statement in statements[step]:
            cursor.execute(statement)


def install(apps_or_connection, schema_editor=None) -> None:
    """Create the triggers (idempotent). Usable as a RunPython operation or with a connection."""
    _run(schema_editor.connection if schema_editor else apps_or_connection, "install")


def remove(apps_or_connection, schema_editor=None) -> None:
    _run(schema_editor.connection if schema_editor else apps_or_connection, "remove")


def installed(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            return cursor.fetchone()[0] == 2
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled <> 'D'",
            [TABLE],
        )
        return cursor.fetchone()[0] == 2
