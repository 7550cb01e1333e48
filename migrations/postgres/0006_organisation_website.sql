-- An organisation's website, editable by its owners and admins (empty when not given).
ALTER TABLE organisations ADD COLUMN website TEXT NOT NULL DEFAULT '';
