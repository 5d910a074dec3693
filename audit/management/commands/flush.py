"""Django's flush (empty every table), which also empties the append-only audit trail.

flush is the operator's (and the test runner's) way to wipe the whole database; the audit table's
triggers would refuse it. This lifts them for the flush and puts them back in the same transaction,
so a failed or declined flush leaves them in place. Needs the database account that owns the table.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from audit import append_only


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias):
            append_only.remove(connection)
            super().handle(**options)
            append_only.install(connection)
