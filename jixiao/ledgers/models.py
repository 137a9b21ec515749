"""Ledgers (台账): the operational records indicators are counted from.

A ledger type is data, not code: its fields, choices and optional workflow are rows an
administrator can define. Every record is one ``LedgerEntry`` whose field values live in
``data`` (JSON, keyed by field code). What metrics scan in bulk is mirrored into typed,
indexed columns so that aggregation stays set-based and exact:

* ``date``: the value of the type's date field (the record's date for windows);
* ``amount_cents``: the type's money field in integer cents (exact sums on any database);
* ``state`` and ``state_dates``: the workflow state now, and the date each state was first
  reached (so "reached 处置 by 30 June" is a comparison in the same row, no join).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.targets.models import Project
from jixiao.units.models import Unit


class FieldKind(models.TextChoices):
    """The types a ledger field can have."""

    TEXT = "text", _("文本")
    LONGTEXT = "longtext", _("长文本")
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数")
    MONEY = "money", _("金额（元）")
    DATE = "date", _("日期")
    DATETIME = "datetime", _("日期时间")
    BOOLEAN = "boolean", _("是/否")
    CHOICE = "choice", _("单选")
    MULTICHOICE = "multichoice", _("多选")
    URL = "url", _("链接")


class LedgerType(models.Model):
    """A kind of record (舆情, 网宣发布, 支出 …) with its fields and optional workflow.

    ``unit`` empty means a preset shared by every unit; a unit may define its own types.
    ``workflow`` is ``{"states": [...], "initial": "监测", "transitions": [["监测", "预警"], …],
    "final": ["办结"], "overdue_field": "deadline"}`` or empty for records without states.
    """

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("预算单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ledger_types",
        help_text=_("留空表示所有单位共用的预置台账。"),
    )
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    description = models.TextField(_("说明"), blank=True)
    date_field = models.CharField(
        _("日期字段"),
        max_length=40,
        help_text=_("按此字段的日期确定记录属于哪一年、是否在统计期内。"),
    )
    amount_field = models.CharField(
        _("金额字段"), max_length=40, blank=True, help_text=_("求和统计使用的金额字段（可空）。")
    )
    natural_key = models.JSONField(
        _("唯一标识字段"),
        default=list,
        blank=True,
        help_text=_("这些字段的值相同即视为同一条记录（导入时用于去重）。"),
    )
    workflow = models.JSONField(_("流程"), default=dict, blank=True)
    rules = models.JSONField(
        _("一致性规则"),
        default=list,
        blank=True,
        help_text=_(
            "记录各字段之间必须满足的关系，如“到达处置的舆情应为应处置”；"
            "写法见 docs/ledgers.md，违反的记录不能保存。"
        ),
    )
    repeats = models.JSONField(
        _("重复判定字段"),
        default=list,
        blank=True,
        help_text=_(
            "字段组的列表：一组字段的值都相同的两条记录视为重复（如同一日期、金额和收款方），"
            "导入时先列出。"
        ),
    )
    has_project = models.BooleanField(_("可关联预算项目"), default=True)
    preset = models.BooleanField(_("预置"), default=False)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("台账类型")
        verbose_name_plural = _("台账类型")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "code"],
                name="ledgertype_unique_unit_code",
                condition=Q(unit__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["code"],
                name="ledgertype_unique_preset_code",
                condition=Q(unit__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def states(self) -> list[str]:
        """The workflow's states in order, empty without a workflow."""
        return list(self.workflow.get("states", [])) if self.workflow else []


class LedgerField(models.Model):
    """One typed field of a ledger type."""

    ledger_type = models.ForeignKey(
        LedgerType, verbose_name=_("台账类型"), on_delete=models.CASCADE, related_name="fields"
    )
    code = models.SlugField(_("代码"), max_length=40)
    label = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=12, choices=FieldKind.choices)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    required = models.BooleanField(_("必填"), default=False)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    help_text = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("台账字段")
        verbose_name_plural = _("台账字段")
        ordering = ["ledger_type_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ledger_type", "code"], name="ledgerfield_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_type} · {self.label}"

    def clean(self) -> None:
        if self.kind in (FieldKind.CHOICE, FieldKind.MULTICHOICE) and not self.choices:
            raise ValidationError(_("单选、多选字段必须填写选项。"))


class Origin(models.TextChoices):
    """Where a record came from."""

    TYPED = "typed", _("手工录入")
    IMPORT = "import", _("文件导入")
    API = "api", _("接口")


class ImportBatch(models.Model):
    """One import of a file into a unit's ledger: the source its records came from."""

    ledger_type = models.ForeignKey(
        LedgerType, verbose_name=_("台账类型"), on_delete=models.CASCADE, related_name="batches"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("预算单位"), on_delete=models.CASCADE, related_name="import_batches"
    )
    origin = models.CharField(
        _("来源"), max_length=10, choices=Origin.choices, default=Origin.IMPORT
    )
    name = models.CharField(_("文件名"), max_length=200)
    mapping = models.CharField(_("导入映射"), max_length=60, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    at = models.DateTimeField(_("导入时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{timezone.localtime(self.at):%Y-%m-%d %H:%M}）"


class LedgerEntry(models.Model):
    """One record of a ledger."""

    ledger_type = models.ForeignKey(
        LedgerType, verbose_name=_("台账类型"), on_delete=models.PROTECT, related_name="entries"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("预算单位"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("预算项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    date = models.DateField(_("日期"), null=True, blank=True)
    amount_cents = models.BigIntegerField(_("金额（分）"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=20, blank=True)
    state_dates = models.JSONField(_("各状态到达日期"), default=dict, blank=True)
    data = models.JSONField(_("内容"), default=dict)
    natural_key = models.CharField(_("唯一标识"), max_length=400, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    origin = models.CharField(
        _("来源"), max_length=10, choices=Origin.choices, default=Origin.TYPED
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    # No lost work: an edit names the version it was read at (jixiao.audit.versions).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")
        ordering = ["-date", "-id"]
        indexes = [
            # Metrics scan one unit's (or a province's) records of a year by date.
            models.Index(fields=["unit", "date"], name="ledgerentry_unit_date"),
            models.Index(fields=["ledger_type", "unit", "date"], name="ledgerentry_type_unit_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger_type", "unit", "natural_key"],
                condition=~Q(natural_key=""),
                name="ledgerentry_unique_natural_key",
            ),
        ]

    def __str__(self) -> str:
        title = self.data.get("title") or self.data.get("summary") or ""
        return f"{self.ledger_type} {self.date or ''} {title}".strip()

    def value(self, code: str) -> Any:
        """A field's stored value (JSON form: ISO dates, decimal strings)."""
        return self.data.get(code)

    @property
    def source_text(self) -> str:
        """Where the record came from, as people read it: 手工录入, or the file and when."""
        if self.batch_id is not None:
            return f"{self.get_origin_display()}：{self.batch}"
        return str(self.get_origin_display())


class LedgerTransition(models.Model):
    """A workflow step of a record: from which state to which, when, by whom, with a note."""

    entry = models.ForeignKey(
        LedgerEntry,
        verbose_name=_("台账记录"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20)
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("操作时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        ordering = ["entry_id", "on", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state}（{self.on}）"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.entry.unit_id}/{instance.entry_id}/{filename}"


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    """Attachments, of which a removed one is kept (file and row) until restored."""

    def kept(self) -> AttachmentQuerySet:
        """The attachments a record lists: not removed."""
        return self.filter(removed_at__isnull=True)

    def removed(self) -> AttachmentQuerySet:
        """The removed attachments, which can be restored."""
        return self.filter(removed_at__isnull=False)


class Attachment(models.Model):
    """A file attached to a record (a report, a screenshot, a voucher scan).

    Removing one keeps its row and its file (evidence is never lost silently): the record
    stops listing it, and ``services.restore_attachment`` brings it back.
    """

    entry = models.ForeignKey(
        LedgerEntry,
        verbose_name=_("台账记录"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("删除人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["entry_id", "uploaded_at"]

    def __str__(self) -> str:
        return self.name


class ImportMapping(models.Model):
    """A saved column mapping for importing a vendor's or a system's export into a ledger.

    ``columns`` maps a source column header to a field code (or to ``project``/``state``);
    ``values`` maps, per field, source values to the ledger's choices (e.g. 敏感 -> 较大);
    ``header_row`` is the 1-based row holding the headers (vendor files put a title above).
    """

    ledger_type = models.ForeignKey(
        LedgerType, verbose_name=_("台账类型"), on_delete=models.CASCADE, related_name="mappings"
    )
    name = models.CharField(_("名称"), max_length=60)
    header_row = models.PositiveSmallIntegerField(_("表头所在行"), default=1)
    columns = models.JSONField(_("列对应"), default=dict)
    values = models.JSONField(_("值对应"), default=dict, blank=True)
    preset = models.BooleanField(_("预置"), default=False)
    # The unit whose person saved it (its people may change it); empty for the presets.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("预算单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="import_mappings",
    )

    class Meta:
        verbose_name = _("导入映射")
        verbose_name_plural = _("导入映射")
        ordering = ["ledger_type_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger_type", "name"], name="importmapping_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_type} · {self.name}"
