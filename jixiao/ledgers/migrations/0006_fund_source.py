"""The expenditure preset gains 资金来源 (fund_source); the accounting mapping reads it."""

from django.db import migrations


def write_presets(apps, schema_editor):
    from jixiao.ledgers.mappings import ensure_preset_mappings
    from jixiao.ledgers.services import ensure_presets

    ensure_presets(
        apps.get_model("ledgers", "LedgerType"), apps.get_model("ledgers", "LedgerField")
    )
    ensure_preset_mappings(
        apps.get_model("ledgers", "LedgerType"), apps.get_model("ledgers", "ImportMapping")
    )


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0005_rules_sources")]

    operations = [migrations.RunPython(write_presets, migrations.RunPython.noop)]
