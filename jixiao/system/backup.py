"""Backups: one archive holding the database and the uploaded files, with a checksum manifest.

An archive is a gzip-compressed tar file::

    database/jixiao.sqlite3   SQLite: a copy made with SQLite's online backup API
    database/jixiao.pgdump    PostgreSQL: ``pg_dump --format=custom``
    media/…                   every file under MEDIA_ROOT (ledger attachments, evidence)
    manifest.json             jixiao.backup/1: the version, the time, the database, the schema's
                              migrations, the change log's last row, and every file's size
                              and SHA-256

Both databases are read in one consistent snapshot while the server keeps running: SQLite's
backup API copies the database in one step inside a read transaction; for PostgreSQL the
manifest's facts are read in a repeatable-read transaction whose snapshot ``pg_dump`` shares
(``--snapshot``). Files are read after the database: one uploaded meanwhile is in the archive
without its row (harmless); one deleted meanwhile is missing and named in the output.

A restore goes only into an empty data directory or an empty database, checks every file
against the manifest before it writes anything, and refuses the archive if one does not match.
Both write their change-log row. The secret key is not in the archive (docs/deploy.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.access.perms import require_system
from jixiao.audit.choices import Action
from jixiao.audit.log import Verification, record, verify
from jixiao.lib.actor import Actor

FORMAT = "jixiao.backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/jixiao.sqlite3"
PG_MEMBER = "database/jixiao.pgdump"
MEDIA = "media"
OBJECT_TYPE = "system.backup"
_CHUNK = 1024 * 1024
_MANIFEST_MAX_BYTES = 64 * 1024 * 1024


class BackupError(CommandError):
    """A backup or restore refused or failed; the message is Chinese and names the cause."""


@dataclass(frozen=True)
class FileEntry:
    """One file of the archive, as the manifest lists it."""

    path: str
    size: int
    sha256: str


@dataclass
class Manifest:
    """What an archive holds (its ``manifest.json``)."""

    jixiao_version: str
    created_at: str
    engine: str  # "sqlite" or "postgresql"
    migrations: dict[str, list[str]]
    audit_seq: int
    audit_hash: str
    files: list[FileEntry] = field(default_factory=list)
    format: str = FORMAT

    def to_json(self) -> bytes:
        """The manifest as stored in the archive (UTF-8 JSON, keys in a fixed order)."""
        data = {
            "format": self.format,
            "jixiao_version": self.jixiao_version,
            "created_at": self.created_at,
            "database": {"engine": self.engine},
            "migrations": self.migrations,
            "audit": {"seq": self.audit_seq, "hash": self.audit_hash},
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """Read a manifest; a malformed one is a ``BackupError``."""
        try:
            data = json.loads(raw.decode("utf-8"))
            if data.get("format") != FORMAT:
                raise BackupError(
                    _("不支持的备份格式：%(format)s（本系统读取 %(ours)s）")
                    % {"format": data.get("format"), "ours": FORMAT}
                )
            return cls(
                format=data["format"],
                jixiao_version=str(data["jixiao_version"]),
                created_at=str(data["created_at"]),
                engine=str(data["database"]["engine"]),
                migrations={str(k): [str(n) for n in v] for k, v in data["migrations"].items()},
                audit_seq=int(data["audit"]["seq"]),
                audit_hash=str(data["audit"]["hash"]),
                files=[
                    FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"]))
                    for f in data["files"]
                ],
            )
        except BackupError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            message = _("备份文件的清单（manifest.json）已损坏：%(e)s") % {"e": exc}
            raise BackupError(message) from exc

    @property
    def database_member(self) -> str:
        return SQLITE_MEMBER if self.engine == "sqlite" else PG_MEMBER

    @property
    def media_files(self) -> list[FileEntry]:
        return [f for f in self.files if f.path.startswith(MEDIA + "/")]


@dataclass
class BackupResult:
    """What ``create_backup`` wrote."""

    path: Path
    manifest: Manifest
    size: int
    sha256: str
    missing: list[str] = field(default_factory=list)  # files deleted while being backed up


@dataclass
class RestoreResult:
    """What ``restore_backup`` restored."""

    manifest: Manifest
    migrated: bool
    verification: Verification


# -- shared helpers ---------------------------------------------------------------------------


def jixiao_version() -> str:
    """The installed package's version."""
    try:
        return metadata.version("jixiao")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def engine() -> str:
    """``sqlite`` or ``postgresql``: the database this installation uses."""
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("不支持备份此类数据库：%(v)s") % {"v": vendor})
    return vendor


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


class _HashingReader(io.RawIOBase):
    """Reads a file for tarfile, hashing exactly the bytes that go into the archive."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def find_pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: from PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parent.parent.name.split(".")],
    )
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        _(
            "找不到 PostgreSQL 的 %(tool)s 程序：请安装与数据库服务器版本相同或更新的 PostgreSQL "
            "客户端（Debian：apt-get install postgresql-client），或把它所在的目录加入 PATH。"
        )
        % {"tool": name}
    )


def _pg_env() -> dict[str, str]:
    """libpq's environment for the default database (the password never on a command line)."""
    conf = connections[DEFAULT_DB_ALIAS].settings_dict
    env = dict(os.environ)
    for key, var in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if conf.get(key):
            env[var] = str(conf[key])
    options = conf.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run_pg(args: list[str], what: str) -> None:
    result = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = " ".join((result.stderr or result.stdout or "").split())[:800]
        raise BackupError(_("%(what)s失败：%(detail)s") % {"what": what, "detail": detail})


def _migrations_of_rows(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(rows):
        applied.setdefault(app, []).append(name)
    return applied


# -- backup -----------------------------------------------------------------------------------


@dataclass
class _Snapshot:
    migrations: dict[str, list[str]]
    audit_seq: int
    audit_hash: str


def _dump_sqlite(dest: Path) -> _Snapshot:
    """Copy the live database with SQLite's online backup API (one step: one snapshot)."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    source: sqlite3.Connection = connection.connection
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
        # The copy is one self-contained file, whatever journal the live database uses.
        target.execute("PRAGMA journal_mode=DELETE")
        rows = target.execute("SELECT app, name FROM django_migrations").fetchall()
        head = target.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1").fetchone()
        target.commit()
    finally:
        target.close()
    return _Snapshot(_migrations_of_rows(rows), *(head or (0, "")))


def _dump_postgres(dest: Path) -> _Snapshot:
    """``pg_dump`` in the snapshot of a transaction that also reads the manifest's facts."""
    pg_dump = find_pg_tool("pg_dump")
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        raise BackupError(_("备份不能在数据库事务中进行。"))
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot_id,) = cursor.fetchone()
        cursor.execute("SELECT app, name FROM django_migrations")
        rows = cursor.fetchall()
        cursor.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1")
        head = cursor.fetchone()
        _run_pg(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                f"--file={dest}",
            ],
            _("pg_dump 导出数据库"),
        )
    return _Snapshot(_migrations_of_rows(rows), *(head or (0, "")))


def create_backup(output: Path, *, actor: Actor) -> BackupResult:
    """Write one archive of the database and MEDIA_ROOT to ``output``; log it."""
    require_system(actor, _("备份只能由服务器运维人员在命令行进行。"))
    output = Path(output).absolute()
    if not output.parent.is_dir():
        raise BackupError(_("目录不存在：%(dir)s") % {"dir": output.parent})
    if output.is_dir():
        raise BackupError(_("输出路径是一个目录：%(path)s") % {"path": output})
    kind = engine()
    created_at = timezone.localtime().isoformat(timespec="seconds")
    entries: list[FileEntry] = []
    missing: list[str] = []
    try:
        fd, tmp_name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    except OSError as exc:
        raise BackupError(_("无法写入文件：%(path)s") % {"path": output}) from exc
    tmp = Path(tmp_name)
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".jixiao-backup-") as work:
            member = SQLITE_MEMBER if kind == "sqlite" else PG_MEMBER
            dump = Path(work) / Path(member).name
            snap = _dump_sqlite(dump) if kind == "sqlite" else _dump_postgres(dump)
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(
                    fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6
                ) as tar:
                    entries.append(_add_file(tar, dump, member, mtime=time.time()))
                    root = media_root()
                    for path in _media_files(root):
                        name = f"{MEDIA}/{path.relative_to(root).as_posix()}"
                        try:
                            entries.append(_add_file(tar, path, name))
                        except FileNotFoundError:  # deleted since it was listed
                            missing.append(name)
                    manifest = Manifest(
                        jixiao_version=jixiao_version(),
                        created_at=created_at,
                        engine=kind,
                        migrations=snap.migrations,
                        audit_seq=snap.audit_seq,
                        audit_hash=snap.audit_hash,
                        files=entries,
                    )
                    _add_bytes(tar, MANIFEST, manifest.to_json())
                # On disk, end-of-archive and gzip trailer included, before it takes the name.
                raw.flush()
                os.fsync(raw.fileno())
        # A backup holds password hashes and every unit's data: the operator's eyes only.
        os.chmod(tmp, 0o600)
        os.replace(tmp, output)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise BackupError(_("写入备份失败：%(e)s") % {"e": exc}) from exc
        raise
    size = output.stat().st_size
    digest = file_sha256(output)
    media_count = len(manifest.media_files)
    record(
        actor,
        Action.BACKUP,
        object_type=OBJECT_TYPE,
        object_id=created_at,
        object_repr=output.name,
        after={
            "file": str(output),
            "size": size,
            "sha256": digest,
            "engine": kind,
            "media_files": media_count,
            "audit_seq": snap.audit_seq,
        },
        comment=_("备份数据库和 %(n)s 个上传文件到 %(path)s") % {"n": media_count, "path": output},
    )
    return BackupResult(output, manifest, size, digest, missing)


def _add_file(tar: tarfile.TarFile, path: Path, name: str, mtime: float | None = None) -> FileEntry:
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size = stat.st_size
        info.mtime = int(mtime if mtime is not None else stat.st_mtime)
        info.mode = 0o600
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return FileEntry(name, info.size, reader.digest.hexdigest())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


# -- reading and checking an archive ----------------------------------------------------------


def _safe_member_name(name: str) -> str:
    path = PurePosixPath(name)
    if (
        path.is_absolute()
        or ".." in path.parts
        or not path.parts
        or path.parts[0] not in ("database", MEDIA, MANIFEST)
        or str(path) != name
        or "\\" in name
    ):
        raise BackupError(_("备份文件中有不允许的路径：%(name)s") % {"name": name})
    return name


def _members(archive: Path) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    """Every member of the archive with its content, refusing anything but plain files."""
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for info in tar:
                _safe_member_name(info.name)
                if not info.isfile():
                    message = _("备份文件中有不允许的条目（不是普通文件）：%(name)s")
                    raise BackupError(message % {"name": info.name})
                handle = tar.extractfile(info)
                assert handle is not None  # a regular file always has content
                yield info, handle
    except BackupError:
        raise
    except FileNotFoundError as exc:
        raise BackupError(_("找不到备份文件：%(path)s") % {"path": archive}) from exc
    except UNREADABLE as exc:
        raise _unreadable(archive, exc) from exc


# What reading a damaged archive raises (in tarfile's own code or while a member is read).
UNREADABLE = (tarfile.TarError, EOFError, zlib.error, OSError)


def _unreadable(archive: Path, exc: BaseException) -> BackupError:
    return BackupError(
        _("备份文件已损坏或不是绩效系统的备份（%(e)s）：%(path)s") % {"e": exc, "path": archive}
    )


def _hash_stream(handle: IO[bytes], sink: IO[bytes] | None = None) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: handle.read(_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return size, digest.hexdigest()


def _check_against(manifest: Manifest | None, seen: dict[str, tuple[int, str]]) -> Manifest:
    if manifest is None:
        raise BackupError(_("备份文件中没有清单（manifest.json），不是完整的绩效系统备份。"))
    listed = {f.path: f for f in manifest.files}
    if manifest.database_member not in listed:
        raise BackupError(_("备份清单中没有数据库文件。"))
    for path, entry in listed.items():
        if path not in seen:
            raise BackupError(_("备份文件中缺少清单所列的文件：%(path)s") % {"path": path})
        size, digest = seen[path]
        if (size, digest) != (entry.size, entry.sha256):
            raise BackupError(
                _("校验失败：%(path)s 的大小或 SHA-256 与清单不符（备份文件已损坏或被改动）。")
                % {"path": path}
            )
    extra = sorted(set(seen) - set(listed))
    if extra:
        raise BackupError(_("备份文件中有清单未列出的文件：%(path)s") % {"path": extra[0]})
    return manifest


def verify_archive(archive: Path) -> Manifest:
    """Read the whole archive and check every file against the manifest; write nothing."""
    archive = Path(archive)
    manifest: Manifest | None = None
    seen: dict[str, tuple[int, str]] = {}
    try:
        for info, handle in _members(archive):
            if info.name in seen or (info.name == MANIFEST and manifest is not None):
                raise BackupError(_("备份文件中有重复的条目：%(name)s") % {"name": info.name})
            if info.name == MANIFEST:
                if info.size > _MANIFEST_MAX_BYTES:
                    raise BackupError(_("备份文件的清单（manifest.json）过大。"))
                manifest = Manifest.from_json(handle.read())
            else:
                seen[info.name] = _hash_stream(handle)
    except UNREADABLE as exc:
        raise _unreadable(archive, exc) from exc
    return _check_against(manifest, seen)


# -- restore ----------------------------------------------------------------------------------


def _table_names() -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def check_empty_target() -> None:
    """Refuse unless the database has no tables and MEDIA_ROOT holds no file."""
    tables = _table_names()
    if tables:
        raise BackupError(
            _(
                "只能恢复到空的数据目录或空数据库：当前数据库已有 %(n)s 张表。"
                "请换用新的 JIXIAO_DATA_DIR，或新建一个空的 PostgreSQL 数据库再恢复。"
            )
            % {"n": len(tables)}
        )
    files = _media_files(media_root())
    if files:
        raise BackupError(
            _("只能恢复到空的数据目录：上传文件目录 %(dir)s 中已有 %(n)s 个文件。")
            % {"dir": media_root(), "n": len(files)}
        )


def _check_compatible(manifest: Manifest) -> None:
    kind = engine()
    if manifest.engine != kind:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            _("这份备份来自 %(theirs)s 数据库，当前使用的是 %(ours)s，不能直接恢复。")
            % {"theirs": names.get(manifest.engine, manifest.engine), "ours": names[kind]}
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if (app, name) not in known and app in {a for a, _ in known}
    )
    if unknown:
        raise BackupError(
            _(
                "这份备份来自更新版本的绩效系统（%(v)s），含本版本没有的数据库变更：%(m)s。请先升级。"
            )
            % {"v": manifest.jixiao_version, "m": "、".join(unknown[:5])}
        )


def _extract(archive: Path, manifest: Manifest, staging: Path) -> None:
    """Extract into ``staging``, checking every file against the manifest again as it goes."""
    seen: dict[str, tuple[int, str]] = {}
    members = _members(archive)
    while True:
        try:
            info, handle = next(members)
        except StopIteration:
            break
        if info.name == MANIFEST:
            continue
        target = staging / info.name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            try:
                seen[info.name] = _hash_stream(handle, out)
            except (tarfile.TarError, EOFError, zlib.error) as exc:
                raise _unreadable(archive, exc) from exc
    _check_against(manifest, seen)


def _restore_sqlite(dump: Path) -> None:
    name = str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(_("内存中的数据库不能恢复。"))
    with sqlite3.connect(dump) as check:
        (result,) = check.execute("PRAGMA integrity_check").fetchone()
    check.close()
    if result != "ok":
        raise BackupError(_("备份中的数据库未通过 SQLite 完整性检查：%(r)s") % {"r": result})
    connections.close_all()
    for suffix in ("-wal", "-shm", "-journal"):
        Path(name + suffix).unlink(missing_ok=True)
    shutil.move(str(dump), name)


def _restore_postgres(dump: Path) -> None:
    pg_restore = find_pg_tool("pg_restore")
    connections.close_all()
    _run_pg(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_pg_env().get('PGDATABASE', '')}",
            str(dump),
        ],
        _("pg_restore 恢复数据库"),
    )


def _place_media(staged: Path) -> None:
    root = media_root()
    if not staged.is_dir():
        return
    if root.is_dir():
        # Empty (checked): only directories, which the restored tree replaces.
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staged), str(root))


def restore_backup(archive: Path, *, actor: Actor) -> RestoreResult:
    """Restore an archive into an empty installation; log it; verify the change log."""
    require_system(actor, _("恢复只能由服务器运维人员在命令行进行。"))
    archive = Path(archive).absolute()
    check_empty_target()
    manifest = verify_archive(archive)
    _check_compatible(manifest)
    # Staged beside MEDIA_ROOT, so the restored files move into place without a copy.
    staging_parent = media_root().parent
    staging_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=staging_parent, prefix=".jixiao-restore-") as work:
        staging = Path(work)
        _extract(archive, manifest, staging)
        dump = staging / manifest.database_member
        if manifest.engine == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgres(dump)
        _place_media(staging / MEDIA)
    migrated = _migrate_if_needed()
    record(
        actor,
        Action.RESTORE_BACKUP,
        object_type=OBJECT_TYPE,
        object_id=manifest.created_at,
        object_repr=archive.name,
        after={
            "file": str(archive),
            "sha256": file_sha256(archive),
            "created_at": manifest.created_at,
            "jixiao_version": manifest.jixiao_version,
            "engine": manifest.engine,
            "media_files": len(manifest.media_files),
            "audit_seq": manifest.audit_seq,
            "migrated": migrated,
        },
        comment=_("从备份 %(name)s（%(at)s）恢复数据库和 %(n)s 个上传文件")
        % {"name": archive.name, "at": manifest.created_at, "n": len(manifest.media_files)},
    )
    return RestoreResult(manifest, migrated, verify())


def _migrate_if_needed() -> bool:
    """Bring a backup from an older version up to this version's schema."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", interactive=False, verbosity=0)
    return True


def describe(manifest: Manifest) -> list[str]:
    """The manifest in a few Chinese lines, for the command's output."""
    media = manifest.media_files
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    total = sum(f.size for f in media)
    kind = names.get(manifest.engine, manifest.engine)
    return [
        _("备份时间：%(at)s；绩效系统版本：%(v)s")
        % {"at": manifest.created_at, "v": manifest.jixiao_version},
        _("数据库：%(e)s；审计日志 %(n)s 条") % {"e": kind, "n": manifest.audit_seq},
        _("上传文件：%(n)s 个，共 %(b)s 字节") % {"n": len(media), "b": total},
    ]
