-- Chat between members of one organisation: direct conversations (two people; `direct_key` is
-- their two ids, smaller first, so a pair has one) and named groups. Messages are numbered per
-- conversation: each takes `last_seq + 1`, written in the transaction that stores it, so the
-- order is the server's and a page that missed some asks for those after the last it saw.
CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    -- direct or group
    kind            TEXT    NOT NULL,
    -- a group's name; empty for a direct conversation
    name            TEXT    NOT NULL,
    direct_key      TEXT,
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    last_seq        INTEGER NOT NULL DEFAULT 0,
    last_message_at INTEGER,
    UNIQUE (org_id, direct_key)
);
CREATE INDEX conversations_org ON conversations (org_id, last_message_at);

-- Who is in a conversation, whether they manage it (a group's admins add and remove members),
-- and the last message each has read (read receipts and unread counts).
CREATE TABLE conversation_members (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_admin        INTEGER NOT NULL DEFAULT 0,
    last_read_seq   INTEGER NOT NULL DEFAULT 0,
    joined_at       INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_user ON conversation_members (user_id);

-- Messages, stored before they are acknowledged. `client_id` is the sending page's own id for
-- the message, so that sending it again (after a lost acknowledgement) stores nothing twice.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    author_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    client_id       TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    edited_at       INTEGER,
    deleted_at      INTEGER,
    UNIQUE (conversation_id, seq),
    UNIQUE (conversation_id, client_id)
);
