-- Applications from the careers page: the files people upload, the candidates they become, the
-- stages of each job's pipeline, the applications and what happened to each.

-- How long an applicant's data is kept after their last application, in months (the consent
-- they give names it).
ALTER TABLE organisations ADD COLUMN retention_months INTEGER NOT NULL DEFAULT 12;

-- Files in the file store (a local directory or a bucket). The key is made by the server, never
-- from what the uploader sent; the name is shown only.
CREATE TABLE stored_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    object_key   TEXT    NOT NULL UNIQUE,
    file_name    TEXT    NOT NULL,
    -- pdf, docx, text or markdown (checked against the content)
    format       TEXT    NOT NULL,
    size_bytes   INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX stored_files_org ON stored_files (org_id);

-- One profile per person per organisation (a possible duplicate is flagged, then merged).
CREATE TABLE candidates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    email       TEXT    NOT NULL,
    phone       TEXT    NOT NULL,
    -- digits (and a leading +) of the phone, for finding duplicates; empty without a phone
    phone_key   TEXT    NOT NULL,
    -- one address per line
    links       TEXT    NOT NULL,
    cv_file_id  INTEGER REFERENCES stored_files (id) ON DELETE SET NULL,
    cv_text     TEXT    NOT NULL,
    -- careers, referral, manual or import
    source      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX candidates_org_email ON candidates (org_id, email);
CREATE INDEX candidates_org_phone ON candidates (org_id, phone_key);

-- The columns of a job's board, in order. Rejected, withdrawn and hired are outcomes, not stages.
CREATE TABLE job_stages (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id    INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    job_id    INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    CONSTRAINT job_stages_job_position_key UNIQUE (job_id, position)
);

CREATE TABLE applications (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id                INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    job_id                INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    candidate_id          INTEGER NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
    stage_id              INTEGER NOT NULL REFERENCES job_stages (id),
    -- active, rejected, withdrawn or hired
    outcome               TEXT    NOT NULL,
    cover_letter          TEXT    NOT NULL,
    -- the sentence agreed to, word for word, and when
    consent_text          TEXT    NOT NULL,
    consented_at          INTEGER NOT NULL,
    -- the candidate's private link (SHA-256 of its token) and when it stops working
    token_hash            TEXT    NOT NULL UNIQUE,
    token_expires_at      INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    withdrawn_at          INTEGER,
    deletion_requested_at INTEGER
);
CREATE INDEX applications_job ON applications (job_id, outcome);
CREATE INDEX applications_candidate ON applications (candidate_id);
CREATE INDEX applications_org ON applications (org_id, created_at);

-- What happened to an application, who did it and when (the activity timeline).
CREATE TABLE application_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    -- a member, or nobody (the candidate, the system)
    by_user        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    by_name        TEXT    NOT NULL,
    -- applied, withdrawn, deletion_requested, moved, rejected…
    kind           TEXT    NOT NULL,
    detail         TEXT    NOT NULL,
    at             INTEGER NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, id);
