-- The candidate list's order and its name and address search, read from this index alone: the
-- table's rows carry each CV's text, and reading them all to sort 100,000 candidates or match a
-- name cost hundreds of milliseconds (docs/BENCHMARKS.md, "Candidate search").
CREATE INDEX candidates_org_newest ON candidates (org_id, created_at, id, name, email);
