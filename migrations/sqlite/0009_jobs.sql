-- Jobs: what an organisation hires for. A job's address (`slug`) is unique in its organisation;
-- its skills and its status history are rows of their own.
CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    slug            TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    department      TEXT    NOT NULL,
    location        TEXT    NOT NULL,
    -- onsite, hybrid or remote
    remote          TEXT    NOT NULL,
    -- full_time, part_time, contract, temporary or internship
    employment      TEXT    NOT NULL,
    salary_min      INTEGER,
    salary_max      INTEGER,
    salary_currency TEXT    NOT NULL,
    -- 1 when the careers page shows the range
    salary_public   INTEGER NOT NULL,
    description     TEXT    NOT NULL,
    -- draft, published, closed or archived
    status          TEXT    NOT NULL,
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT jobs_org_slug_key UNIQUE (org_id, slug)
);
CREATE INDEX jobs_org_status ON jobs (org_id, status, updated_at);

CREATE TABLE job_skills (
    job_id      INTEGER  NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    position    INTEGER  NOT NULL,
    label       TEXT     NOT NULL,
    -- must or nice
    requirement TEXT     NOT NULL,
    level       INTEGER,
    -- Other skills any of which satisfies it, one per line ("AWS or GCP").
    alternatives TEXT     NOT NULL,
    PRIMARY KEY (job_id, position)
);

CREATE TABLE job_status_changes (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id  INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    status  TEXT   NOT NULL,
    -- Who, by name at the time (the account may be gone later).
    by_user INTEGER REFERENCES users (id) ON DELETE SET NULL,
    by_name TEXT   NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX job_status_changes_job ON job_status_changes (job_id, id);
