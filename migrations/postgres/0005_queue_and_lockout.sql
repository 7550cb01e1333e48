-- The durable job queue, mail delivered through it, invitation links that remember the role
-- they grant, and failed sign-ins counted per account and client address.

CREATE TABLE background_jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       BIGINT  REFERENCES organisations (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    -- queued | running | done | failed
    status       TEXT    NOT NULL,
    -- At most one queued job per key (e.g. the search backfill); NULL for most jobs.
    dedupe_key   TEXT,
    run_at       BIGINT  NOT NULL,
    attempts     BIGINT  NOT NULL DEFAULT 0,
    max_attempts BIGINT  NOT NULL,
    last_error   TEXT,
    locked_by    TEXT,
    locked_until BIGINT,
    created_at   BIGINT  NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX background_jobs_due ON background_jobs (status, run_at);
CREATE INDEX background_jobs_org ON background_jobs (org_id, id);
CREATE UNIQUE INDEX background_jobs_queued_key ON background_jobs (dedupe_key) WHERE status = 'queued';

-- Delivery moved to the queue: the job that sends a message, and the role its link grants
-- (the outbox hides the link from members who may not grant that role).
DROP INDEX outbox_pending;
ALTER TABLE outbox DROP COLUMN next_attempt_at;
ALTER TABLE outbox ADD COLUMN job_id BIGINT;
ALTER TABLE outbox ADD COLUMN grants_role TEXT;
CREATE INDEX outbox_unsent ON outbox (sent_at, job_id);

-- Failed sign-ins per (e-mail address, client address), for known and unknown addresses alike:
-- a lock stops guessing from one address without letting anyone else lock the owner out.
CREATE TABLE sign_in_attempts (
    email        TEXT    NOT NULL,
    client       TEXT    NOT NULL,
    failures     BIGINT  NOT NULL,
    locked_until BIGINT,
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (email, client)
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email);
ALTER TABLE users DROP COLUMN failed_sign_ins;
ALTER TABLE users DROP COLUMN locked_until;
