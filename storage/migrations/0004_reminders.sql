-- Bookkeeping that makes reminders exactly-once across restarts: a row is written in the
-- same transaction as the decision to send, and the sender skips anything already here.

CREATE TABLE reminders_sent (
    action_id   INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    partner_id  INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    period_end  TEXT NOT NULL,              -- a postponed action gets a new reminder
    sent_at     TEXT NOT NULL,
    PRIMARY KEY (action_id, partner_id, user_id, period_end)
);

CREATE TABLE digests_sent (
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    iso_year    INTEGER NOT NULL,
    iso_week    INTEGER NOT NULL,
    sent_at     TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id, iso_year, iso_week)
);

CREATE INDEX action_partners_status ON action_partners(status, action_id);
CREATE INDEX actions_project_number ON actions(project_id, number);
