from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orgs", "0005_number_admin_slots")]

    operations = [
        migrations.AlterField(
            model_name="orgadmin",
            name="slot",
            field=models.PositiveSmallIntegerField(verbose_name="管理员席位"),
        ),
        migrations.AddConstraint(
            model_name="orgadmin",
            constraint=models.UniqueConstraint(fields=("org", "slot"), name="orgs_admin_unique_slot"),
        ),
        migrations.AddConstraint(
            model_name="orgadmin",
            constraint=models.CheckConstraint(
                condition=models.Q(("slot__gte", 1), ("slot__lte", 3)), name="orgs_admin_at_most_three"
            ),
        ),
    ]
