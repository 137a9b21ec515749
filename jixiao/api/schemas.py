"""What the API reads and answers, as ninja (pydantic) schemas.

Money, rates and every other Decimal travel as strings ("1234.50"), never as JSON numbers,
so no client reads a float; dates are ISO (2021-06-30).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    """An error: a Chinese sentence, and the details by field or row where there are some."""

    detail: str
    errors: list[dict[str, Any]] = []


class MeOut(Schema):
    """Who the request acts as."""

    username: str
    name: str
    organisation: str
    role: str
    via: str


class UnitOut(Schema):
    """A budget unit in the person's reach."""

    id: int
    code: str | None
    name: str
    key: str = Field(description="How the API's paths name the unit: its code, else its name")
    parent: str | None = Field(description="The key of the unit above it, if any")
    bureau: str | None = Field(description="The finance bureau that reviews it")


class ParsedTargetOut(Schema):
    """A target as the parser read it (the same parser as the import and the pages)."""

    kind: str = Field(description="quantitative | qualitative | deadline | not_applicable")
    op: str | None
    value: str | None = Field(description="A decimal string, or an ISO date for deadlines")
    unit: str | None


class IndicatorOut(Schema):
    """One row of a project's indicator table."""

    id: int
    position: int
    level1: str
    level2: str
    level3: str
    description: str
    target: str = Field(description="The target as written (指标值)")
    parsed: ParsedTargetOut
    basis: str
    weight: str | None


class ProjectOut(Schema):
    """A budget project of a unit and year, with its indicators."""

    id: int
    unit: str
    year: int
    code: str | None
    name: str
    money_unit: str
    budget_total: str | None
    budget_fiscal: str | None
    budget_other: str | None
    fund_use: str
    goal: str
    indicators: list[IndicatorOut]


class FieldOut(Schema):
    """A field of a ledger type."""

    code: str
    label: str
    kind: str
    choices: list[str]
    required: bool
    help_text: str


class LedgerTypeOut(Schema):
    """A kind of ledger (舆情, 支出 …) and its fields, workflow and natural key."""

    code: str
    name: str
    description: str
    unit: str | None = Field(description="The unit's own type, or null for a preset")
    date_field: str
    amount_field: str
    natural_key: list[str]
    has_project: bool
    states: list[str]
    initial_state: str | None
    transitions: list[list[str]]
    final_states: list[str]
    fields: list[FieldOut]


class ProjectRef(Schema):
    """A record's project."""

    id: int
    code: str | None
    name: str


class RecordOut(Schema):
    """A ledger record."""

    id: int
    type: str
    unit: str
    project: ProjectRef | None
    date: dt.date | None
    amount: str | None = Field(description="The amount field's value in 元, if the type has one")
    state: str
    state_dates: dict[str, str]
    values: dict[str, Any] = Field(description="Field code -> stored value (decimals as strings)")
    origin: str
    version: int = Field(description="Send it back with an update or a transition")
    created_at: dt.datetime
    updated_at: dt.datetime


class RecordPage(Schema):
    """A page of records."""

    count: int
    page: int
    page_size: int
    pages: int
    items: list[RecordOut]


# Ids are database keys: bounded so that a hostile number is a 400, never a database error.
Id = Annotated[int, Field(ge=1, le=10**18)]
Version = Annotated[int, Field(ge=1, le=2**31)]
ProjectKey = Id | Annotated[str, Field(max_length=200)]


class RecordIn(Schema):
    """A new record."""

    unit: str = Field(description="The unit's key (its budget code)")
    type: str = Field(description="The ledger type's code, e.g. opinion, expenditure")
    project: ProjectKey | None = Field(
        None, description="The project's id, or its code (or name) in the year of the record"
    )
    values: dict[str, Any] = Field(description="Field code -> value, as on the record's form")


class RecordUpdate(Schema):
    """New values of a record (its state is moved by a transition). ``project`` left out
    keeps the record's project; null unlinks it."""

    values: dict[str, Any]
    project: ProjectKey | None = None
    version: Version | None = Field(
        None, description="The version read; a record changed since is refused with 409"
    )


class TransitionIn(Schema):
    """A workflow step."""

    to_state: str
    on: dt.date | None = Field(None, description="The day of the step (default today)")
    note: str = Field("", max_length=2000)
    values: dict[str, Any] | None = Field(
        None, description="Fields that belong to the step (研判报告 with 研判)"
    )
    version: Version | None = None


class TransitionOut(Schema):
    """The step done, and the record as it now is."""

    from_state: str
    to_state: str
    on: dt.date
    record: RecordOut


class BulkRow(Schema):
    """One record of a bulk import."""

    values: dict[str, Any]
    project: ProjectKey | None = None
    state: str | None = Field(None, description="The state it is in (default the initial one)")
    state_dates: dict[str, str] | None = Field(None, description="State -> ISO date reached")


class BulkIn(Schema):
    """Records of one ledger type of one unit, written all or none."""

    unit: str
    type: str
    records: list[BulkRow]
    overlap: Literal["ask", "add", "replace"] = Field(
        "ask",
        description=(
            "Records of another source in the period these cover, or repeats: ask (409, "
            "nothing written), add beside them, or replace them"
        ),
    )
    dry_run: bool = Field(False, description="Check and count without writing")


class BulkOut(Schema):
    """What a bulk import wrote (or, dry run, would write)."""

    created: int
    updated: int
    unchanged: int
    replaced: int
    written: bool
    batch: int | None = Field(description="The import batch the records came in")
    notes: list[str]
    summary: str


class ActualOut(Schema):
    """An indicator's actual at a date (the metrics engine's, or the hand-entered one)."""

    indicator: int
    project: int
    level3: str
    target: str
    value: str | None
    text: str | None
    source: str = Field(description="metric | manual | none")
    records: int
    numerator: str | None
    denominator: str | None
    error: str | None


class ActualsOut(Schema):
    """The actuals of a unit's projects of a year at a date."""

    unit: str
    year: int
    as_of: dt.date
    actuals: list[ActualOut]


class ReportRef(Schema):
    """The unit's report in a round, when the document is one."""

    id: int
    round: str
    state: str


class DocumentOut(Schema):
    """A monitoring or self-evaluation document: the same content the pages and exports show."""

    unit: str
    year: int
    report: ReportRef | None
    document: dict[str, Any]
