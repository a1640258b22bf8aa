-- From the street: field logs by wijkagenten and partners, hotspots, alerts to
-- buurtpreventie groups, and the outbox every alert goes through.

-- An intervention or observation logged on the round (/melding).
CREATE TABLE field_logs (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    partner_id  INTEGER REFERENCES partners(id) ON DELETE SET NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('surveillance', 'gesprek', 'preventieadvies',
                                              'verdacht', 'gebrek', 'overig')),
    text        TEXT NOT NULL DEFAULT '',
    street      TEXT,
    lat         REAL,
    lon         REAL,
    x_rd        REAL,
    y_rd        REAL,
    live        INTEGER NOT NULL DEFAULT 0,        -- location was a live location
    area_id     INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    action_id   INTEGER REFERENCES actions(id) ON DELETE SET NULL,
    chat_id     INTEGER,
    created_at  TEXT NOT NULL
);
CREATE INDEX field_logs_project ON field_logs(project_id, created_at);

CREATE TABLE field_log_photos (
    field_log_id    INTEGER NOT NULL REFERENCES field_logs(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    file_id         TEXT NOT NULL,                 -- Telegram file id: the photo stays there
    file_unique_id  TEXT NOT NULL,
    width           INTEGER,
    height          INTEGER,
    size            INTEGER,
    PRIMARY KEY (field_log_id, position)
);

-- Alert settings per project (a missing row means the defaults).
CREATE TABLE alert_settings (
    project_id        INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    mode              TEXT NOT NULL DEFAULT 'auto' CHECK (mode IN ('auto', 'approval')),
    radius_m          INTEGER NOT NULL DEFAULT 200 CHECK (radius_m BETWEEN 50 AND 2000),
    window_days       INTEGER NOT NULL DEFAULT 14 CHECK (window_days BETWEEN 3 AND 60),
    min_interval_h    INTEGER NOT NULL DEFAULT 72 CHECK (min_interval_h BETWEEN 0 AND 720),
    follow_up         INTEGER NOT NULL DEFAULT 1 CHECK (follow_up IN (0, 1)),
    with_map          INTEGER NOT NULL DEFAULT 1 CHECK (with_map IN (0, 1)),
    updated_by        INTEGER REFERENCES users(id),
    updated_at        TEXT
);

-- A zone of raised risk: near-repeat around recent burglaries, or an area above the range
-- the forecast expected. Only street/neighbourhood-level facts are kept here.
CREATE TABLE hotspots (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,                    -- stable identity across detections
    kind         TEXT NOT NULL CHECK (kind IN ('near_repeat', 'above_expected')),
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended', 'merged')),
    streets      TEXT NOT NULL DEFAULT '[]',       -- JSON list, most incidents first
    buurten      TEXT NOT NULL DEFAULT '[]',       -- JSON list
    area_ids     TEXT NOT NULL DEFAULT '[]',       -- JSON list of project areas it touches
    incident_ids TEXT NOT NULL DEFAULT '[]',       -- JSON list: keeps the identity stable
    n_incidents  INTEGER NOT NULL,
    n_attempts   INTEGER NOT NULL DEFAULT 0,
    expected_high INTEGER,                         -- above_expected: the range's upper end
    band         TEXT,                             -- time-of-day band, see bot.alerts
    mo           TEXT NOT NULL DEFAULT '[]',       -- JSON list of modus operandi keys
    grid_x       REAL,                             -- centre snapped to a 250 m grid (RD m)
    grid_y       REAL,
    first_day    TEXT NOT NULL,                    -- local dates
    last_day     TEXT NOT NULL,
    expires_on   TEXT NOT NULL,
    approval     TEXT NOT NULL DEFAULT 'none'
                 CHECK (approval IN ('none', 'awaiting', 'approved', 'rejected')),
    decided_by   INTEGER REFERENCES users(id),
    detected_at  TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    ended_at     TEXT,
    UNIQUE (project_id, key)
);
CREATE INDEX hotspots_active ON hotspots(project_id, status);

-- One alert per hotspot and buurtpreventie group.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    hotspot_id      INTEGER NOT NULL REFERENCES hotspots(id) ON DELETE CASCADE,
    linked_chat_id  INTEGER NOT NULL REFERENCES linked_chats(id) ON DELETE CASCADE,
    chat_id         INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('awaiting', 'queued', 'suppressed',
                                                    'rejected', 'ended')),
    n_incidents     INTEGER NOT NULL,              -- what the text last said
    outbox_id       INTEGER REFERENCES outbox(id),
    follow_up_id    INTEGER REFERENCES outbox(id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (hotspot_id, linked_chat_id)
);
CREATE INDEX alerts_chat ON alerts(linked_chat_id, created_at);

-- Messages to send, in order, exactly once: written in the same transaction as the fact
-- they report, sent by bot.outbox.OutboxSender.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    dedupe_key       TEXT NOT NULL UNIQUE,
    project_id       INTEGER REFERENCES projects(id) ON DELETE CASCADE,
    chat_id          INTEGER NOT NULL,
    method           TEXT NOT NULL CHECK (method IN ('send', 'edit')),
    payload          TEXT NOT NULL,                -- JSON: text, buttons, photo, reply_to
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    message_id       INTEGER,
    created_at       TEXT NOT NULL,
    sent_at          TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
