-- Incident imports: the column mapping a project saved, a log of every import, and the
-- public CBS/police monthly counts per neighbourhood (used for the trend where no
-- incident rows exist).

CREATE TABLE import_mappings (
    project_id  INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    mapping     TEXT NOT NULL,             -- JSON: field -> column
    crs         TEXT,                      -- rd | wgs84 | EPSG:NNNN, NULL = detect
    timezone    TEXT,                      -- the export's local time zone, NULL = project's
    updated_by  INTEGER REFERENCES users(id),
    updated_at  TEXT NOT NULL
);

CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id      INTEGER REFERENCES users(id),
    filename     TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('incidents', 'monthly')),
    at           TEXT NOT NULL,
    rows_read    INTEGER NOT NULL,
    imported     INTEGER NOT NULL,
    duplicates   INTEGER NOT NULL,
    rejected     INTEGER NOT NULL
);

CREATE TABLE monthly_counts (
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    buurt_code  TEXT NOT NULL,
    buurt_name  TEXT NOT NULL DEFAULT '',
    year        INTEGER NOT NULL,
    month       INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    count       INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (project_id, buurt_code, year, month)
);

ALTER TABLE incidents ADD COLUMN import_id INTEGER REFERENCES imports(id);
-- Planar metres for analytics when the source is not RD New (e.g. a UTM export).
ALTER TABLE incidents ADD COLUMN x_m REAL;
ALTER TABLE incidents ADD COLUMN y_m REAL;
