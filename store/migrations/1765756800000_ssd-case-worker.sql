-- The allocated worker (the case system's staff id) the sync last gave each child's case, so a
-- reallocation in the case system (another worker, another team) is followed on the case.

-- Up Migration

ALTER TABLE ssd_cases ADD COLUMN worker_staff_id text;

-- Down Migration

ALTER TABLE ssd_cases DROP COLUMN worker_staff_id;
