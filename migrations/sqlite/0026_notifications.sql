-- The notification centre: what each person is told (a mention, a new application, a stage
-- change, messages while they were away), read or not, and whether it still goes out in their
-- e-mail digest. `topic` groups what one notification stands for (the messages of one
-- conversation while away are one notification that counts them).
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id      INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    -- mention, new_application, stage_change or message
    kind        TEXT    NOT NULL,
    topic       TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    -- a path in the app, e.g. /o/acme/applications/12
    link        TEXT    NOT NULL,
    count       INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    read_at     INTEGER,
    -- 1 while it goes out in the person's digest if still unread; 0 when their setting says not
    email       INTEGER NOT NULL DEFAULT 0,
    emailed_at  INTEGER
);
CREATE INDEX notifications_by_user ON notifications (user_id, id);
CREATE INDEX notifications_unread_topic ON notifications (user_id, topic, read_at);
CREATE INDEX notifications_digest ON notifications (email, emailed_at, read_at, created_at);

-- How each person wants each kind: in_app, email (in the app, and in the digest while unread)
-- or off. No row: the kind's default.
CREATE TABLE notification_prefs (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT    NOT NULL,
    channel TEXT    NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- How long a notification stays unread before it goes out in the person's digest.
ALTER TABLE users ADD COLUMN digest_minutes INTEGER NOT NULL DEFAULT 30;
