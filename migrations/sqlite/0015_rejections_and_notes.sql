-- Rejecting an application with a reason (from the organisation's list) and an optional e-mail
-- (from the organisation's template), and notes on applications that mention colleagues.

-- One reason per line, and the e-mail's subject and body with {placeholders}; empty until the
-- organisation saves its own (the defaults are in shared::pipeline).
ALTER TABLE organisations ADD COLUMN rejection_reasons TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN rejection_subject TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN rejection_body    TEXT NOT NULL DEFAULT '';

-- The reason as it read when chosen, and when.
ALTER TABLE applications ADD COLUMN rejection_reason TEXT;
ALTER TABLE applications ADD COLUMN rejected_at      INTEGER;

CREATE TABLE application_notes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    by_user        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    by_name        TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX application_notes_application ON application_notes (application_id, id);

-- Who a note mentions (each was e-mailed).
CREATE TABLE note_mentions (
    note_id INTEGER NOT NULL REFERENCES application_notes (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (note_id, user_id)
);
