-- Registered burglaries and attempts. House numbers and exact times are confidential:
-- only roles the permissions module allows may read them; aggregates never expose them.

CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    source_key      TEXT NOT NULL,          -- stable key: re-importing the same row adds nothing
    occurred_from   TEXT NOT NULL,          -- UTC; start of the time window (pleegdatum van)
    occurred_to     TEXT NOT NULL,          -- UTC; end of the window (== from when known)
    street          TEXT,
    house_number    TEXT,
    postcode        TEXT,
    buurt           TEXT,
    buurt_code      TEXT,
    wijk            TEXT,
    municipality    TEXT,
    attempt         INTEGER NOT NULL DEFAULT 0 CHECK (attempt IN (0, 1)),
    modus_operandi  TEXT,
    x_rd            REAL,                   -- RD New (EPSG:28992) metres
    y_rd            REAL,
    lat             REAL,                   -- WGS84
    lon             REAL,
    area_id         INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    source          TEXT NOT NULL DEFAULT 'import',   -- import | registration | demo
    created_by      INTEGER REFERENCES users(id),
    created_at      TEXT NOT NULL,
    UNIQUE (project_id, source_key)
);
CREATE INDEX incidents_project_time ON incidents(project_id, occurred_from);
