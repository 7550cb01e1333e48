-- The ESCO taxonomy (European Commission), imported by `server import-esco DIR` from the official
-- CSV export. Shared by every organisation; an import replaces the previous one in a single
-- transaction. Alternative labels are stored one per line, as ESCO ships them.

CREATE TABLE esco_occupations (
    uri         TEXT NOT NULL PRIMARY KEY,
    label       TEXT NOT NULL,
    alt_labels  TEXT NOT NULL,
    code        TEXT NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE esco_skills (
    uri         TEXT NOT NULL PRIMARY KEY,
    label       TEXT NOT NULL,
    alt_labels  TEXT NOT NULL,
    skill_type  TEXT NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE esco_occupation_skills (
    occupation_uri TEXT    NOT NULL REFERENCES esco_occupations (uri) ON DELETE CASCADE,
    skill_uri      TEXT    NOT NULL REFERENCES esco_skills (uri) ON DELETE CASCADE,
    essential      BIGINT NOT NULL,
    PRIMARY KEY (occupation_uri, skill_uri)
);

CREATE TABLE taxonomy_imports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source      TEXT    NOT NULL,
    occupations BIGINT NOT NULL,
    skills      BIGINT NOT NULL,
    relations   BIGINT NOT NULL,
    imported_at BIGINT NOT NULL
);
