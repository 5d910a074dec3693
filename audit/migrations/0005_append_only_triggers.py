"""Issue 12, item 12: the audit trail is append-only; triggers refuse UPDATE and DELETE (see audit.append_only)."""

from django.db import migrations

from audit import append_only


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_purge_login_attempt_form_data")]

    operations = [migrations.RunPython(append_only.install, append_only.remove, elidable=False)]
