-- The council's staff as CaseClock knows them: one row per member of staff, keyed by the case
-- system's staff id (the Standard Safeguarding Dataset's ssd_professionals.prof_staff_id, the only
-- way the SSD names a child's allocated worker), with the name and work email reminders and
-- escalations go to and, when they sign in to the console, their console user id. CaseClock never
-- reads names from the SSD: the sync finds a worker here, and reports one it cannot find rather
-- than invent a contact. Administrators keep it (console and `caseclock staff`; docs/staff.md).

-- Up Migration

CREATE TABLE staff_directory (
  staff_id    text        PRIMARY KEY,
  name        text        NOT NULL,
  email       text        NOT NULL,
  -- The console user id they sign in as; one member of staff each.
  user_id     text        UNIQUE,
  changed_by  text        NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE staff_directory;
