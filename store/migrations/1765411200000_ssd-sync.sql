-- What the sync from the council's Standard Safeguarding Dataset keeps between reads (docs/ssd.md).
--
-- ssd_ledger: the last read of each SSD row CaseClock maps to events, by its source key
-- (`<table>:<row id>`): the child's person id, a hash of what CaseClock reads from the row, and the
-- events it says happened (dates and codes only; the sync never selects names, addresses or free
-- text). A row is written here only once its case holds what it says, so a read that fails part-way
-- is carried on by the next one, and a row read twice is recorded once.
--
-- ssd_cases: each child the sync keeps a case for, the case id and whether the sync opened or
-- closed it, so the next read knows without asking Temporal.
--
-- ssd_sync_runs: one row per sync: when it ran, how it ended, its counts and what it reported
-- (unknown teams and workers, refused rows), for the dashboard's freshness and the administrators.

-- Up Migration

CREATE TABLE ssd_ledger (
  source_key  text        PRIMARY KEY,
  person_id   text        NOT NULL,
  hash        text        NOT NULL,
  entry       jsonb       NOT NULL,
  read_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ssd_ledger_person ON ssd_ledger (person_id);

CREATE TABLE ssd_cases (
  person_id   text        PRIMARY KEY,
  case_id     text        NOT NULL UNIQUE,
  status      text        NOT NULL CHECK (status IN ('open', 'closed')),
  team        text        NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ssd_sync_runs (
  id            bigserial   PRIMARY KEY,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz,
  outcome       text        NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed')),
  source_kind   text        NOT NULL,
  -- When the council last refreshed the SSD, where it records that.
  refreshed_at  timestamptz,
  counts        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  report        jsonb       NOT NULL DEFAULT '[]'::jsonb,
  problem       text
);
CREATE INDEX ssd_sync_runs_finished ON ssd_sync_runs (outcome, finished_at DESC);

-- Down Migration

DROP TABLE ssd_sync_runs;
DROP TABLE ssd_cases;
DROP TABLE ssd_ledger;
