-- A removed member, kept for a short while so the removal can be undone (the membership comes
-- back with its role and its joining date). One row per person and organisation.
CREATE TABLE member_removals (
    org_id      INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL,
    joined_at   INTEGER NOT NULL,
    removed_by  INTEGER NOT NULL,
    removed_at  INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
