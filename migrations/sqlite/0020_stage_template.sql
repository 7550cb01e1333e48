-- The stages a new job's board starts with, one per line; empty for the defaults (Applied,
-- Screen, Interview, Offer, Hired). Each job's own stages are edited on its board.
ALTER TABLE organisations ADD COLUMN stage_template TEXT NOT NULL DEFAULT '';
