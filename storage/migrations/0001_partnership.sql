-- The partnership model: projects, areas, partners, people, invitations, linked chats.
-- All timestamps are ISO-8601 UTC strings ("...Z"). Enumerations are stored as stable
-- Dutch keys and translated for display.

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,          -- Telegram user id
    first_name         TEXT NOT NULL DEFAULT '',
    last_name          TEXT,
    username           TEXT,
    telegram_language  TEXT,                         -- language_code Telegram reported
    language           TEXT CHECK (language IN ('nl', 'en')),  -- chosen with /taal; NULL = follow Telegram
    reminders_paused   INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

CREATE TABLE projects (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    municipality    TEXT NOT NULL,
    meeting_rhythm  TEXT NOT NULL DEFAULT 'biweekly',  -- placeholder until meetings are scheduled
    created_by      INTEGER REFERENCES users(id),
    created_at      TEXT NOT NULL,
    UNIQUE (name COLLATE NOCASE, municipality COLLATE NOCASE)
);

CREATE TABLE areas (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('wijk', 'buurt', 'straat', 'hotspot')),
    cbs_code    TEXT,
    homes       INTEGER CHECK (homes IS NULL OR homes >= 0),
    parent_id   INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (project_id, name COLLATE NOCASE)
);
CREATE INDEX areas_project ON areas(project_id);

CREATE TABLE partners (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('gemeente', 'politie', 'om', 'woningcorporatie',
                                              'stadstoezicht', 'veiligheidshuis',
                                              'buurtpreventie', 'overig')),
    created_at  TEXT NOT NULL,
    UNIQUE (project_id, name COLLATE NOCASE)
);
CREATE INDEX partners_project ON partners(project_id);

CREATE TABLE members (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    partner_id  INTEGER NOT NULL REFERENCES partners(id),
    role        TEXT NOT NULL CHECK (role IN ('projectleider', 'partner', 'wijkagent',
                                              'analist', 'meelezer')),
    invited_by  INTEGER REFERENCES users(id),
    joined_at   TEXT NOT NULL,
    UNIQUE (project_id, user_id)
);
CREATE INDEX members_user ON members(user_id);
CREATE INDEX members_partner ON members(partner_id);

CREATE TABLE invitations (
    code        TEXT PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    partner_id  INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('projectleider', 'partner', 'wijkagent',
                                              'analist', 'meelezer')),
    single_use  INTEGER NOT NULL CHECK (single_use IN (0, 1)),
    expires_at  TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX invitations_project ON invitations(project_id);

CREATE TABLE invitation_uses (
    code     TEXT NOT NULL REFERENCES invitations(code) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id),
    used_at  TEXT NOT NULL,
    PRIMARY KEY (code, user_id)
);

-- One-time codes a project leader types in a group to link it.
CREATE TABLE link_codes (
    code        TEXT PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('operationeel', 'buurtpreventie')),
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_chat   INTEGER
);
CREATE TABLE link_code_areas (
    code     TEXT NOT NULL REFERENCES link_codes(code) ON DELETE CASCADE,
    area_id  INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    PRIMARY KEY (code, area_id)
);

CREATE TABLE linked_chats (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,                 -- Telegram chat id (negative for groups)
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('operationeel', 'buurtpreventie')),
    title       TEXT NOT NULL DEFAULT '',
    language    TEXT CHECK (language IN ('nl', 'en')),
    linked_by   INTEGER NOT NULL REFERENCES users(id),
    linked_at   TEXT NOT NULL,
    ended_at    TEXT,
    end_reason  TEXT                               -- unlinked | removed | chat_gone | migrated
);
-- A chat is linked to at most one project at a time.
CREATE UNIQUE INDEX linked_chats_active ON linked_chats(chat_id) WHERE ended_at IS NULL;
CREATE INDEX linked_chats_project ON linked_chats(project_id);

CREATE TABLE linked_chat_areas (
    linked_chat_id  INTEGER NOT NULL REFERENCES linked_chats(id) ON DELETE CASCADE,
    area_id         INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    PRIMARY KEY (linked_chat_id, area_id)
);

-- Which project a (private) chat is working on, for people in several projects.
CREATE TABLE chat_projects (
    chat_id     INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    updated_at  TEXT NOT NULL
);

-- Who did what, when: every change to partnership data is attributable to a person.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    user_id     INTEGER,
    project_id  INTEGER REFERENCES projects(id) ON DELETE CASCADE,
    entity      TEXT NOT NULL,
    entity_id   TEXT,
    action      TEXT NOT NULL,
    detail      TEXT                               -- JSON
);
CREATE INDEX audit_project ON audit_log(project_id, at);
