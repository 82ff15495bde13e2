-- Least privilege for the case-record store on PostgreSQL: a role for the workers and one for the
-- console, neither of them the tables' owner nor a superuser, so the record is append-only by
-- privilege and not only by its trigger (which only the owner can disable).
--
--   caseclock_worker   may INSERT into case_record_entries and SELECT it (to find what is already
--                      there), and read the team and staff directories; nothing else: no UPDATE, DELETE, TRUNCATE, ALTER, trigger or DDL,
--                      and none of the console's tables, except three columns of single sign-on access
--                      (user id, role, last sign-in: the SSD sync's alerts go to administrators).
--   caseclock_console  reads the record (SELECT only) and keeps its own tables: sessions, failed
--                      sign-ins, the record of views, calendar feeds, single sign-on access,
--                      held import escalations, the team and staff directories and the integration API's
--                      idempotency keys. The codec server and `caseclock import` use it too.
--
-- Applied by store/provision.ts, which connects as the database's owner (or a superuser),
-- migrates first, then runs this file and sets both roles' passwords from the environment:
--
--   CASECLOCK_STORE_OWNER_URL=postgres://OWNER:...@HOST/caseclock CASECLOCK_WORKER_DB_PASSWORD=... \
--   CASECLOCK_CONSOLE_DB_PASSWORD=... node --import tsx store/provision.ts
--
-- (npm run start:cluster and docker-compose.yml run it for you). Then the workers get
-- postgres://caseclock_worker:...@HOST/caseclock and the console, codec server and command line
-- postgres://caseclock_console:...@HOST/caseclock as CASECLOCK_STORE_URL; on their roles they find
-- nothing to migrate. Run provision again after every upgrade (a migration may add a table).
-- Idempotent. Tested in tests/store/case-record-store.test.ts on Debian's PostgreSQL 15.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'caseclock_worker') THEN
    CREATE ROLE caseclock_worker LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'caseclock_console') THEN
    CREATE ROLE caseclock_console LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
END;
$$;

-- Nothing by default: no creating objects in the schema (PostgreSQL 15's default, made sure of),
-- and whatever either role was given before is taken back first.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM caseclock_worker, caseclock_console;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM caseclock_worker, caseclock_console;
GRANT USAGE ON SCHEMA public TO caseclock_worker, caseclock_console;

-- The worker: append and read back the record.
GRANT SELECT, INSERT ON case_record_entries TO caseclock_worker;
-- Each case's summary, replaced with every write of its record (store/case-summary.ts).
GRANT SELECT, INSERT, UPDATE ON case_summaries TO caseclock_worker;
-- The sync from the council's SSD runs in the worker: it reads a team's manager and head of service
-- and a worker's name and email from the directories (docs/staff.md); only the console keeps them.
GRANT SELECT ON team_directory, staff_directory TO caseclock_worker;
-- The sync keeps its ledger of rows read, the children it keeps cases for and its runs.
GRANT SELECT, INSERT, UPDATE, DELETE ON ssd_ledger, ssd_cases TO caseclock_worker;
GRANT SELECT, INSERT, UPDATE ON ssd_sync_runs TO caseclock_worker;
GRANT USAGE ON SEQUENCE ssd_sync_runs_id_seq TO caseclock_worker;
-- Escalations already due when the sync opens a case are held until their summary email is sent (as for an import).
GRANT SELECT, INSERT, UPDATE, DELETE ON import_held_escalations TO caseclock_worker;
-- It tells the administrators once when runs start failing and once when they recover, and
-- remembers what it sent; it finds administrators who sign in through single sign-on by their id
-- and role only (their addresses come from the staff directory).
GRANT SELECT, INSERT ON ssd_sync_alerts TO caseclock_worker;
GRANT USAGE ON SEQUENCE ssd_sync_alerts_id_seq TO caseclock_worker;
GRANT SELECT (user_id, role, signed_in_at) ON console_sso_access TO caseclock_worker;

-- The console: read the record; keep its own tables.
GRANT SELECT ON case_record_entries TO caseclock_console;
-- Every page reads a case from its summary, never from its workflow.
GRANT SELECT ON case_summaries TO caseclock_console;
-- The sync's runs and ledger: the source's freshness on the dashboard, the reconciliation page.
GRANT SELECT ON ssd_sync_runs, ssd_ledger, ssd_cases TO caseclock_console;
GRANT SELECT, INSERT, UPDATE, DELETE ON
  console_sessions, console_sign_in_failures, console_case_views, console_calendar_feeds,
  console_sso_access, import_held_escalations, team_directory, staff_directory
  TO caseclock_console;
-- The integration API's idempotency keys: claimed, answered, taken over when their lease ran out, expired.
GRANT SELECT, INSERT, UPDATE, DELETE ON api_idempotency_keys TO caseclock_console;

-- Both may see which migrations are applied (node-pg-migrate reads this table); neither may change it.
GRANT SELECT ON case_record_store_migrations TO caseclock_worker, caseclock_console;
