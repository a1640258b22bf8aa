-- The action / monitoring framework (appendix 4): one action, one or more responsible
-- partners with their own status, results with optional quantities, and a change history.

CREATE TABLE actions (
    id               INTEGER PRIMARY KEY,
    project_id       INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    number           INTEGER NOT NULL,        -- human id per project: A<number>
    area_id          INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    problem          TEXT NOT NULL DEFAULT '',
    what             TEXT NOT NULL,
    aim              TEXT NOT NULL DEFAULT '',
    type             TEXT CHECK (type IN ('preventie', 'proactie', 'repressie', 'nazorg')),
    target           TEXT CHECK (target IN ('dader', 'slachtoffer', 'domein')),
    period_start     TEXT,                    -- ISO date, Monday of the first week
    period_end       TEXT,                    -- ISO date, Sunday of the last week
    capacity         TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    expected_effect  TEXT,                    -- ISO date from which an effect is expected
    created_by       INTEGER REFERENCES users(id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,   -- optimistic locking for concurrent edits
    UNIQUE (project_id, number)
);
CREATE INDEX actions_project_end ON actions(project_id, period_end);

CREATE TABLE action_partners (
    action_id   INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    partner_id  INTEGER NOT NULL REFERENCES partners(id),
    status      TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'done', 'not_done', 'cancelled')),
    reason      TEXT,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (action_id, partner_id)
);
CREATE INDEX action_partners_partner ON action_partners(partner_id, status);

CREATE TABLE action_results (
    id          INTEGER PRIMARY KEY,
    action_id   INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    partner_id  INTEGER REFERENCES partners(id),
    text        TEXT NOT NULL,
    quantity    REAL,
    unit        TEXT,
    created_by  INTEGER REFERENCES users(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX action_results_action ON action_results(action_id);

CREATE TABLE action_history (
    id          INTEGER PRIMARY KEY,
    action_id   INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    user_id     INTEGER REFERENCES users(id),
    field       TEXT NOT NULL,
    old_value   TEXT,
    new_value   TEXT
);
CREATE INDEX action_history_action ON action_history(action_id, at);
