-- Confirmed e-mail addresses, and the single-use links sent by e-mail to confirm an address or
-- to choose a new password. Only a link's SHA-256 is stored.
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;

CREATE TABLE account_links (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- verify_email, change_email or reset_password
    purpose     TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL,
    -- The address the link was sent to (for change_email: the new address).
    email       TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT
);
CREATE UNIQUE INDEX account_links_token_hash_key ON account_links (token_hash);
CREATE INDEX account_links_user ON account_links (user_id, purpose);
