-- One conversation per application between its hiring team and the candidate, who has no
-- account: they take part from the application's private link. Deleting the application (the
-- candidate asked for their data to be deleted) deletes the conversation and its messages.
ALTER TABLE conversations ADD COLUMN application_id INTEGER REFERENCES applications (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX conversations_application ON conversations (application_id);
-- The candidate's messages: no author account, the candidate's name as it was when written.
ALTER TABLE messages ADD COLUMN from_candidate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN author_label TEXT;
-- When the candidate was last e-mailed that the team wrote (at most one such e-mail an hour).
ALTER TABLE conversations ADD COLUMN candidate_mailed_at INTEGER;
