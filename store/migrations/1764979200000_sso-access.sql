-- Access as the council's identity provider last gave it: one row per person who signs in to the
-- console through single sign-on, replaced at each sign-in. A calendar feed made by someone who is
-- not in the users file reads only while this says they signed in lately and may read its team.

-- Up Migration

CREATE TABLE console_sso_access (
  user_id       text        PRIMARY KEY,
  role          text        NOT NULL,
  -- A manager's or viewer's team.
  team          text,
  -- A head of service's teams (their service area).
  teams         text[],
  signed_in_at  timestamptz NOT NULL
);

-- Down Migration

DROP TABLE console_sso_access;
