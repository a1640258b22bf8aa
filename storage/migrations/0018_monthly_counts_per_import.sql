-- CBS monthly counts are kept per import, so that removing a file (the wrong table, or one
-- meant for another project) takes its counts out and brings back those it had replaced.
-- The count in use for a neighbourhood and month is that of the latest import of it that
-- was not removed: the view monthly_counts, which replaces the table of that name.
CREATE TABLE monthly_import_counts (
    import_id   INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    buurt_code  TEXT NOT NULL,
    buurt_name  TEXT NOT NULL DEFAULT '',
    year        INTEGER NOT NULL,
    month       INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    count       INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (import_id, buurt_code, year, month)
);
CREATE INDEX monthly_import_counts_key
    ON monthly_import_counts(project_id, buurt_code, year, month);

-- The counts stored so far: with the project's latest CBS import (each re-import used to
-- overwrite them).
INSERT INTO monthly_import_counts(import_id, project_id, buurt_code, buurt_name, year, month,
                                  count)
SELECT (SELECT MAX(i.id) FROM imports i WHERE i.project_id = m.project_id
        AND i.kind = 'monthly'),
       m.project_id, m.buurt_code, m.buurt_name, m.year, m.month, m.count
FROM monthly_counts m
WHERE EXISTS (SELECT 1 FROM imports i WHERE i.project_id = m.project_id
              AND i.kind = 'monthly');
DROP TABLE monthly_counts;

CREATE VIEW monthly_counts AS
SELECT c.import_id, c.project_id, c.buurt_code, c.buurt_name, c.year, c.month, c.count
FROM monthly_import_counts c
WHERE c.import_id = (
    SELECT MAX(o.import_id) FROM monthly_import_counts o JOIN imports i ON i.id = o.import_id
    WHERE i.removed_at IS NULL AND o.project_id = c.project_id
      AND o.buurt_code = c.buurt_code AND o.year = c.year AND o.month = c.month);
