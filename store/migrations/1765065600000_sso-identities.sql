-- People who sign in through single sign-on are keyed by the identity provider's issuer and
-- subject (user ids `sso.` and a hash, which no password account can have), no longer by the user
-- name the provider gives, which could equal a password account's id. The access recorded under
-- the old ids is dropped: those people are treated as never having signed in until they do again
-- (the calendar feeds they made under the old id stay stopped; they make new ones). Each row now
-- also keeps who the provider said they are (issuer, subject) and the name they are shown by.

-- Up Migration

DELETE FROM console_sso_access WHERE user_id !~ '^sso\.[0-9a-f]{32}$';
ALTER TABLE console_sso_access
  ADD COLUMN name    text,
  ADD COLUMN issuer  text,
  ADD COLUMN subject text;

-- Down Migration

ALTER TABLE console_sso_access DROP COLUMN subject, DROP COLUMN issuer, DROP COLUMN name;
