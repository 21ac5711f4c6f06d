"""Forward-only migrations. Each entry is applied once, in a transaction, and bumps
`PRAGMA user_version`; never edit an applied migration, add a new one."""
from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the initial schema
    """
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        header_message_id TEXT,
        from_addr TEXT,
        from_name TEXT,
        subject TEXT,
        date_header TEXT,
        received_at TEXT NOT NULL,          -- ISO 8601 with offset, in the configured time zone
        received_how TEXT,                  -- internaldate | received-header | date-header | file-mtime
        raw_path TEXT NOT NULL,
        size INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'new', -- new, report, incident, ignored, unplaced, failed, duplicate
        status_why TEXT,
        unit_code TEXT,
        unit_how TEXT,
        sender_known INTEGER,
        report_code TEXT,
        period TEXT,
        period_how TEXT,
        flags TEXT NOT NULL DEFAULT '[]',   -- JSON list: possible-spoof, personal-address, ...
        body_text TEXT,
        duplicate_of INTEGER REFERENCES messages(id),
        assigned INTEGER NOT NULL DEFAULT 0, -- 1 when an admin decided unit/period
        created_at TEXT NOT NULL,
        processed_at TEXT
    );
    CREATE INDEX messages_header_id ON messages(header_message_id);
    CREATE INDEX messages_placement ON messages(report_code, period, unit_code, status);
    CREATE INDEX messages_from ON messages(from_addr);

    CREATE TABLE seen (
        source TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid TEXT NOT NULL,
        message_id INTEGER REFERENCES messages(id),
        seen_at TEXT NOT NULL,
        PRIMARY KEY (source, uidvalidity, uid)
    );
    CREATE TABLE source_state (
        source TEXT PRIMARY KEY,
        uidvalidity INTEGER,
        uidnext INTEGER,
        last_uid INTEGER,
        last_poll_at TEXT,
        last_success_at TEXT,
        last_error TEXT,
        last_error_at TEXT
    );

    CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        filename TEXT NOT NULL,             -- as the sender named it (decoded)
        safe_name TEXT NOT NULL,            -- sanitised, the only name that touches a disk
        declared_type TEXT,
        detected_type TEXT,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        stated_unit TEXT,
        stated_period TEXT,
        text TEXT,
        parsed_at TEXT
    );
    CREATE INDEX attachments_message ON attachments(message_id);

    CREATE TABLE "values" (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        attachment_id INTEGER REFERENCES attachments(id) ON DELETE CASCADE,
        indicator TEXT NOT NULL,
        value REAL,
        raw TEXT,
        source TEXT,
        method TEXT NOT NULL DEFAULT 'table',
        rank INTEGER NOT NULL DEFAULT 0     -- lower wins when several files give the same indicator
    );
    CREATE INDEX values_message ON "values"(message_id, indicator);

    CREATE TABLE warnings (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX warnings_message ON warnings(message_id);

    CREATE TABLE failures (
        id INTEGER PRIMARY KEY,
        message_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,                -- fetch, mime, classify, parse, validate, send
        reason TEXT NOT NULL,
        detail TEXT,
        filename TEXT,
        outbox_id INTEGER,
        created_at TEXT NOT NULL,
        resolved_at TEXT
    );
    CREATE INDEX failures_open ON failures(resolved_at, created_at);

    CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        case_key TEXT NOT NULL UNIQUE,      -- unit + category + date: follow-ups join the same case
        unit_code TEXT,
        occurred_on TEXT,
        category TEXT NOT NULL,
        summary TEXT,
        message_id INTEGER NOT NULL REFERENCES messages(id),
        alerted_at TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE incident_messages (
        incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        PRIMARY KEY (incident_id, message_id)
    );

    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,                 -- reminder, digest, receipt, alert
        dedupe_key TEXT NOT NULL UNIQUE,
        recipients TEXT NOT NULL,           -- comma-separated
        subject TEXT NOT NULL,
        header_message_id TEXT NOT NULL,
        mime BLOB NOT NULL,                 -- the complete message, fixed at creation
        status TEXT NOT NULL DEFAULT 'pending', -- pending, sending, sent, failed
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE INDEX outbox_status ON outbox(status, next_attempt_at);

    CREATE TABLE units (
        code TEXT PRIMARY KEY, name TEXT, kind TEXT, district TEXT, emails TEXT, aliases TEXT,
        reports TEXT, active_from TEXT, active_to TEXT
    );
    CREATE TABLE unit_senders (            -- addresses an admin taught with `assign --remember-sender`
        address TEXT PRIMARY KEY,
        unit_code TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE periods (
        report_code TEXT NOT NULL, period TEXT NOT NULL, label TEXT, due TEXT NOT NULL,
        PRIMARY KEY (report_code, period)
    );
    CREATE TABLE extensions (
        unit_code TEXT NOT NULL, report_code TEXT NOT NULL, period TEXT NOT NULL, due TEXT NOT NULL,
        PRIMARY KEY (unit_code, report_code, period)
    );
    CREATE TABLE job_runs (
        id INTEGER PRIMARY KEY,
        job TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        ok INTEGER,
        detail TEXT
    );
    CREATE INDEX job_runs_job ON job_runs(job, started_at);
    """,
    # 2: a parser's notes on a file stay with the file (English, for the admin), apart from the
    # form's validation warnings that the digest and receipts show to people
    """
    ALTER TABLE attachments ADD COLUMN notes TEXT;
    """,
    # 3: nothing is lost, nothing stops: the row is recorded from the bytes alone (source and UID
    # included) before any decoding; each processing attempt is counted and the stage it reached
    # kept, so a message that kills the process is quarantined after N tries instead of retried
    # forever. `meta` remembers what was last mirrored into the store (views, configuration), so
    # a command that only reads writes nothing.
    """
    ALTER TABLE messages ADD COLUMN source TEXT;
    ALTER TABLE messages ADD COLUMN source_uid TEXT;
    ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN stage TEXT;
    CREATE INDEX messages_unprocessed ON messages(processed_at) WHERE processed_at IS NULL;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 4: what the documents written later need about the mail is kept on its row at intake, so
    # nothing downstream re-reads the raw archive: why it is machine-sent (receipts never answer
    # it) and its thread (a receipt's References). `checked_at`: when the form's validation rules
    # last ran over its values (compile's job after the poll; NULL: not yet, or re-processed since).
    """
    ALTER TABLE messages ADD COLUMN automatic TEXT;
    ALTER TABLE messages ADD COLUMN thread_refs TEXT;
    ALTER TABLE messages ADD COLUMN checked_at TEXT;
    """,
    # 5: a message the mail server refuses to send (FETCH answered NO or BAD) is not a dropped
    # connection: the poll goes on with the others, and this table counts the refusals of each
    # UID so it is tried again at later polls, at most `[mailbox] max_fetch_attempts` times.
    # `failure_id` is its `fetch` row in `failures` (what the admin sees in v_failures); it is
    # resolved when the message is finally taken or is no longer in the folder.
    """
    CREATE TABLE fetch_refusals (
        source TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        failure_id INTEGER REFERENCES failures(id),
        last_error TEXT,
        last_at TEXT NOT NULL,
        PRIMARY KEY (source, uidvalidity, uid)
    );
    """,
    # 6: a report mail that only adds or corrects a few figures of the unit's report for the
    # period ("bổ sung", "điều chỉnh số liệu") is a `supplement`: its figures are merged into the
    # latest full report instead of replacing it (v_values); a full form is `full`.
    """
    ALTER TABLE messages ADD COLUMN submission TEXT;
    """,
    # 7: what every poll asks of the store is found through an index, so a poll with nothing new
    # costs the same over ten thousand mails as over two hundred: the reports the form's rules
    # have not checked, the recent reports that may want a receipt, the incidents not alerted.
    """
    CREATE INDEX messages_unchecked ON messages(id) WHERE status = 'report' AND checked_at IS NULL;
    CREATE INDEX messages_report_created ON messages(created_at) WHERE status = 'report';
    CREATE INDEX incidents_unalerted ON incidents(id) WHERE alerted_at IS NULL;
    """,
]
