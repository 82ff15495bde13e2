-- The council's teams as CaseClock knows them: one row per team, keyed by the team code cases
-- carry (LOCALITY-NORTH), with its display name, service area, team manager and head of service
-- (console user ids), and, once the directory is fed from the council's case system, the
-- Standard Safeguarding Dataset's ssd_department.dept_team_id. Administrators keep it (console
-- and `caseclock teams`); cases, incidents and imports are refused a team not in it once it lists
-- any team (docs/teams.md).

-- Up Migration

CREATE TABLE team_directory (
  code          text        PRIMARY KEY,
  name          text        NOT NULL,
  service_area  text        NOT NULL,
  manager       text        NOT NULL,
  head          text        NOT NULL,
  -- ssd_department.dept_team_id, when the team comes from (or is matched to) the case system.
  source_id     text        UNIQUE,
  changed_by    text        NOT NULL,
  changed_at    timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE team_directory;
