-- The name as duplicate detection compares it (shared::applications::name_key: lower case, one
-- space between words, no dots or commas). Filled for existing candidates when the server starts.
ALTER TABLE candidates ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX candidates_name_key ON candidates (org_id, name_key);
