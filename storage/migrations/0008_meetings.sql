-- The fortnightly steering cycle: the rhythm of a project's operational meeting, the
-- meetings it produces (each posted exactly once), attendance, decisions and escalations.

CREATE TABLE meeting_schedules (
    project_id    INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    chat_id       INTEGER,                  -- the operational group the pack goes to
    every_weeks   INTEGER CHECK (every_weeks BETWEEN 1 AND 8),   -- NULL: explicit dates only
    weekday       INTEGER CHECK (weekday BETWEEN 0 AND 6),        -- 0 = Monday
    start_time    TEXT,                     -- local HH:MM
    anchor        TEXT,                     -- local ISO date of one meeting in the rhythm
    lead_days     INTEGER NOT NULL DEFAULT 2 CHECK (lead_days BETWEEN 0 AND 10),
    post_time     TEXT NOT NULL DEFAULT '09:00',
    updated_by    INTEGER REFERENCES users(id),
    updated_at    TEXT NOT NULL
);

CREATE TABLE meetings (
    id             INTEGER PRIMARY KEY,
    project_id     INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    starts_at      TEXT NOT NULL,           -- UTC
    status         TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'skipped')),
    source         TEXT NOT NULL CHECK (source IN ('rhythm', 'explicit', 'moved')),
    rhythm_date    TEXT,                    -- the rhythm's local date it stands for (skip/move)
    post_at        TEXT NOT NULL,           -- UTC: when the pack and draft agenda go out
    posted_at      TEXT,                    -- claimed before sending: never twice
    checkin_at     TEXT NOT NULL,           -- UTC: private check-ins the day before
    checkins_at    TEXT
);
CREATE INDEX meetings_project_start ON meetings(project_id, starts_at);
CREATE UNIQUE INDEX meetings_rhythm ON meetings(project_id, rhythm_date)
    WHERE rhythm_date IS NOT NULL;

CREATE TABLE attendance (
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    partner_id  INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    present     INTEGER NOT NULL CHECK (present IN (0, 1)),
    updated_by  INTEGER REFERENCES users(id),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (meeting_id, partner_id)
);

CREATE TABLE meeting_notes (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    meeting_id   INTEGER REFERENCES meetings(id) ON DELETE SET NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('decision', 'escalation', 'tactical')),
    text         TEXT NOT NULL,
    user_id      INTEGER REFERENCES users(id),
    at           TEXT NOT NULL,
    resolved_at  TEXT
);
CREATE INDEX meeting_notes_project ON meeting_notes(project_id, kind, at);

ALTER TABLE actions ADD COLUMN meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL;
