-- The reports read the latest outcome of each obligation, by kind and deadline, from the case
-- record (never by replaying a case). Generated columns keep the fields they need out of the JSON
-- once, when the entry is written (the table stays append-only: nothing is updated).

-- Up Migration

ALTER TABLE case_record_entries
  ADD COLUMN obligation_id   text   GENERATED ALWAYS AS (CASE WHEN kind = 'outcome' THEN data->'obligation'->>'id' END) STORED,
  ADD COLUMN obligation_kind text   GENERATED ALWAYS AS (CASE WHEN kind = 'outcome' THEN data->'obligation'->>'kind' END) STORED,
  ADD COLUMN due_at          text   GENERATED ALWAYS AS (CASE WHEN kind = 'outcome' THEN data->'obligation'->>'dueAt' END) STORED,
  ADD COLUMN outcome_seq     bigint GENERATED ALWAYS AS (CASE WHEN kind = 'outcome' AND jsonb_typeof(data->'seq') = 'number' THEN (data->>'seq')::bigint END) STORED;

-- Outcomes by kind and deadline: which obligations a period's report counts.
CREATE INDEX case_record_outcomes_by_kind_due ON case_record_entries (obligation_kind, due_at) WHERE kind = 'outcome';

-- One obligation's outcomes, newest first.
CREATE INDEX case_record_outcomes_by_obligation ON case_record_entries (case_id, subject, obligation_id, outcome_seq DESC) WHERE kind = 'outcome';

-- Down Migration

DROP INDEX case_record_outcomes_by_obligation;
DROP INDEX case_record_outcomes_by_kind_due;
ALTER TABLE case_record_entries DROP COLUMN outcome_seq, DROP COLUMN due_at, DROP COLUMN obligation_kind, DROP COLUMN obligation_id;
