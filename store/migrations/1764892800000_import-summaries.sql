-- Escalations of imported cases that were already due when the case arrived, held for the
-- import's one summary email per recipient. Each is written before its case opens (the case is
-- told not to send it itself) and marked sent once the summary has gone, so an import that is
-- interrupted, or whose mail server was down, sends them on its next run instead of losing them.

-- Up Migration

CREATE TABLE import_held_escalations (
  -- The case's own message id for the escalation: one row per escalation, whichever run held it.
  message_id  text        PRIMARY KEY,
  case_id     text        NOT NULL,
  -- The import run that held it; a run that finds the case already there releases only its own rows.
  run_id      text        NOT NULL,
  recipient   text        NOT NULL,
  -- The escalation as the summary lists it (case reference, obligation title, due date, level, role, recipient).
  escalation  jsonb       NOT NULL,
  held_at     timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz
);
CREATE INDEX import_held_escalations_unsent ON import_held_escalations (recipient) WHERE sent_at IS NULL;
CREATE INDEX import_held_escalations_by_case ON import_held_escalations (case_id);

-- Down Migration

DROP TABLE import_held_escalations;
