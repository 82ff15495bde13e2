-- Each case's (and incident's) summary: where it stands as of its last write to the record, one row
-- replaced each time, so every reader (console, command line, digest, feeds) reads here and never
-- wakes a workflow. `next_due_at` is the earliest deadline of its open obligations not on hold, so
-- the most overdue sort first; `worker` the allocated worker's display name (staff, never a child).

-- Up Migration

CREATE TABLE case_summaries (
  subject text NOT NULL CHECK (subject IN ('case', 'incident')),
  case_id text NOT NULL,
  team text NOT NULL,
  tier text,
  status text NOT NULL CHECK (status IN ('open', 'closed')),
  next_due_at timestamptz,
  worker text,
  summary jsonb NOT NULL,
  written_at timestamptz NOT NULL,
  PRIMARY KEY (subject, case_id)
);
CREATE INDEX case_summaries_due ON case_summaries (subject, status, next_due_at, case_id);
CREATE INDEX case_summaries_team ON case_summaries (team, status, next_due_at);

-- Down Migration

DROP TABLE case_summaries;
