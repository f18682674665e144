"""Backups of the embedded FileStorage: ``inservice-portal CONFIG backup DIR`` and
``restore DIR``. Each database (the content, the audit log) goes through ZODB's repozo — a
full copy first, then increments, safe against a running server, which only ever appends —
and its blob directory is copied beside it (a blob file never changes once written). A
restore writes the files the configuration names, which must not exist yet: it never
overwrites a live database. RelStorage deployments back up PostgreSQL instead (README)."""
import shutil
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ZODB.scripts import repozo

from .. import audit_uri


class BackupError(Exception):
    pass


def storages(settings) -> list[tuple[str, Path, Path | None]]:
    """(name, Data.fs path, blob directory) of the content's database and the audit log's."""
    found = []
    for name, uri in (("content", settings.get("zodbconn.uri", "")),
                      ("audit", audit_uri(settings))):
        parts = urlsplit(uri)
        if parts.scheme != "file":
            raise BackupError(f"{name}: {parts.scheme or uri} is not a FileStorage; back up "
                              "PostgreSQL with pg_dump or its point-in-time recovery (README)")
        blobs = parse_qs(parts.query).get("blobstorage_dir", [None])[0]
        found.append((name, Path(unquote(parts.path)), Path(blobs) if blobs else None))
    return found


def backup(settings, into: Path) -> list[str]:
    done = []
    for name, path, blobs in storages(settings):
        repository = into / name
        repository.mkdir(parents=True, exist_ok=True)
        _repozo(["--backup", "--gzip", "--repository", str(repository), "--file", str(path)])
        if blobs is not None and blobs.exists():
            shutil.copytree(blobs, into / f"{name}-blobs", dirs_exist_ok=True)
        done.append(f"{name}: {path} → {repository}")
    return done


def restore(settings, source: Path) -> list[str]:
    done = []
    targets = storages(settings)
    for name, path, _ in targets:
        if path.exists():
            raise BackupError(f"{path} exists: restore into a configuration whose files do not")
    for name, path, blobs in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        _repozo(["--recover", "--repository", str(source / name), "--output", str(path)])
        if blobs is not None and (source / f"{name}-blobs").exists():
            shutil.copytree(source / f"{name}-blobs", blobs, dirs_exist_ok=True)
        done.append(f"{name}: {source / name} → {path}")
    return done


def _repozo(argv):
    try:
        repozo.main(argv)
    except SystemExit as stopped:       # repozo says what went wrong by exiting
        if stopped.code not in (None, 0):
            raise BackupError(str(stopped.code)) from None
