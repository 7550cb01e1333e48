-- A short description of the organisation for its careers page, editable by its owners and
-- admins (empty when not given).
ALTER TABLE organisations ADD COLUMN description TEXT NOT NULL DEFAULT '';
