"""Write the preset ledger types (舆情, 网宣发布, 稿件报送 …) and their fields."""

from django.db import migrations


def write_presets(apps, schema_editor):
    from jixiao.ledgers.services import ensure_presets

    ensure_presets(
        apps.get_model("ledgers", "LedgerType"), apps.get_model("ledgers", "LedgerField")
    )


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0001_initial")]

    operations = [migrations.RunPython(write_presets, migrations.RunPython.noop)]
