-- The organisation's logo for its careers page: where the file store keeps it (a key the server
-- makes, never from user input; empty for none), its type and size as read from the image, and
-- an upload counter that changes its address so browsers may keep each version.
ALTER TABLE organisations ADD COLUMN logo_key TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN logo_type TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN logo_width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organisations ADD COLUMN logo_height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organisations ADD COLUMN logo_version INTEGER NOT NULL DEFAULT 0;
