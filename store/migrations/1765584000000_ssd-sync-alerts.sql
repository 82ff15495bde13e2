-- What the SSD sync has told CaseClock's administrators (docs/ssd.md): one row per email, `failing`
-- when runs start failing (or a run finds the last success more than two intervals old) and
-- `recovered` when a run succeeds again. The latest row says whether a failing streak is open, so
-- the administrators are told once per streak, not at every run. Written by the worker's role.

-- Up Migration

CREATE TABLE ssd_sync_alerts (
  id          bigserial   PRIMARY KEY,
  kind        text        NOT NULL CHECK (kind IN ('failing', 'recovered')),
  -- The run that sent it.
  run_id      bigint      NOT NULL REFERENCES ssd_sync_runs (id),
  -- The last successful read before the streak (none: never read).
  since       timestamptz,
  problem     text,
  recipients  integer     NOT NULL CHECK (recipients > 0),
  sent_at     timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE ssd_sync_alerts;
