-- The reports read the latest outcome of each obligation, by kind and deadline, from the case
-- record (never by replaying a case): this index serves them without reading other entries.

-- Up Migration

CREATE INDEX case_record_outcomes_by_kind_due ON case_record_entries
  ((data->'obligation'->>'kind'), (data->'obligation'->>'dueAt'))
  WHERE kind = 'outcome';

-- One obligation's outcomes, newest first.
CREATE INDEX case_record_outcomes_by_obligation ON case_record_entries
  (case_id, subject, (data->'obligation'->>'id'))
  WHERE kind = 'outcome';

-- Down Migration

DROP INDEX case_record_outcomes_by_obligation;
DROP INDEX case_record_outcomes_by_kind_due;
