-- Files sent in chat. Uploaded first to a conversation (`seq` is NULL until a message carries
-- them; an upload never sent is removed after a day), then attached to the message `seq`. The
-- file itself is in the file store under `object_key`, a key the server made.
CREATE TABLE chat_files (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          BIGINT  NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    conversation_id BIGINT  NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             BIGINT,
    -- Who uploaded it: a member (NULL once their account is gone), or, from_candidate = 1,
    -- the candidate of the conversation's application.
    uploaded_by     BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    from_candidate  BIGINT  NOT NULL DEFAULT 0,
    object_key      TEXT    NOT NULL UNIQUE,
    file_name       TEXT    NOT NULL,
    -- pdf, docx, text, markdown, png, jpeg or webp (read from the content)
    kind            TEXT    NOT NULL,
    size_bytes      BIGINT  NOT NULL,
    sha256          TEXT    NOT NULL,
    width           BIGINT,
    height          BIGINT,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX chat_files_message ON chat_files (conversation_id, seq);
CREATE INDEX chat_files_unsent ON chat_files (created_at) WHERE seq IS NULL;
-- What a message carries, as its pages show it (JSON; NULL for none): read with the message.
ALTER TABLE messages ADD COLUMN attachments TEXT;
