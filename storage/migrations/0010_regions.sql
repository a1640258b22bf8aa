-- Regions: several projects (municipalities) whose project leaders meet in the tactical
-- working group every two months, and the bookkeeping that sends its summary once.
CREATE TABLE regions (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at  TEXT NOT NULL
);
ALTER TABLE projects ADD COLUMN region_id INTEGER REFERENCES regions(id) ON DELETE SET NULL;
CREATE TABLE tactical_sent (
    region_id  INTEGER NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    period     TEXT NOT NULL,        -- "2027-01": the two-month period it covers
    sent_at    TEXT NOT NULL,
    PRIMARY KEY (region_id, user_id, period)
);
