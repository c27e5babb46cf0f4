"""The facade's documents: ingest, upload, read again, correct, mark, delete, prune, and what
is held (each read limited to what the reader may see; each change checked and audited)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.documents.pipeline import MODEL_KEY, EmbedProgress, Progress
from kb.documents.records import DocumentInfo
from kb.documents.sources import FileReport
from kb.documents.uploads import safe_name, upload_target
from kb.errors import DocumentError, InputError, NotFoundError
from kb.store import chunk_rows
from kb.store.filters import MARKINGS

if TYPE_CHECKING:
    from kb.config import Config
    from kb.documents.pipeline import Pipeline
    from kb.search.vectors import VectorIndex
    from kb.store.db import Store

log = logging.getLogger(__name__)


class DocumentsMixin:
    """The document methods of ``KB`` (kb.service)."""

    if TYPE_CHECKING:  # what these methods use of KB
        config: Config
        markings: tuple[str, ...]

        @property
        def store(self) -> Store: ...
        @property
        def vectors(self) -> VectorIndex: ...
        @property
        def pipeline(self) -> Pipeline: ...
        def _require(self, as_user: str | None, action: str, doing: str | None = None) -> None: ...
        def _audit(self, action: str, detail: str = "") -> None: ...

    def visible(self, doc: Any) -> bool:
        """Whether this reader may see a document (a row with a 'marking')."""
        return not self.markings or doc["marking"] in self.markings

    def document_named(self, name: str) -> Any:
        """The document called ``name`` if this reader may see it; NotFoundError otherwise (the same
        message either way, so a restricted document's existence is not revealed)."""
        docs = [d for d in self.store.documents_named(name) if self.visible(d)]
        if not docs:
            raise NotFoundError(f"no document called '{name}' (see: kb docs)")
        return docs[0]

    def glossary(self) -> list[tuple[str, str, int]]:
        """The corpus's acronyms: (acronym, expansion, number of documents that spell it so)."""
        return self.store.glossary(self.markings)

    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None, marking: str | None = None,
               on_embed: EmbedProgress | None = None) -> list[FileReport]:
        """Ingest files and folders; returns a report per file (failures included). ``marking`` raises the
        protective marking of every file above what it prints (OFFICIAL-SENSITIVE, say); ``on_embed``
        hears passages embedded, of how many, and the seconds left."""
        reports = self.pipeline.ingest(paths, progress, marking=marking, on_embed=on_embed)
        self._audit("ingest", ", ".join(f"{r.name}: {r.status}" for r in reports)[:2000])
        return reports

    def ensure_corpus(self, progress: Progress | None = None) -> list[FileReport]:
        """Ingest the configured corpus folder when the data home holds no documents yet."""
        if not self.store.empty() or not self.config.corpus.is_dir():
            return []
        log.info("the data home is empty: ingesting %s", self.config.corpus)
        return self.ingest([self.config.corpus], progress)

    def add_files(self, files: list[tuple[str, str]], progress: Progress | None = None, as_user: str | None = None,
                  marking: str | None = None, on_embed: EmbedProgress | None = None) -> list[FileReport]:
        """Copy uploaded files (original name, temporary path) into the data home's uploads/ and ingest them.

        Names are reduced to a safe file name, so an upload can never write outside uploads/.
        """

        self._require(as_user, "upload")
        if marking is not None and marking not in MARKINGS:
            raise InputError(f"unknown protective marking '{marking}': use one of {', '.join(MARKINGS)}")
        if marking and self.markings and marking not in self.markings:
            raise InputError(f"you are not cleared for {marking}: you could not read what you upload")
        folder = self.config.home / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        targets = []
        for name, temp in files:
            if Path(temp).is_symlink():  # what is read is what was uploaded, never a file a link points to
                raise DocumentError(f"refused the upload '{safe_name(name)}': it is a link to another file, not a file")
            target = upload_target(folder, name, temp)
            if not target.exists():  # else: the same file, uploaded again under the same name
                try:
                    with open(temp, "rb") as src, open(target, "xb") as dst:  # "x": never through a link, never over a file
                        shutil.copyfileobj(src, dst)
                except OSError as exc:
                    raise DocumentError(f"could not save the upload '{safe_name(name)}': {exc.strerror or exc}") from exc
            targets.append(target)
        return self.ingest(targets, progress, marking=marking, on_embed=on_embed)

    def mark(self, name: str, marking: str, as_user: str | None = None) -> str:
        """Set a document's protective marking (admins only in the app); returns the marking it had."""
        self._require(as_user, "admin", "change a protective marking")
        doc = self.document_named(name)
        self.store.set_marking(doc["id"], marking)
        self._audit("mark", f"{name}: {doc['marking']} -> {marking}")
        return str(doc["marking"])

    def reingest(self, name: str, as_user: str | None = None) -> list[FileReport]:
        """Read a document again from its file (after a program update, say); people's confirmed statuses stay."""
        self._require(as_user, "upload")
        self.document_named(name)
        docs = [d for d in self.store.documents_named(name) if self.visible(d)]
        self._audit("read again", name)
        missing = [d["path"] for d in docs if not Path(d["path"]).exists()]
        if missing:
            raise DocumentError(f"the file behind '{name}' is no longer at {missing[0]}: add it again")
        return self.pipeline.ingest([d["path"] for d in docs], force=True)

    def correct_document(self, name: str, by: str, kind: str | None = None, title: str | None = None,
                         as_user: str | None = None) -> list[FileReport]:
        """A person's correction of a document's kind or title: kept for good (a later read of the file
        keeps it), and the document read again at once so its register rows follow the new kind."""
        from ingest import KINDS

        self._require(as_user, "edit", "correct a document")
        if kind is None and not (title or "").strip():
            raise InputError("say what to correct: --kind KIND and/or --title TITLE")
        if kind is not None and kind not in KINDS:
            raise InputError(f"unknown kind '{kind}': use one of {', '.join(KINDS)}")
        if not (by or "").strip():
            raise InputError("say who is making the correction (--by NAME)")
        docs = [d for d in self.store.documents_named(name) if self.visible(d)]
        if not docs:
            raise NotFoundError(f"no document called '{name}' (see: kb docs)")
        for d in docs:
            self.store.set_correction(d["path"], kind, " ".join(title.split()) if title else None, by.strip())
        self._audit("correct document", f"{name}: kind {kind or '(kept)'}, title {title or '(kept)'} by {by}")
        missing = [d["path"] for d in docs if not Path(d["path"]).exists()]
        if missing:
            raise DocumentError(f"the correction is kept, but the file behind '{name}' is no longer at {missing[0]}: add it again to apply it")
        return self.pipeline.ingest([d["path"] for d in docs], force=True)

    def page_text(self, name: str, page: int | None) -> tuple[str, int]:
        """A document's text (one page of it, for PDFs) and the offset where that text starts in the source."""
        doc = self.document_named(name)
        source = self.store.source_text(doc["id"])
        if page:
            span = chunk_rows.page_span(self.store.db, doc["id"], page)
            if span:
                return source[span[0]:span[1]], span[0]
        return source, 0

    def delete(self, name: str, as_user: str | None = None) -> list[str]:
        """Remove a document (by file name or path) with its chunks and vectors."""
        self._require(as_user, "delete")
        self.pipeline.recover()  # a delete killed half-way left its vectors journalled: remove them now
        self.document_named(name)
        self._audit("delete", name)
        return self.pipeline.delete(name)

    def prune(self, folders: Iterable[str | Path], as_user: str | None = None) -> list[str]:
        """Remove documents whose files under these folders have been deleted (an editor's or admin's job)."""
        self._require(as_user, "delete", "remove documents")
        removed = self.pipeline.prune(folders)
        if removed:
            self._audit("prune", ", ".join(removed)[:2000])
        return removed

    def documents(self) -> list[DocumentInfo]:
        """Every document this reader may see, with its metadata, newest first."""
        return [DocumentInfo.from_row(d) for d in self.store.documents() if self.visible(d)]

    def counts(self) -> dict[str, int]:
        """How many documents and passages this reader may see."""
        return self.store.counts(self.markings)

    def stats(self) -> dict[str, Any]:
        """Counts of documents, chunks and vectors, and the model that built the index."""
        counts: dict[str, Any] = dict(self.store.counts())
        counts["vectors"] = self.vectors.count()
        counts["model"] = self.store.get_setting(MODEL_KEY)
        counts["home"] = str(self.config.home)
        counts["unfinished"] = len(self.store.journal())
        extra, missing = counts["vectors"] - counts["chunks"], counts["chunks"] - counts["vectors"]
        if extra > 0 or missing > 0 or counts["unfinished"]:
            why = (f"{extra} more vectors than passages" if extra > 0 else f"{missing} passages without a vector" if missing > 0 else
                   "vectors and passages match")
            counts["note"] = (f"{why}, and {counts['unfinished']} vector changes an ingest or delete had not finished: an ingest is running now, "
                              "or one was interrupted; the next 'kb ingest' (of any file) tidies them up" if counts["unfinished"] else
                              f"{why}: written by another program, or by an ingest whose record was lost; 'kb backup' then 'kb restore' "
                              "into a new data home rebuilds a consistent index")
        return counts

    def source_text(self, name: str) -> str:
        """The extracted text of a document."""
        return self.store.source_text(self.document_named(name)["id"])
