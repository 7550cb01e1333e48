-- Searchable documents (any kind of entity: a job, a candidate, …) and their embeddings, one per
-- model, so that after a model upgrade the old vectors stay until the background backfill has
-- replaced them. An embedding belongs to the content it was computed from (content_hash).

CREATE TABLE search_documents (
    org_id       INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    entity_id    INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (org_id, kind, entity_id)
);

CREATE TABLE embeddings (
    org_id       INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    entity_id    INTEGER NOT NULL,
    model_id     TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    vector       BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (org_id, kind, entity_id, model_id),
    FOREIGN KEY (org_id, kind, entity_id)
        REFERENCES search_documents (org_id, kind, entity_id) ON DELETE CASCADE
);
