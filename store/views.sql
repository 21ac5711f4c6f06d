-- The public, read-only views of data-contract.md. Recreated at every open, so a change here
-- needs no migration. Column names are a contract: extend, never rename.

DROP VIEW IF EXISTS v_messages;
CREATE VIEW v_messages AS
SELECT m.id AS message_id, m.header_message_id, m.from_addr, m.subject, m.received_at, m.status,
       m.unit_code, m.report_code, m.period, m.sender_known, m.raw_path,
       m.from_name, m.status_why, m.unit_how, m.period_how, m.flags, m.duplicate_of, m.assigned,
       m.processed_at
FROM messages m;

DROP VIEW IF EXISTS v_submissions;
CREATE VIEW v_submissions AS
WITH s AS (
    SELECT m.id AS message_id, m.unit_code, m.report_code, m.period, m.received_at,
           COALESCE(m.submission, 'full') AS submission,
           ROW_NUMBER() OVER (PARTITION BY m.unit_code, m.report_code, m.period
                              ORDER BY m.received_at, m.id) AS version,
           COUNT(*) OVER (PARTITION BY m.unit_code, m.report_code, m.period) AS n
    FROM messages m
    WHERE m.status = 'report' AND m.unit_code IS NOT NULL AND m.report_code IS NOT NULL
      AND m.period IS NOT NULL
)
SELECT s.unit_code, s.report_code, s.period, s.message_id, s.received_at,
       CASE WHEN COALESCE(e.due, p.due) IS NOT NULL
                 AND substr(s.received_at, 1, 10) <= COALESCE(e.due, p.due) THEN 1 ELSE 0 END AS on_time,
       s.version, CASE WHEN s.version = s.n THEN 1 ELSE 0 END AS is_latest,
       COALESCE(e.due, p.due) AS due, s.submission
FROM s
LEFT JOIN periods p ON p.report_code = s.report_code AND p.period = s.period
LEFT JOIN extensions e ON e.unit_code = s.unit_code AND e.report_code = s.report_code AND e.period = s.period;

DROP VIEW IF EXISTS v_expected;
CREATE VIEW v_expected AS
SELECT p.report_code, p.period, u.code AS unit_code, COALESCE(e.due, p.due) AS due
FROM periods p
JOIN units u
  ON (COALESCE(u.reports, '') = '' OR (';' || u.reports || ';') LIKE ('%;' || p.report_code || ';%'))
 AND (COALESCE(u.active_from, '') = '' OR u.active_from <= p.due)
 AND (COALESCE(u.active_to, '') = '' OR u.active_to >= p.due)
LEFT JOIN extensions e ON e.unit_code = u.code AND e.report_code = p.report_code AND e.period = p.period;

DROP VIEW IF EXISTS v_completeness;
CREATE VIEW v_completeness AS
WITH firsts AS (SELECT * FROM v_submissions WHERE version = 1),
     rows AS (
        SELECT report_code, period, unit_code FROM v_expected
        UNION
        SELECT f.report_code, f.period, f.unit_code FROM firsts f
        JOIN periods p ON p.report_code = f.report_code AND p.period = f.period
     )
SELECT r.report_code, r.period, r.unit_code,
       CASE WHEN f.message_id IS NULL THEN 'missing'
            WHEN f.on_time = 1 THEN 'on_time' ELSE 'late' END AS state,
       f.received_at, f.message_id,
       CASE WHEN x.unit_code IS NULL THEN 0 ELSE 1 END AS expected
FROM rows r
LEFT JOIN firsts f ON f.report_code = r.report_code AND f.period = r.period AND f.unit_code = r.unit_code
LEFT JOIN v_expected x ON x.report_code = r.report_code AND x.period = r.period AND x.unit_code = r.unit_code;

DROP VIEW IF EXISTS v_values;
CREATE VIEW v_values AS
-- The figures that count for each unit and period: those of its latest full report, with the
-- supplements sent after it merged in (a supplement's figure replaces the full report's; its
-- blank cells replace nothing). `message_id` says which mail each figure came from.
WITH ranked AS (
    SELECT v.*, ROW_NUMBER() OVER (PARTITION BY v.message_id, v.indicator ORDER BY v.rank, v.id) AS r
    FROM "values" v
),
base AS (
    SELECT unit_code, report_code, period, MAX(version) AS version
    FROM v_submissions WHERE submission = 'full' GROUP BY unit_code, report_code, period
),
counted AS (
    SELECT s.* FROM v_submissions s
    LEFT JOIN base b ON b.unit_code = s.unit_code AND b.report_code = s.report_code AND b.period = s.period
    WHERE s.version >= COALESCE(b.version, 1)
),
candidates AS (
    SELECT c.unit_code, c.report_code, c.period, c.version, r.indicator, r.value, r.raw, r.source,
           r.message_id, r.method
    FROM counted c JOIN ranked r ON r.message_id = c.message_id AND r.r = 1
    WHERE c.submission = 'full' OR r.value IS NOT NULL
),
picked AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY unit_code, report_code, period, indicator
                                 ORDER BY version DESC) AS k
    FROM candidates
)
SELECT unit_code, report_code, period, indicator, value, raw, source, message_id, method
FROM picked WHERE k = 1;

DROP VIEW IF EXISTS v_warnings;
CREATE VIEW v_warnings AS
SELECT s.unit_code, s.report_code, s.period, w.rule, w.detail, w.message_id
FROM warnings w
JOIN v_submissions s ON s.message_id = w.message_id AND s.is_latest = 1;

DROP VIEW IF EXISTS v_incidents;
CREATE VIEW v_incidents AS
SELECT i.id AS incident_id, i.unit_code, i.occurred_on, i.category, i.summary, i.message_id,
       i.alerted_at, i.created_at,
       (SELECT COUNT(*) FROM incident_messages im WHERE im.incident_id = i.id) AS mails
FROM incidents i;

DROP VIEW IF EXISTS v_failures;
CREATE VIEW v_failures AS
SELECT f.id AS failure_id, f.message_id, f.stage, f.reason, f.detail, f.created_at, f.resolved_at,
       f.filename, f.outbox_id
FROM failures f;

DROP VIEW IF EXISTS v_outbox;
CREATE VIEW v_outbox AS
SELECT o.id AS outbox_id, o.kind, o.recipients, o.subject, o.status, o.dedupe_key, o.created_at,
       o.sent_at, o.attempts, o.last_error, o.header_message_id
FROM outbox o;
