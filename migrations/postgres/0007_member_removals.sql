-- A removed member, kept for a short while so the removal can be undone (the membership comes
-- back with its role and its joining date). One row per person and organisation.
CREATE TABLE member_removals (
    org_id      BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL,
    joined_at   BIGINT NOT NULL,
    removed_by  BIGINT NOT NULL,
    removed_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
