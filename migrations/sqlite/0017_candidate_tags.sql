-- Tags a hiring team puts on candidates ("silver medallist", "relocation"), to find them again.
CREATE TABLE candidate_tags (
    candidate_id INTEGER NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
    org_id       INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    -- as typed; compared in lower case (tag_key)
    tag          TEXT    NOT NULL,
    tag_key      TEXT    NOT NULL,
    PRIMARY KEY (candidate_id, tag_key)
);
CREATE INDEX candidate_tags_org ON candidate_tags (org_id, tag_key);
