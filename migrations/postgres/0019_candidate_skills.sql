-- The skills the engine found in a candidate's CV, written when the candidate is indexed (and
-- rewritten when the CV changes): for the profile, the search's skill filter and its reasons.
CREATE TABLE candidate_skills (
    candidate_id BIGINT NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
    org_id       BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    -- the catalog's name; compared in lower case (label_key)
    label        TEXT    NOT NULL,
    label_key    TEXT    NOT NULL,
    -- 0 for the skill the engine is surest of
    position     BIGINT  NOT NULL,
    -- shared::candidates::CandidateSkill as JSON: level, years, last used, the evidence
    detail       TEXT    NOT NULL,
    PRIMARY KEY (candidate_id, label_key)
);
CREATE INDEX candidate_skills_org ON candidate_skills (org_id, label_key);

-- Candidates who arrived before this table: indexed again, which reads their skills.
INSERT INTO background_jobs (org_id, kind, payload, status, dedupe_key, run_at, max_attempts, created_at)
SELECT org_id, 'index_candidate', '{"candidate_id":' || id::text || '}', 'queued',
       'index_candidate:' || id::text, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT), 10, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
FROM candidates
-- (a WHERE, so that SQLite reads the ON CONFLICT as the upsert and not as a join)
WHERE 1 = 1
ON CONFLICT (dedupe_key) WHERE status = 'queued' DO NOTHING;
