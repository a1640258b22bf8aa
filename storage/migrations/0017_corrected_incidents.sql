-- An incident a later police export holds again with other details (the modus operandi
-- established, an attempt that was a burglary after all, a place geocoded; see
-- bot/corrections.py): the later details count from then on. The incident keeps its id and
-- the import that added it; its details as they were are kept here with the import that
-- corrected them, so that removing that import puts them back. Several corrections of one
-- incident form a chain in import order (removing one in the middle splices it out).
CREATE TABLE corrected_incidents (
    corrected_by    INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    id              INTEGER NOT NULL,       -- the incident
    project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
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
    x_m             REAL,
    y_m             REAL,
    PRIMARY KEY (id, corrected_by)
);
CREATE INDEX corrected_incidents_import ON corrected_incidents(corrected_by);
-- How many incidents each import corrected (shown in its report and the import log).
ALTER TABLE imports ADD COLUMN corrected INTEGER NOT NULL DEFAULT 0;
