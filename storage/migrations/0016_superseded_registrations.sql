-- A burglary registered by hand (/inbraak) that a police export holds too: from then on the
-- export's row is the record. It takes the registration's place — under the registration's
-- id, so that a hotspot zone built on it carries on instead of starting (and alerting) anew
-- — and the registration as it was is kept here with the import that replaced it, so that
-- removing that import brings the registration back. The columns are those of incidents.
CREATE TABLE superseded_registrations (
    replaced_by     INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    id              INTEGER NOT NULL,
    project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    source_key      TEXT NOT NULL,
    occurred_from   TEXT NOT NULL,
    occurred_to     TEXT NOT NULL,
    street          TEXT,
    house_number    TEXT,
    postcode        TEXT,
    buurt           TEXT,
    buurt_code      TEXT,
    wijk            TEXT,
    municipality    TEXT,
    attempt         INTEGER NOT NULL,
    modus_operandi  TEXT,
    x_rd            REAL,
    y_rd            REAL,
    lat             REAL,
    lon             REAL,
    area_id         INTEGER,
    source          TEXT NOT NULL,
    created_by      INTEGER,
    created_at      TEXT NOT NULL,
    import_id       INTEGER,
    x_m             REAL,
    y_m             REAL
);
CREATE INDEX superseded_registrations_import ON superseded_registrations(replaced_by);
-- How many registrations each import replaced (shown in its report and the import log).
ALTER TABLE imports ADD COLUMN replaced INTEGER NOT NULL DEFAULT 0;
