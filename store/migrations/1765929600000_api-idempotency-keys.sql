-- The integration API's idempotency keys (docs/api.md#safe-to-retry): one row per client and key, so
-- the same event id (or Idempotency-Key) sent twice records once and is answered the same, through a
-- console restart and across console replicas. `request_hash` is the SHA-256 of the request (method,
-- path and body), so the same key with another request is refused; `status` and `answer` are the
-- first answer, given again to a retry. While the first request runs its row is `running` until
-- `lease_until`: a second request with that key waits for it, and only a request whose first
-- process died (the lease run out) takes the key over. Kept and used by the console's role only.

-- Up Migration

CREATE TABLE api_idempotency_keys (
  client_id     text        NOT NULL,
  idem_key      text        NOT NULL,
  request_hash  text        NOT NULL,
  state         text        NOT NULL CHECK (state IN ('running', 'done')),
  lease_until   timestamptz NOT NULL,
  status        integer,
  answer        jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz,
  PRIMARY KEY (client_id, idem_key)
);
CREATE INDEX api_idempotency_keys_by_age ON api_idempotency_keys (created_at);

-- Down Migration

DROP TABLE api_idempotency_keys;
