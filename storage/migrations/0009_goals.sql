-- A project's goals, tracked in every steering pack and agenda: at most N burglaries in a
-- year, and/or an incidence below a number per 1,000 homes.
CREATE TABLE project_goals (
    project_id      INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    max_burglaries  INTEGER CHECK (max_burglaries IS NULL OR max_burglaries >= 0),
    goal_year       INTEGER,
    max_incidence   REAL CHECK (max_incidence IS NULL OR max_incidence > 0),
    updated_by      INTEGER REFERENCES users(id),
    updated_at      TEXT NOT NULL
);
