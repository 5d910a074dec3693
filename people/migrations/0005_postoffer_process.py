import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_fill_home_org"),
        ("workflow", "0001_process_step_message"),
    ]

    operations = [
        migrations.AddField(
            model_name="postoffer",
            name="process",
            field=models.OneToOneField(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="post_offer",
                to="workflow.process",
            ),
        ),
        migrations.AlterField(
            model_name="postoffer",
            name="status",
            field=models.CharField(
                choices=[("待确认", "待确认"), ("已确认", "已确认"), ("已拒绝", "已拒绝"), ("已撤回", "已撤回"),
                         ("系统终止", "系统终止")],
                default="待确认", max_length=10, verbose_name="状态",
            ),
        ),
    ]
