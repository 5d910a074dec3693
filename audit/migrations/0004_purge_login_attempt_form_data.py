"""Issue 12, item 2: empty the form data django-axes stored with failed logins (it held full ID numbers).

From now on audit.login_attempts keeps those columns empty; this removes what was stored before.
"""

from django.db import migrations


def purge(apps, schema_editor):
    AccessAttempt = apps.get_model("axes", "AccessAttempt")
    AccessAttempt.objects.using(schema_editor.connection.alias).exclude(get_data="", post_data="").update(
        get_data="", post_data=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_event_outcome_address_request"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(purge, migrations.RunPython.noop, elidable=False)]
