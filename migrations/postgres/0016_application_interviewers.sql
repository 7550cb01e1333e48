-- Who interviews which application: an interviewer sees only the applications assigned to them.
CREATE TABLE application_interviewers (
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id         BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    assigned_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    assigned_at    BIGINT NOT NULL,
    PRIMARY KEY (application_id, user_id)
);
CREATE INDEX application_interviewers_user ON application_interviewers (user_id, org_id);
