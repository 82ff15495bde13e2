-- When the sync closed a child's case (the case system's close date): a new episode that opens after
-- it is a new referral, and opens a new case for the child.

-- Up Migration

ALTER TABLE ssd_cases ADD COLUMN closed_at timestamptz;

-- Down Migration

ALTER TABLE ssd_cases DROP COLUMN closed_at;
