"""The database's schema: numbered migrations, applied in order and recorded in ``schema_migrations``
(kb.store runs them). A migration is never edited once released: a change is a new migration."""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: documents, their text and pages, chunks with a full-text index, settings, vector journal
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        format TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        date TEXT,
        date_text TEXT,
        force TEXT,
        foi_reference TEXT,
        report TEXT,
        pages INTEGER NOT NULL DEFAULT 0,
        chunks INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        warnings TEXT NOT NULL DEFAULT '[]',
        meta TEXT NOT NULL DEFAULT '{}',
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX documents_hash ON documents(content_hash);
    CREATE INDEX documents_name ON documents(name);
    CREATE TABLE doc_text (
        doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        source TEXT NOT NULL
    );
    CREATE TABLE pages (
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        label TEXT,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        has_text INTEGER NOT NULL,
        PRIMARY KEY (doc_id, number)
    );
    CREATE TABLE chunks (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        text TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        page INTEGER,
        page_end INTEGER,
        section TEXT NOT NULL DEFAULT '',
        ref TEXT,
        tokens INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX chunks_doc ON chunks(doc_id, ordinal);
    CREATE VIRTUAL TABLE chunks_fts USING fts5(
        text, section, title, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE vector_journal (chunk_id TEXT PRIMARY KEY);
    """,
    # 2: what a passage answers (a recommendation's lead for a response piece, an FOI answer's question)
    """
    ALTER TABLE chunks ADD COLUMN context TEXT NOT NULL DEFAULT '';
    """,
    # 3: the recommendation register: one row per recommendation (keyed by report + ref), what each
    #    document said about it, and an append-only history of every change
    """
    CREATE TABLE recommendations (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        doc TEXT NOT NULL,
        doc_date TEXT,
        report TEXT,
        type TEXT NOT NULL,
        ref TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        parent TEXT,
        seq INTEGER NOT NULL DEFAULT 0,
        text TEXT NOT NULL,
        addressee TEXT,
        deadline TEXT,
        deadline_text TEXT,
        theme TEXT NOT NULL DEFAULT '',
        response TEXT NOT NULL DEFAULT '',
        chunk_id TEXT,
        page INTEGER,
        status TEXT NOT NULL,
        status_source TEXT NOT NULL,
        status_evidence TEXT NOT NULL DEFAULT '',
        status_doc TEXT,
        status_chunk TEXT,
        status_page INTEGER,
        status_by TEXT,
        status_at TEXT,
        owner TEXT,
        due TEXT,
        note TEXT,
        version INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX recommendations_doc ON recommendations(doc);
    CREATE TABLE rec_statements (
        id INTEGER PRIMARY KEY,
        rec_key TEXT NOT NULL,
        doc TEXT NOT NULL,
        doc_date TEXT,
        status TEXT NOT NULL,
        quote TEXT NOT NULL DEFAULT '',
        chunk_id TEXT,
        page INTEGER,
        at TEXT NOT NULL,
        proposal TEXT NOT NULL DEFAULT 'none'
    );
    CREATE INDEX rec_statements_key ON rec_statements(rec_key);
    CREATE TABLE rec_history (
        id INTEGER PRIMARY KEY,
        rec_key TEXT NOT NULL,
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        field TEXT NOT NULL,
        old TEXT,
        new TEXT,
        why TEXT
    );
    CREATE INDEX rec_history_key ON rec_history(rec_key);
    CREATE TRIGGER rec_history_append_only_update BEFORE UPDATE ON rec_history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    CREATE TRIGGER rec_history_append_only_delete BEFORE DELETE ON rec_history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    """,
    # 4: the corpus's own glossary, from "Expansion (ACRONYM)" pairs, per document
    """
    CREATE TABLE glossary (
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        acronym TEXT NOT NULL,
        expansion TEXT NOT NULL,
        PRIMARY KEY (doc_id, acronym)
    );
    CREATE INDEX glossary_acronym ON glossary(acronym);
    """,
    # 5: FOI disclosures: the record and each question with its answer (requester details never stored)
    """
    CREATE TABLE foi_records (
        doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        reference TEXT,
        received TEXT,
        disclosed TEXT,
        outcome TEXT NOT NULL,
        exemptions TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE foi_questions (
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        n INTEGER NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL DEFAULT '',
        exemptions TEXT NOT NULL DEFAULT '[]',
        chunk_id TEXT,
        page INTEGER
    );
    CREATE INDEX foi_questions_doc ON foi_questions(doc_id);
    """,
    # 6: users of the app (scrypt hashes, never passwords)
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
        salt BLOB NOT NULL,
        hash BLOB NOT NULL,
        n INTEGER NOT NULL,
        r INTEGER NOT NULL,
        p INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    """,
    # 7: protective markings on documents, clearances on users, and the audit log (append-only)
    """
    ALTER TABLE documents ADD COLUMN marking TEXT NOT NULL DEFAULT 'OFFICIAL';
    CREATE INDEX documents_marking ON documents(marking);
    ALTER TABLE users ADD COLUMN clearance TEXT NOT NULL DEFAULT 'OFFICIAL';
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_at ON audit(at);
    CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
    # 8: a counter that every change to the documents table raises (the key of caches derived from
    # documents, such as a filter's passing passages: one indexed read instead of a scan per query).
    # It starts at random, so a restored or swapped database file never repeats another's number.
    """
    INSERT OR IGNORE INTO settings (key, value) VALUES ('documents_version', CAST(abs(random() % 1000000000000) AS TEXT));
    CREATE TRIGGER documents_version_insert AFTER INSERT ON documents
        BEGIN UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'documents_version'; END;
    CREATE TRIGGER documents_version_update AFTER UPDATE ON documents
        BEGIN UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'documents_version'; END;
    CREATE TRIGGER documents_version_delete AFTER DELETE ON documents
        BEGIN UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'documents_version'; END;
    """,
    # 9: a person's correction of a document's kind or title, by file path: kept when the file is read again
    """
    CREATE TABLE doc_corrections (
        path TEXT PRIMARY KEY,
        kind TEXT,
        title TEXT,
        by TEXT NOT NULL,
        at TEXT NOT NULL
    );
    """,
    # 10: what search scores and shows: a chunk's passage runs on past it (ingest.chunk.passages);
    # a database of an earlier version keeps its chunks as passages until its files are read again
    """
    ALTER TABLE chunks ADD COLUMN passage TEXT NOT NULL DEFAULT '';
    ALTER TABLE chunks ADD COLUMN passage_end INTEGER;
    """,
    # 11: verified closure of recommendations (a complete is proposed, then verified or sent back by
    # someone else), a revised due date kept beside the original with its reason; the verifier role
    # (SQLite cannot change a CHECK: the users table is rebuilt); the FOI request log and its
    # append-only events (no requester's name or contact details are ever stored)
    """
    ALTER TABLE recommendations ADD COLUMN verification TEXT NOT NULL DEFAULT '';
    ALTER TABLE recommendations ADD COLUMN proposed_by TEXT;
    ALTER TABLE recommendations ADD COLUMN proposed_at TEXT;
    ALTER TABLE recommendations ADD COLUMN proposed_from TEXT;
    ALTER TABLE recommendations ADD COLUMN verified_by TEXT;
    ALTER TABLE recommendations ADD COLUMN verified_at TEXT;
    ALTER TABLE recommendations ADD COLUMN original_due TEXT;
    ALTER TABLE recommendations ADD COLUMN due_why TEXT;
    ALTER TABLE recommendations ADD COLUMN due_agreed_by TEXT;
    UPDATE recommendations SET verification = 'awaiting', proposed_by = status_by, proposed_at = status_at WHERE status = 'complete';
    CREATE TABLE users_new (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'verifier', 'admin')),
        salt BLOB NOT NULL,
        hash BLOB NOT NULL,
        n INTEGER NOT NULL,
        r INTEGER NOT NULL,
        p INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        clearance TEXT NOT NULL DEFAULT 'OFFICIAL'
    );
    INSERT INTO users_new (name, role, salt, hash, n, r, p, created_at, clearance)
        SELECT name, role, salt, hash, n, r, p, created_at, clearance FROM users;
    DROP TABLE users;
    ALTER TABLE users_new RENAME TO users;
    CREATE TABLE foi_requests (
        ref TEXT PRIMARY KEY,
        received TEXT NOT NULL,
        request TEXT NOT NULL,
        officer TEXT,
        precedents TEXT NOT NULL DEFAULT '[]',
        removed TEXT NOT NULL DEFAULT '[]',
        logged_by TEXT NOT NULL,
        logged_at TEXT NOT NULL
    );
    CREATE TRIGGER foi_requests_append_only_update BEFORE UPDATE ON foi_requests
        BEGIN SELECT RAISE(ABORT, 'the FOI log is append-only'); END;
    CREATE TRIGGER foi_requests_append_only_delete BEFORE DELETE ON foi_requests
        BEGIN SELECT RAISE(ABORT, 'the FOI log is append-only'); END;
    CREATE TABLE foi_events (
        id INTEGER PRIMARY KEY,
        ref TEXT NOT NULL REFERENCES foi_requests(ref),
        kind TEXT NOT NULL,
        on_date TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        outcome TEXT,
        exemptions TEXT NOT NULL DEFAULT '[]',
        by TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX foi_events_ref ON foi_events(ref);
    CREATE TRIGGER foi_events_append_only_update BEFORE UPDATE ON foi_events
        BEGIN SELECT RAISE(ABORT, 'the FOI log is append-only'); END;
    CREATE TRIGGER foi_events_append_only_delete BEFORE DELETE ON foi_events
        BEGIN SELECT RAISE(ABORT, 'the FOI log is append-only'); END;
    """,
]


def statements(sql: str) -> list[str]:
    """Split a migration into complete SQL statements (a trigger's body holds semicolons)."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return [s for s in out if s.strip(" ;\n")]
