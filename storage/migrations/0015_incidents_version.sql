-- A counter per project, raised in the same transaction as every change to its incidents
-- (insert, withdrawal, import removal): the bot keeps the analytics frame of a project in
-- memory and re-reads it only when the counter moved — also when another process (the
-- command line's import) changed the data.
ALTER TABLE projects ADD COLUMN incidents_version INTEGER NOT NULL DEFAULT 0;
