-- An incident import removed as a whole (a wrong file, or one sent to the wrong project):
-- its incidents are deleted, the import stays in the log, marked with who removed it, when,
-- and how many incidents went with it.
ALTER TABLE imports ADD COLUMN removed_at TEXT;
ALTER TABLE imports ADD COLUMN removed_by INTEGER REFERENCES users(id);
ALTER TABLE imports ADD COLUMN removed INTEGER;
CREATE INDEX incidents_import ON incidents(import_id);
