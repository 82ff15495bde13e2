-- The web console's shared state, kept with the case record so that every console replica (and
-- the codec server) sees the same sessions, sign-in failures and record of who viewed which case.

-- Up Migration

-- Signed-in sessions: the cookie carries only the signed session id. Deleting a user's rows signs
-- them out everywhere (a changed password does this).
CREATE TABLE console_sessions (
  sid         text        PRIMARY KEY,
  uid         text,
  data        jsonb       NOT NULL,
  expires_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_sessions_by_user ON console_sessions (uid);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);

-- Failed sign-ins per user id and address: a run of failures from one address locks that address
-- out for that user only, so nobody can lock a colleague out from elsewhere.
CREATE TABLE console_sign_in_failures (
  uid           text        NOT NULL,
  address       text        NOT NULL,
  failures      integer     NOT NULL,
  first_at      timestamptz NOT NULL,
  locked_until  timestamptz,
  PRIMARY KEY (uid, address)
);

-- Every view of a case or incident: who, which, when. Append-only.
CREATE TABLE console_case_views (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  viewed_at  timestamptz NOT NULL DEFAULT now(),
  viewer     text        NOT NULL,
  role       text        NOT NULL,
  subject    text        NOT NULL,
  case_id    text        NOT NULL,
  what       text        NOT NULL
);
CREATE INDEX console_case_views_by_case ON console_case_views (case_id, viewed_at DESC);
CREATE INDEX console_case_views_by_viewer ON console_case_views (viewer, viewed_at DESC);
CREATE INDEX console_case_views_by_time ON console_case_views (viewed_at DESC);

-- Down Migration

DROP TABLE console_case_views;
DROP TABLE console_sign_in_failures;
DROP TABLE console_sessions;
