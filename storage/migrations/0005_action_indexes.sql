-- Per-partner questions (/status, /openstaand) count a partner's statuses straight from
-- this index instead of scanning every action of the project.
DROP INDEX IF EXISTS action_partners_partner;
CREATE INDEX action_partners_partner_status
    ON action_partners(partner_id, status, action_id, updated_at);
CREATE INDEX actions_project_end_number ON actions(project_id, period_end, number);

-- Actions nobody is responsible for yet (a SMART warning, not an error) are rare; a flag
-- with a partial index finds them without probing every action.
ALTER TABLE actions ADD COLUMN partnerless INTEGER NOT NULL DEFAULT 0;
UPDATE actions SET partnerless = NOT EXISTS
    (SELECT 1 FROM action_partners ap WHERE ap.action_id = actions.id);
CREATE INDEX actions_partnerless ON actions(project_id) WHERE partnerless = 1;

-- Results are summed per project, partner and unit (/status); carrying the project on the
-- result lets one covering index answer that without joining every action.
ALTER TABLE action_results ADD COLUMN project_id INTEGER REFERENCES projects(id);
UPDATE action_results SET project_id =
    (SELECT a.project_id FROM actions a WHERE a.id = action_results.action_id);
CREATE INDEX action_results_totals
    ON action_results(project_id, partner_id, unit, quantity) WHERE quantity IS NOT NULL;
