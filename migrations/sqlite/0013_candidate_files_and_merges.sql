-- A candidate's files (after a merge, a candidate has the files of both), and the merges made.

ALTER TABLE stored_files ADD COLUMN candidate_id INTEGER REFERENCES candidates (id) ON DELETE CASCADE;
UPDATE stored_files SET candidate_id = (SELECT c.id FROM candidates c WHERE c.cv_file_id = stored_files.id);
CREATE INDEX stored_files_candidate ON stored_files (candidate_id);

-- Who merged which profile into which, and what the merged one was called (it is gone).
CREATE TABLE candidate_merges (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    candidate_id INTEGER NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
    merged_name  TEXT    NOT NULL,
    merged_email TEXT    NOT NULL,
    by_user      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    by_name      TEXT    NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX candidate_merges_candidate ON candidate_merges (candidate_id);
