"""Write the preset import mappings (舆情监测服务导出, 财务软件明细账, 网宣平台发布记录)."""

from django.db import migrations


def write_mappings(apps, schema_editor):
    from jixiao.ledgers.mappings import ensure_preset_mappings

    ensure_preset_mappings(
        apps.get_model("ledgers", "LedgerType"), apps.get_model("ledgers", "ImportMapping")
    )


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0002_presets")]

    operations = [migrations.RunPython(write_mappings, migrations.RunPython.noop)]
