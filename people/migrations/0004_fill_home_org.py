"""Every person without a branch gets the organisation of their first cadre post as 登记组织 (issue 12)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    Cadre = apps.get_model("people", "Cadre")
    first_post = Cadre.objects.filter(person=OuterRef("pk")).order_by("id").values("org_id")[:1]
    Person.objects.filter(branch__isnull=True, home_org__isnull=True).update(home_org=Subquery(first_post))


class Migration(migrations.Migration):
    dependencies = [("people", "0003_person_home_org_post_offers")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
