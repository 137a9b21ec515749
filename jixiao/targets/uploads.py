"""Uploaded documents waiting between the import preview and its confirmation.

Each upload gets a directory ``UPLOAD_DIR/<token>/`` holding the file under its own name (the
importers name it in their messages, so a random file name would show up there) and the
document parsed from it as JSON, so the confirmation imports exactly what the preview showed;
and, once the person has answered the preview's questions (the unit, the year), their answers,
so a refused confirmation neither costs a new upload nor the choices made.
The token is 128 random bits; an upload made by a logged-in person also records who made it,
and only that person may preview or confirm it.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from jixiao.core.document import TargetDocument

# A preview left open over lunch can still be confirmed; older uploads are swept away.
MAX_AGE_SECONDS = 6 * 3600
DOCUMENT_FILE = "document.json"
OWNER_FILE = "owner"
CHOICE_FILE = "choice.json"
_OWN_FILES = (DOCUMENT_FILE, OWNER_FILE, CHOICE_FILE)
_TOKEN = re.compile(r"[0-9a-f]{32}")
# Characters that are unsafe or invalid in file names on the systems we run on.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_MAX_NAME = 80


class UploadExpired(Exception):
    """The token names no upload, or one too old to confirm."""


def _root() -> Path:
    return Path(settings.UPLOAD_DIR)


def safe_name(name: str, default: str = "上传文件") -> str:
    """The user's file name without directories or unsafe characters, short enough to store."""
    name = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix[:10]
    stem = (stem.strip(" .") or default)[: _MAX_NAME - len(suffix) - 1]
    return f"{stem}.{suffix}" if suffix else stem


def save(name: str, chunks: Iterable[bytes], *, owner: int | None = None) -> tuple[str, Path]:
    """Store an upload under a new token (for ``owner``, a user id, when given); returns the
    token and the stored file."""
    purge_expired()
    token = secrets.token_hex(16)
    folder = _root() / token
    folder.mkdir(parents=True)
    if owner is not None:
        (folder / OWNER_FILE).write_text(str(owner), encoding="ascii")
    path = folder / safe_name(name)
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return token, path


def keep_document(token: str, document: TargetDocument) -> None:
    """Store the document parsed from the upload beside it."""
    text = json.dumps(document.to_dict(), ensure_ascii=False)
    (_folder(token) / DOCUMENT_FILE).write_text(text, encoding="utf-8")


def load(token: str, *, owner: int | None = None) -> tuple[str, TargetDocument]:
    """The uploaded file's name and its parsed document; UploadExpired when gone, too old, or
    (``owner`` given) uploaded by somebody else — the same answer, so a token found in a log
    is of no use to another person."""
    folder = _folder(token)
    document_path = folder / DOCUMENT_FILE
    try:
        if time.time() - document_path.stat().st_mtime > MAX_AGE_SECONDS:
            raise UploadExpired(token)
        if owner is not None and _owner(folder) != str(owner):
            raise UploadExpired(token)
        data = json.loads(document_path.read_text(encoding="utf-8"))
        document = TargetDocument.from_dict(data)
    except (OSError, ValueError, KeyError) as exc:
        raise UploadExpired(token) from exc
    names = [p.name for p in folder.iterdir() if p.name not in _OWN_FILES]
    return (names[0] if names else DOCUMENT_FILE), document


def stored_file(token: str, *, owner: int) -> Path:
    """The uploaded file itself, before it is read (a background read); UploadExpired when
    gone, too old, or uploaded by somebody else."""
    folder = _folder(token)
    try:
        if time.time() - folder.stat().st_mtime > MAX_AGE_SECONDS:
            raise UploadExpired(token)
        if _owner(folder) != str(owner):
            raise UploadExpired(token)
        files = [p for p in folder.iterdir() if p.name not in _OWN_FILES and p.is_file()]
    except OSError as exc:
        raise UploadExpired(token) from exc
    if len(files) != 1:
        raise UploadExpired(token)
    return files[0]


def keep_choice(token: str, choice: dict[str, str]) -> None:
    """Store the person's answers to the preview's questions (form values, as text)."""
    text = json.dumps(choice, ensure_ascii=False)
    (_folder(token) / CHOICE_FILE).write_text(text, encoding="utf-8")


def load_choice(token: str) -> dict[str, str] | None:
    """The answers kept by :func:`keep_choice`; None before any (or when unreadable)."""
    try:
        data = json.loads((_folder(token) / CHOICE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, UploadExpired):
        return None
    if not isinstance(data, dict):
        return None
    return {str(k): str(v) for k, v in data.items()}


def _owner(folder: Path) -> str | None:
    try:
        return (folder / OWNER_FILE).read_text(encoding="ascii").strip()
    except OSError:
        return None


def discard(token: str) -> None:
    """Delete an upload; a token already gone is fine."""
    if _TOKEN.fullmatch(token):
        shutil.rmtree(_root() / token, ignore_errors=True)


def purge_expired() -> None:
    """Delete uploads older than MAX_AGE_SECONDS, left behind by previews never confirmed."""
    root = _root()
    if not root.is_dir():
        return
    cutoff = time.time() - MAX_AGE_SECONDS
    for folder in root.iterdir():
        try:
            expired = folder.stat().st_mtime < cutoff
        except OSError:
            continue  # deleted by a concurrent request
        if expired and _TOKEN.fullmatch(folder.name):
            shutil.rmtree(folder, ignore_errors=True)


def _folder(token: str) -> Path:
    # The token comes from a form: anything but our own hex names could point elsewhere.
    if not _TOKEN.fullmatch(token or ""):
        raise UploadExpired(token)
    return _root() / token
