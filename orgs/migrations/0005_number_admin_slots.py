from django.db import migrations


def number_slots(apps, schema_editor):
    """Give existing admins places 1, 2, 3 per organisation, oldest first."""
    OrgAdmin = apps.get_model("orgs", "OrgAdmin")
    counters: dict[int, int] = {}
    for post in OrgAdmin.objects.order_by("org_id", "created_at", "id"):
        counters[post.org_id] = counters.get(post.org_id, 0) + 1
        post.slot = counters[post.org_id]
        post.save(update_fields=["slot"])


class Migration(migrations.Migration):
    dependencies = [("orgs", "0004_orgadmin_slot")]

    operations = [migrations.RunPython(number_slots, migrations.RunPython.noop)]
