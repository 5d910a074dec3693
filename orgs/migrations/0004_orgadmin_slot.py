from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_registration_codes_admin_changes")]

    operations = [
        migrations.AddField(
            model_name="orgadmin",
            name="slot",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="管理员席位"),
        ),
    ]
