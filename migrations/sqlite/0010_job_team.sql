-- The hiring team of a job: who recruits for it, who decides (the hiring manager) and who
-- interviews. A hiring manager sees the jobs whose team they are on.
CREATE TABLE job_team (
    job_id  INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- recruiter, hiring_manager or interviewer
    role    TEXT   NOT NULL,
    PRIMARY KEY (job_id, user_id)
);
CREATE INDEX job_team_user ON job_team (user_id);
