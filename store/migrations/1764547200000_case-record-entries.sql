-- The case record: every event, message sent (with the SMTP answer), note, policy change and
-- obligation outcome of a case or serious incident, kept outside Temporal so that it outlives
-- history retention. Append-only: rows are inserted, never changed or removed.
-- Applied by node-pg-migrate (store/case-record-store.ts, migrateCaseRecordStore); the same SQL
-- runs on PostgreSQL 15+ and on PGlite.

-- Up Migration

CREATE TABLE case_record_entries (
  entry_id    text        PRIMARY KEY,
  case_id     text        NOT NULL,
  subject     text        NOT NULL CONSTRAINT case_record_entries_subject_check CHECK (subject IN ('case', 'incident')),
  kind        text        NOT NULL CONSTRAINT case_record_entries_kind_check CHECK (kind IN ('event', 'message', 'note', 'policy', 'outcome')),
  at          timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL,
  by_user     text        NOT NULL,
  summary     text        NOT NULL,
  data        jsonb       NOT NULL CONSTRAINT case_record_entries_data_check CHECK (jsonb_typeof(data) = 'object'),
  stored_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX case_record_entries_case_at ON case_record_entries (case_id, at);

-- Nothing stored is ever changed: UPDATE, DELETE and TRUNCATE are refused by the database itself,
-- whoever asks. (INSERT ... ON CONFLICT DO NOTHING fires no UPDATE trigger.)
CREATE FUNCTION case_record_entries_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'case_record_entries is append-only: TRUNCATE refused'
      USING ERRCODE = 'restrict_violation', HINT = 'Nothing stored in the case record is ever changed or removed.';
  END IF;
  RAISE EXCEPTION 'case_record_entries is append-only: % of entry % refused', TG_OP, OLD.entry_id
    USING ERRCODE = 'restrict_violation', HINT = 'Append a new entry (a correction or a note) instead.';
END;
$$;

CREATE TRIGGER case_record_entries_append_only
  BEFORE UPDATE OR DELETE ON case_record_entries
  FOR EACH ROW EXECUTE FUNCTION case_record_entries_refuse_change();

CREATE TRIGGER case_record_entries_no_truncate
  BEFORE TRUNCATE ON case_record_entries
  FOR EACH STATEMENT EXECUTE FUNCTION case_record_entries_refuse_change();

-- Down Migration

DO $$
BEGIN
  RAISE EXCEPTION 'the case record is never dropped by a migration: restore a backup instead';
END;
$$;
