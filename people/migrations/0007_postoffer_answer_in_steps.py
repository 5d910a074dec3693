import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_post_offers_to_processes"),
        ("workflow", "0001_process_step_message"),
    ]

    operations = [
        migrations.RemoveField(model_name="postoffer", name="decided_at"),
        migrations.RemoveField(model_name="postoffer", name="decided_by"),
        migrations.AlterField(
            model_name="postoffer",
            name="process",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT, related_name="post_offer", to="workflow.process"
            ),
        ),
    ]
