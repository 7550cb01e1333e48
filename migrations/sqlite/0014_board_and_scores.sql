-- When an application reached its current stage (the board shows the time in stage), and its
-- score against the job: computed in the background (NULL until then), with the explanation.
ALTER TABLE applications ADD COLUMN stage_entered_at INTEGER NOT NULL DEFAULT 0;
UPDATE applications SET stage_entered_at = created_at;
ALTER TABLE applications ADD COLUMN score INTEGER;
-- shared::matching::MatchExplanation as JSON
ALTER TABLE applications ADD COLUMN explanation TEXT;
ALTER TABLE applications ADD COLUMN scored_at INTEGER;
