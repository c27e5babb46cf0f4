"""Backups: one zip file holding the whole data home, and its restore into an empty one.

The file holds ``manifest.json`` (counts, model, schema, a SHA-256 per member), ``kb.sqlite`` (an
online snapshot by SQLite's backup API: documents, chunks, the register with its history, FOI
records, users, the audit log), ``vectors.npy`` with ``vectors.jsonl`` (each vector's id and
metadata, read from Chroma, embedded or server) and ``uploads/`` (the files people uploaded).

A restore never writes over data: it refuses a data home that holds anything; it checks the whole
backup before it writes (every member in its place and matching its checksum, the database passing
SQLite's integrity check with the counts the manifest promises, the vectors readable); it writes the
database last, in one step, taking back what it wrote if anything fails; and it checks the counts after.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

from kb.config import Config
from kb.errors import BackupError
from kb.store import backup_rows
from kb.store.backup_rows import counts
from kb.store.db import Store, now

FORMAT = "kb-backup"
VERSION = 1
PAGE = 2000  # vectors read from or written to Chroma per call
REQUIRED = ("kb.sqlite", "vectors.npy", "vectors.jsonl")



def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def backup(config: Config, store: Store, vectors: Any, target: str | Path) -> dict[str, Any]:
    """Write the data home to ``target`` (a .zip); returns the manifest."""
    import numpy as np

    target = Path(target)
    if target.suffix.lower() != ".zip":
        raise BackupError(f"a backup is a .zip file; got '{target.name}'")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        snapshot = work / "kb.sqlite"
        dst = sqlite3.connect(snapshot)
        try:
            store.db.backup(dst)  # a consistent snapshot even while the app serves or an ingest runs
            table_counts = counts(dst)
            chunk_ids = backup_rows.chunk_ids(dst)
            schema = backup_rows.schema_version(dst)
            model = backup_rows.embed_model(dst)
        finally:
            dst.close()
        got = vectors.get(chunk_ids, PAGE) if chunk_ids else {}
        missing = [i for i in chunk_ids if i not in got]
        if missing:
            raise BackupError(f"{len(missing)} passages have no vector (an ingest may be running): finish it, then back up again")
        matrix = np.array([got[i][0] for i in chunk_ids], dtype=np.float32).reshape(len(chunk_ids), -1)
        np.save(work / "vectors.npy", matrix)
        with (work / "vectors.jsonl").open("w", encoding="utf-8") as f:
            for i in chunk_ids:  # our own metadata only, not llama-index's copy of the node
                meta = {k: v for k, v in got[i][1].items() if not k.startswith("_") and k not in ("document_id", "doc_id", "ref_doc_id")}
                f.write(json.dumps({"id": i, "metadata": meta}, ensure_ascii=False) + "\n")
        members = {"kb.sqlite": snapshot, "vectors.npy": work / "vectors.npy", "vectors.jsonl": work / "vectors.jsonl"}
        uploads = config.home / "uploads"
        if uploads.is_dir():
            for upload in sorted(uploads.rglob("*")):
                if upload.is_file():
                    members[f"uploads/{upload.relative_to(uploads).as_posix()}"] = upload
        manifest = {"format": FORMAT, "version": VERSION, "created_at": now(), "schema": schema, "model": model,
                    "home": str(config.home.resolve()), "counts": {**table_counts, "vectors": len(chunk_ids)},
                    "files": {name: _sha256(path) for name, path in members.items()}}
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as z:
                z.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
                for name, path in members.items():
                    z.write(path, name)
            partial.replace(target)  # a half-written backup never carries the real name
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return manifest


def read_manifest(source: str | Path) -> dict[str, Any]:
    """The manifest of a backup file, checked for format."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    try:
        with zipfile.ZipFile(source) as z:
            manifest = json.loads(z.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{source.name} is not a knowledge-base backup (or it is damaged): {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source.name} is not a knowledge-base backup")
    if int(manifest.get("version", 0)) > VERSION:
        raise BackupError(f"{source.name} was written by a newer version of this program: upgrade kb to restore it")
    return manifest


def _unsafe(name: str) -> bool:
    """A member name that could land outside its place: absolute, a drive, or climbing with '..'."""
    plain = name.replace("\\", "/")
    return plain.startswith("/") or (len(plain) > 1 and plain[1] == ":") or ".." in plain.split("/") or "\x00" in plain


def _unpack(source: Path, manifest: dict[str, Any], work: Path) -> Path:
    """Every member of the backup, checked (place, checksum, CRC) and unpacked under ``work``; returns the folder."""
    members = work / "members"
    try:
        with zipfile.ZipFile(source) as z:
            names = z.namelist()
            expected = dict(manifest["files"])
            for name in REQUIRED:
                if name not in expected or name not in names:
                    raise BackupError(f"{source.name} is damaged: '{name}' is missing; nothing was changed")
            for name in names:
                if _unsafe(name):
                    raise BackupError(f"{source.name} holds a member outside its place ('{name}'): refused, nothing was changed")
                if name != "manifest.json" and name not in expected:
                    raise BackupError(f"{source.name} holds a member its manifest does not list ('{name}'): refused, nothing was changed")
            for name, digest in expected.items():
                if _unsafe(name) or name not in names:
                    raise BackupError(f"{source.name} is damaged: '{name}' is missing or outside its place; nothing was changed")
                out = members / name
                out.parent.mkdir(parents=True, exist_ok=True)
                with z.open(name) as packed, out.open("wb") as unpacked:
                    shutil.copyfileobj(packed, unpacked)
                if _sha256(out) != digest:
                    raise BackupError(f"{source.name} is damaged: '{name}' does not match its checksum; nothing was changed")
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BackupError(f"{source.name} is damaged ({exc}): nothing was changed") from exc
    return members


def _check_members(source: Path, manifest: dict[str, Any], members: Path) -> None:
    """The unpacked database opens, passes SQLite's integrity check and holds the counts the
    manifest promises; the vectors load and match them."""
    import numpy as np

    try:
        db = sqlite3.connect(f"file:{members / 'kb.sqlite'}?mode=ro", uri=True)
        try:
            verdict = backup_rows.integrity(db)
            if verdict != "ok":
                raise BackupError(f"{source.name} is damaged: its database fails SQLite's integrity check ({verdict}); nothing was changed")
            held = {k: v for k, v in counts(db).items() if k in manifest["counts"]}
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source.name} is damaged: its database cannot be read ({exc}); nothing was changed") from exc
    promised = {k: v for k, v in manifest["counts"].items() if k != "vectors"}
    if held != promised:
        raise BackupError(f"{source.name} is damaged: its database holds {held}, its manifest promises {promised}; nothing was changed")
    try:
        matrix = np.load(members / "vectors.npy", allow_pickle=False)
        rows = [json.loads(line) for line in (members / "vectors.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"{source.name} is damaged: its vectors cannot be read ({exc}); nothing was changed") from exc
    if not (len(rows) == len(matrix) == int(manifest["counts"].get("vectors", -1))):
        raise BackupError(f"{source.name} is damaged: {len(matrix)} vectors, {len(rows)} vector records, {manifest['counts'].get('vectors')} "
                          "promised; nothing was changed")


def restore(config: Config, source: str | Path, open_vectors: Any) -> dict[str, Any]:
    """Restore a backup into the (empty) data home of ``config``; returns the manifest.

    Everything is checked before anything is written (every member's place and checksum, the
    database's integrity and counts, the vectors). Then the vectors and uploads are written and
    the database last, in one step: a failure before it takes back what was written, so the home
    is left as it was. ``open_vectors`` opens the home's vector index (embedded or server)."""
    source = Path(source)
    manifest = read_manifest(source)
    db_path = config.db_path
    if db_path.exists():
        probe = Store(db_path)
        held = sum(counts(probe.db).values())
        probe.close()
        if held:
            raise BackupError(f"the data home {config.home} already holds data: restore into an empty data home "
                              f"(e.g. KB_HOME=data-restored kb restore {source.name}), nothing was changed")
    with tempfile.TemporaryDirectory() as tmp:
        members = _unpack(source, manifest, Path(tmp))
        _check_members(source, manifest, members)
        _write(config, manifest, members, open_vectors)
    return manifest


def _write(config: Config, manifest: dict[str, Any], members: Path, open_vectors: Any) -> None:
    """Write checked members into the home: vectors, uploads, then the database in one step."""
    import numpy as np

    staged = Store(members / "kb.sqlite")  # migrates a backup from an older schema, on the unpacked copy
    try:
        uploads_from = str(Path(manifest["home"]) / "uploads")
        uploads_to = config.home.resolve() / "uploads"
        with staged.transaction() as tx:  # documents uploaded to the old home now live in this one
            backup_rows.move_uploads(tx, uploads_from, uploads_to)
        texts = backup_rows.chunk_texts(staged.db)
    finally:
        staged.close()
    index = open_vectors()
    if index.count():
        raise BackupError(f"the vector store of {config.home} already holds {index.count()} vectors: restore into an empty one, nothing was changed")
    matrix = np.load(members / "vectors.npy", allow_pickle=False)
    rows = [json.loads(line) for line in (members / "vectors.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    made_uploads = (members / "uploads").is_dir() and not uploads_to.exists()
    try:
        for i in range(0, len(rows), PAGE):
            part = rows[i:i + PAGE]
            index.upsert([r["id"] for r in part], matrix[i:i + len(part)].tolist(), [texts.get(r["id"], "") for r in part],
                         [r["metadata"] for r in part])
        if index.count() != len(rows):
            raise BackupError(f"the restore is incomplete: {index.count()} vectors written of {len(rows)}; nothing was kept")
        if (members / "uploads").is_dir():
            shutil.copytree(members / "uploads", uploads_to, dirs_exist_ok=True)
        src, dst = sqlite3.connect(members / "kb.sqlite"), sqlite3.connect(config.db_path)
        try:
            src.backup(dst)  # one step: the database is restored whole, or not at all
        finally:
            src.close()
            dst.close()
    except BaseException:
        index.delete([r["id"] for r in rows])
        if made_uploads:
            shutil.rmtree(uploads_to, ignore_errors=True)
        raise
    store = Store(config.db_path)
    try:
        got = {k: v for k, v in {**counts(store.db), "vectors": index.count()}.items() if k in manifest["counts"]}
    finally:
        store.close()
    if got != manifest["counts"]:
        raise BackupError(f"the restore is incomplete: expected {manifest['counts']}, found {got}")
