-- The allocated worker (the case system's staff id) the sync last gave each child's case, so a
-- reallocation in the case system (another worker, another team) is followed on the case; and the
-- state `opening`: the sync has written the rows a case opens with to the ledger and is opening it,
-- so a run stopped in between knows, next time, which rows the case may already hold.

-- Up Migration

ALTER TABLE ssd_cases ADD COLUMN worker_staff_id text;
ALTER TABLE ssd_cases DROP CONSTRAINT ssd_cases_status_check;
ALTER TABLE ssd_cases ADD CONSTRAINT ssd_cases_status_check CHECK (status IN ('opening', 'open', 'closed'));

-- Down Migration

ALTER TABLE ssd_cases DROP CONSTRAINT ssd_cases_status_check;
ALTER TABLE ssd_cases ADD CONSTRAINT ssd_cases_status_check CHECK (status IN ('open', 'closed'));
ALTER TABLE ssd_cases DROP COLUMN worker_staff_id;
