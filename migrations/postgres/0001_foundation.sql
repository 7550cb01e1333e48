-- Accounts, organisations, memberships, invitations, sessions and the mail outbox.
-- Times are unix seconds (BIGINT) so one portable query serves SQLite and PostgreSQL.

CREATE TABLE users (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    password_hash   TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    failed_sign_ins BIGINT  NOT NULL DEFAULT 0,
    locked_until    BIGINT,
    active_org_id   BIGINT,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE organisations (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    created_by BIGINT  NOT NULL REFERENCES users (id),
    CONSTRAINT organisations_slug_key UNIQUE (slug)
);
ALTER TABLE users ADD CONSTRAINT users_active_org_fkey
    FOREIGN KEY (active_org_id) REFERENCES organisations (id) ON DELETE SET NULL;

CREATE TABLE memberships (
    org_id     BIGINT  NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      BIGINT  NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    email       TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL,
    invited_by  BIGINT  NOT NULL REFERENCES users (id),
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    accepted_at BIGINT,
    accepted_by BIGINT  REFERENCES users (id),
    revoked_at  BIGINT,
    CONSTRAINT invitations_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX invitations_org ON invitations (org_id);

CREATE TABLE sessions (
    id          TEXT    PRIMARY KEY NOT NULL,
    data        TEXT    NOT NULL,
    expiry_date BIGINT  NOT NULL,
    user_id     BIGINT
);
CREATE INDEX sessions_expiry ON sessions (expiry_date);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          BIGINT  REFERENCES organisations (id) ON DELETE CASCADE,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    last_error      TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);
CREATE INDEX outbox_org ON outbox (org_id);
