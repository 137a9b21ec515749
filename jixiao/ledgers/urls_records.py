"""URLs of the record pages: list, detail, create, edit, workflow steps, attachments."""

from __future__ import annotations

from django.urls import URLPattern, path, register_converter

from jixiao.ledgers import views


class LedgerCodeConverter:
    """A ledger type's code in a URL; the words other ledger pages use are not codes.

    These patterns come before the import and export ones under the same prefix, so
    ``/ledgers/import/`` must not be read as the records of a type called "import".
    """

    regex = r"[-a-zA-Z0-9_]+"
    reserved = frozenset(
        {"import", "export", "entry", "attachment", "mapping", "mappings", "quality"}
    )

    def to_python(self, value: str) -> str:
        if value in self.reserved:
            raise ValueError(value)  # no match: the resolver tries the next pattern
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LedgerCodeConverter, "ledger_code")

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("quality/", views.quality, name="quality"),
    path("entry/<int:pk>/", views.entry_detail, name="entry"),
    path("entry/<int:pk>/edit/", views.edit, name="edit"),
    path("entry/<int:pk>/transition/", views.transition, name="transition"),
    path("entry/<int:pk>/attachments/", views.attach, name="attach"),
    path("attachment/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachment/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("attachment/<int:pk>/restore/", views.attachment_restore, name="attachment_restore"),
    path("<ledger_code:code>/", views.records, name="records"),
    path("<ledger_code:code>/new/", views.new, name="new"),
]
