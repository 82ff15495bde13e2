-- No connection left idle inside a transaction holds the store for long: on PostgreSQL, every new
-- session of this database (CaseClock's, an operator's psql, a report tool's) is ended by the
-- server once it has sat idle inside a transaction for 10 seconds, releasing its locks, unless it
-- says otherwise (SET idle_in_transaction_session_timeout = 0 for a long manual session).
-- CaseClock's own pools ask for the same, and a 5-second statement_timeout, when they connect
-- (store/case-record-store.ts, StoreSessionLimits).
-- Skipped on the embedded store (PGlite): it runs one session for every connection, and ending it
-- would end them all. Skipped, with a notice, when the migrating role may not alter the database
-- (not its owner): then the database's owner runs the ALTER DATABASE below once.

-- Up Migration

DO $$
BEGIN
  IF version() LIKE '%PGlite%' THEN
    RETURN;
  END IF;
  EXECUTE format('ALTER DATABASE %I SET idle_in_transaction_session_timeout = %L', current_database(), '10s');
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'not the owner of database %: run ALTER DATABASE % SET idle_in_transaction_session_timeout = ''10s'' as its owner', current_database(), current_database();
END;
$$;

-- Down Migration

DO $$
BEGIN
  IF version() LIKE '%PGlite%' THEN
    RETURN;
  END IF;
  EXECUTE format('ALTER DATABASE %I RESET idle_in_transaction_session_timeout', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  NULL;
END;
$$;
