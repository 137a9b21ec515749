"""``jixiao backup`` and ``jixiao restore``: every table's rows and every file come back.

The backup runs in this process on the test database (SQLite, or PostgreSQL when the suite
runs with DATABASE_URL); the restore runs as the operator would, in a separate process, into
an empty data directory (and, on PostgreSQL, a database created for the test).
"""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import os
import sqlite3
import stat
import tarfile
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from jixiao.audit.choices import Action
from jixiao.audit.log import verify
from jixiao.audit.models import ChangeLog
from jixiao.lib.actor import Actor
from jixiao.system.backup import (
    MANIFEST,
    SQLITE_MEMBER,
    BackupError,
    Manifest,
    _check_compatible,
    create_backup,
    restore_backup,
    verify_archive,
)
from jixiao.system.demo.services import load_demo
from jixiao.system.tests.helpers import run_jixiao

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRES = connection.vendor == "postgresql"
OPERATOR = f"命令行（{getpass.getuser()}）"
# Uploaded files as the ledgers and the evidence keep them: nested, Chinese names, one large.
FILES = {
    "ledgers/224001/2021/舆情处置记录（第1批）.pdf": b"%PDF-1.7\n" + "舆情".encode() * 500,
    "ledgers/224001/2021/empty.txt": b"",
    "evidence/224001/满意度调查 汇总.xlsx": bytes(range(256)) * 64,
    "evidence/224002/large.bin": os.urandom(3 * 1024 * 1024 + 17),
}


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    """MEDIA_ROOT with the uploaded files above."""
    root = tmp_path / "media"
    for name, data in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def archive(media: Path, tmp_path: Path, org: Any) -> Path:
    """A backup of a small database (the personas' bureaus and units) and the files."""
    path = tmp_path / "backup.tar.gz"
    create_backup(path, actor=Actor.command_line())
    return path


def file_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# -- reading every table ----------------------------------------------------------------------


def sqlite_rows(db: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {t: named_rows(db.execute(f'SELECT * FROM "{t}"')) for t in tables}


def named_rows(cursor: Any) -> list[dict[str, Any]]:
    """A query's rows as column → value, in a stable order."""
    columns = [d[0] for d in cursor.description]
    return named_order([dict(zip(columns, row, strict=True)) for row in cursor.fetchall()])


def named_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: repr(sorted(row.items())))


def postgres_rows(dbname: str) -> dict[str, list[dict[str, Any]]]:
    import psycopg

    conf = connection.settings_dict
    with psycopg.connect(
        host=conf["HOST"] or None,
        port=conf["PORT"] or None,
        user=conf["USER"] or None,
        password=conf["PASSWORD"] or None,
        dbname=dbname,
    ) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {t: named_rows(db.execute(f'SELECT * FROM "{t}"')) for t in tables}


def source_rows() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the test database, read as the restored one is read."""
    if POSTGRES:
        return postgres_rows(connection.settings_dict["NAME"])
    connection.ensure_connection()
    return sqlite_rows(connection.connection)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str], Any]]:
    """An empty data directory and, on PostgreSQL, an empty database; how to read it back."""
    data_dir = tmp_path / "restored"
    data_dir.mkdir()
    if not POSTGRES:
        path = data_dir / "jixiao.sqlite3"

        def read() -> dict[str, list[dict[str, Any]]]:
            db = sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES)
            try:
                return sqlite_rows(db)
            finally:
                db.close()

        yield data_dir, {}, read
        return
    conf = connection.settings_dict
    name = f"jixiao_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = quote(conf["USER"] or "") + (f":{quote(conf['PASSWORD'])}" if conf["PASSWORD"] else "")
    url = f"postgres://{auth}@{conf['HOST'] or 'localhost'}:{conf['PORT'] or 5432}/{name}"
    try:
        yield data_dir, {"DATABASE_URL": url}, lambda: postgres_rows(name)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the round trip ---------------------------------------------------------------------------


def test_backup_then_restore_gives_identical_rows_in_every_table_and_identical_files(
    media: Path, tmp_path: Path, target: tuple[Path, dict[str, str], Any]
) -> None:
    load_demo()
    before = source_rows()
    logged = ChangeLog.objects.count()
    out = StringIO()

    call_command("backup", "-o", str(tmp_path / "jixiao.tar.gz"), stdout=out)

    archive = tmp_path / "jixiao.tar.gz"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert f"已备份到 {archive}" in out.getvalue()
    backup_row = ChangeLog.objects.order_by("-seq").first()
    assert (backup_row.action, backup_row.username, backup_row.via) == (
        Action.BACKUP,
        OPERATOR,
        "cli",
    )
    assert backup_row.after["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert backup_row.after["media_files"] == len(FILES)

    data_dir, env, read_restored = target
    result = run_jixiao("restore", str(archive), data_dir=data_dir, timeout=600, **env)

    assert result.returncode == 0, result.stderr
    assert f"已从 {archive} 恢复。" in result.stdout
    assert "审计日志完整" in result.stdout
    after = read_restored()
    assert sorted(after) == sorted(before)
    assert sum(len(rows) for rows in before.values()) > 2000  # the demo's year of records
    for table in before:
        if table in ("audit_changelog", "audit_audithead", "audit_dataversion"):
            continue
        assert after[table] == before[table], table
    # The data versions: the restore is a change of everything (cached pages are recomputed).
    versions = {row["key"]: row["seq"] for row in after["audit_dataversion"]}
    assert versions == {
        **{row["key"]: row["seq"] for row in before["audit_dataversion"]},
        "global": logged + 1,
    }
    # The change log: every row of the backup, then the restore's own row.
    restored_log = sorted(after["audit_changelog"], key=lambda row: row["seq"])
    assert len(restored_log) == logged + 1
    assert named_order(restored_log[:-1]) == before["audit_changelog"]
    restore_row = restored_log[-1]
    assert (restore_row["seq"], restore_row["action"], restore_row["username"]) == (
        logged + 1,
        Action.RESTORE_BACKUP,
        OPERATOR,
    )
    assert restore_row["prev_hash"] == restored_log[-2]["hash"]
    (head,) = after["audit_audithead"]
    assert (head["seq"], head["hash"]) == (restore_row["seq"], restore_row["hash"])
    assert file_hashes(data_dir / "media") == file_hashes(media)
    verified = run_jixiao("audit", "verify", data_dir=data_dir, **env)
    assert verified.returncode == 0, verified.stderr
    assert f"审计日志完整：共 {logged + 1} 条记录" in verified.stdout


def test_the_manifest_names_the_version_the_schema_and_every_file(archive: Path) -> None:
    manifest = verify_archive(archive)

    assert manifest.format == "jixiao.backup/1"
    assert manifest.engine == connection.vendor
    assert manifest.jixiao_version
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = sorted(cursor.fetchall())
    assert sorted((app, n) for app, names in manifest.migrations.items() for n in names) == applied
    media = {f.path: f.sha256 for f in manifest.media_files}
    assert media == {
        f"media/{name}": hashlib.sha256(data).hexdigest() for name, data in FILES.items()
    }
    assert (manifest.audit_seq, manifest.audit_hash) == (
        ChangeLog.objects.count() - 1,  # the backup's own row comes after the snapshot
        ChangeLog.objects.order_by("-seq")[1].hash,
    )


def test_restore_check_reads_the_archive_and_writes_nothing(archive: Path, tmp_path: Path) -> None:
    result = run_jixiao("restore", "--check", str(archive), data_dir=tmp_path / "empty")

    assert result.returncode == 0, result.stderr
    assert f"备份文件完整：{len(FILES) + 1} 个文件均与清单一致。" in result.stdout
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == ["secret_key", "static"]


# -- refusals ---------------------------------------------------------------------------------


def rewrite(archive: Path, out: Path, change: Any) -> Path:
    """A copy of the archive with ``change(name, data)`` applied to each member."""
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as copy:
        for info in source:
            data = source.extractfile(info).read()  # type: ignore[union-attr]
            for name, content in change(info.name, data):
                new = tarfile.TarInfo(name)
                new.size = len(content)
                copy.addfile(new, io.BytesIO(content))
    return out


def tampered_file(name: str, data: bytes) -> list[tuple[str, bytes]]:
    if name.endswith("large.bin"):
        data = data[:1000] + bytes([data[1000] ^ 1]) + data[1001:]  # one bit, same size
    return [(name, data)]


def test_an_archive_with_a_changed_file_is_refused_and_nothing_is_written(
    archive: Path, tmp_path: Path
) -> None:
    bad = rewrite(archive, tmp_path / "bad.tar.gz", tampered_file)
    data_dir = tmp_path / "empty"

    result = run_jixiao("restore", str(bad), data_dir=data_dir)

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "校验失败：media/evidence/224002/large.bin 的大小或 SHA-256 与清单不符"
        "（备份文件已损坏或被改动）。"
    )
    assert not (data_dir / "media").exists()
    db = sqlite3.connect(data_dir / "jixiao.sqlite3")
    assert db.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (tampered_file, "校验失败：media/evidence/224002/large.bin 的大小或 SHA-256 与清单不符"),
        (
            lambda name, data: (
                [(name, data[:-1] if name == SQLITE_MEMBER else data)]
                if not POSTGRES
                else [(name, data[:-1] if name.startswith("database/") else data)]
            ),
            "的大小或 SHA-256 与清单不符",
        ),
        (
            lambda name, data: [] if name.endswith("empty.txt") else [(name, data)],
            "备份文件中缺少清单所列的文件：media/ledgers/224001/2021/empty.txt",
        ),
        (
            lambda name, data: (
                [(name, data), ("media/extra.txt", b"x")] if name == MANIFEST else [(name, data)]
            ),
            "备份文件中有清单未列出的文件：media/extra.txt",
        ),
        (
            lambda name, data: [] if name == MANIFEST else [(name, data)],
            "备份文件中没有清单（manifest.json）",
        ),
        (
            lambda name, data: [(name, b"{not json" if name == MANIFEST else data)],
            "备份文件的清单（manifest.json）已损坏",
        ),
        (
            lambda name, data: [("../outside.txt" if name.endswith("empty.txt") else name, data)],
            "备份文件中有不允许的路径：../outside.txt",
        ),
    ],
    ids=[
        "changed-file",
        "shortened-db",
        "missing-file",
        "extra-file",
        "no-manifest",
        "bad-manifest",
        "path-traversal",
    ],
)
def test_a_damaged_or_altered_archive_is_refused(
    archive: Path, tmp_path: Path, change: Any, message: str
) -> None:
    bad = rewrite(archive, tmp_path / "bad.tar.gz", change)

    with pytest.raises(BackupError, match=message.replace("(", r"\(").replace(")", r"\)")):
        verify_archive(bad)


def test_a_truncated_or_corrupted_archive_is_refused(archive: Path, tmp_path: Path) -> None:
    raw = archive.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(raw[: len(raw) * 2 // 3])
    flipped = tmp_path / "flipped.tar.gz"
    middle = len(raw) // 2
    flipped.write_bytes(raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1 :])
    not_an_archive = tmp_path / "notes.txt"
    not_an_archive.write_text("这不是备份")

    for path in (truncated, not_an_archive):
        with pytest.raises(BackupError, match="备份文件已损坏或不是绩效系统的备份"):
            verify_archive(path)
    # A flipped bit inside compressed data: a gzip or checksum error, whichever comes first.
    with pytest.raises(BackupError, match="备份文件已损坏"):
        verify_archive(flipped)
    with pytest.raises(BackupError, match="找不到备份文件"):
        verify_archive(tmp_path / "missing.tar.gz")


def test_restore_refuses_a_database_that_is_not_empty(archive: Path) -> None:
    with pytest.raises(BackupError, match="只能恢复到空的数据目录或空数据库：当前数据库已有"):
        restore_backup(archive, actor=Actor.command_line())


def test_restore_refuses_a_data_directory_with_uploaded_files(
    archive: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "used"
    (data_dir / "media" / "old").mkdir(parents=True)
    (data_dir / "media" / "old" / "a.pdf").write_bytes(b"%PDF")

    result = run_jixiao("restore", str(archive), data_dir=data_dir)

    assert result.returncode == 2
    assert "只能恢复到空的数据目录：上传文件目录" in result.stderr
    assert "中已有 1 个文件" in result.stderr


def test_an_archive_of_the_other_database_is_refused() -> None:
    other = "sqlite" if POSTGRES else "postgresql"
    manifest = Manifest("0.1.0", "2026-01-01T00:00:00+08:00", other, {}, 0, "")

    with pytest.raises(BackupError, match=r"这份备份来自 .* 数据库，当前使用的是"):
        _check_compatible(manifest)


def test_an_archive_from_a_newer_version_is_refused() -> None:
    manifest = Manifest(
        "9.0.0",
        "2030-01-01T00:00:00+08:00",
        connection.vendor,
        {"audit": ["0001_initial", "0099_future"]},
        0,
        "",
    )

    with pytest.raises(BackupError, match=r"来自更新版本的绩效系统（9\.0\.0）.*audit\.0099_future"):
        _check_compatible(manifest)


def test_only_the_operator_backs_up(tmp_path: Path, officer: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="备份只能由服务器运维人员在命令行进行"):
        create_backup(tmp_path / "x.tar.gz", actor=Actor(officer))
    assert not (tmp_path / "x.tar.gz").exists()


def test_a_backup_into_a_missing_directory_is_refused(tmp_path: Path, media: Path) -> None:
    with pytest.raises(BackupError, match="目录不存在"):
        create_backup(tmp_path / "no" / "x.tar.gz", actor=Actor.command_line())
    assert verify().ok


def test_the_manifest_is_json_a_person_can_read(archive: Path) -> None:
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]

    assert names[0].startswith("database/") and names[-1] == MANIFEST
    assert set(manifest) == {
        "format",
        "jixiao_version",
        "created_at",
        "database",
        "migrations",
        "audit",
        "files",
    }
