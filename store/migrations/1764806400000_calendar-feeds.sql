-- Private calendar feeds: each allocated worker and each team may have an iCalendar feed of the
-- open obligations of their cases, reached by a secret token in its URL. Only a SHA-256 of the
-- token is kept, so a copy of this table lets nobody read a feed; a revoked token stops at once.

-- Up Migration

CREATE TABLE console_calendar_feeds (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- SHA-256 of the token, hex; the token itself is shown once, when the feed is created.
  token_sha256  text        NOT NULL UNIQUE,
  -- 'team': every case of subject_team; 'worker': the cases of subject_team allocated to subject_email.
  subject_kind  text        NOT NULL CHECK (subject_kind IN ('worker', 'team')),
  subject_team  text        NOT NULL,
  subject_email text,
  created_by    text        NOT NULL,
  created_role  text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  revoked_by    text,
  CHECK ((subject_kind = 'worker') = (subject_email IS NOT NULL))
);
CREATE INDEX console_calendar_feeds_by_team ON console_calendar_feeds (subject_team, created_at DESC);
CREATE INDEX console_calendar_feeds_by_creator ON console_calendar_feeds (created_by, created_at DESC);

-- Down Migration

DROP TABLE console_calendar_feeds;
