-- Every three-character piece of each candidate's name and e-mail address (pg_trgm, shipped with
-- PostgreSQL; trusted, so the database's owner may add it), so that a search finds the names and
-- addresses containing what was typed without reading every candidate of the organisation
-- (docs/BENCHMARKS.md, "Candidate search").
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX candidates_name_trigrams ON candidates USING gin (LOWER(name) gin_trgm_ops);
CREATE INDEX candidates_email_trigrams ON candidates USING gin (LOWER(email) gin_trgm_ops);
