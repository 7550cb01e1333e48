-- Every three-character piece of each candidate's name and e-mail address, so that a search finds
-- the names and addresses containing what was typed (three characters or more) without reading
-- every candidate of the organisation: 15 ms at 100,000 candidates (docs/BENCHMARKS.md,
-- "Candidate search"). The table holds no text of its own (it reads `candidates`); the triggers
-- keep it in step with every insert, change and delete, cascades included.
CREATE VIRTUAL TABLE candidate_names USING fts5 (
    name, email, content = 'candidates', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO candidate_names (candidate_names) VALUES ('rebuild');

CREATE TRIGGER candidate_names_insert AFTER INSERT ON candidates BEGIN
    INSERT INTO candidate_names (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
CREATE TRIGGER candidate_names_delete AFTER DELETE ON candidates BEGIN
    INSERT INTO candidate_names (candidate_names, rowid, name, email)
    VALUES ('delete', old.id, old.name, old.email);
END;
CREATE TRIGGER candidate_names_update AFTER UPDATE OF name, email ON candidates BEGIN
    INSERT INTO candidate_names (candidate_names, rowid, name, email)
    VALUES ('delete', old.id, old.name, old.email);
    INSERT INTO candidate_names (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
