-- Outlines of areas (RD New metres, JSON [[x, y], ...]) so maps can draw neighbourhoods.
ALTER TABLE areas ADD COLUMN geometry TEXT;
