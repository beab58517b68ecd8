-- The audit trail becomes a hash chain: each entry stores the hash of the one before it and a
-- hash over its own content and that link (computed by the application; `parkland audit
-- verify` recomputes them). Entries recorded before this migration carry no hashes; the first
-- chained entry links to a hash over all of them.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

-- History is append-only too: versions, lineage, dated facts, procedure steps, progress
-- reports and project stages are never changed or removed, whoever connects.
CREATE TRIGGER parcel_versions_no_update BEFORE UPDATE ON parcel_versions
BEGIN SELECT RAISE(ABORT, 'parcel_versions is append-only'); END;
CREATE TRIGGER parcel_versions_no_delete BEFORE DELETE ON parcel_versions
BEGIN SELECT RAISE(ABORT, 'parcel_versions is append-only'); END;
CREATE TRIGGER parcel_lineage_no_update BEFORE UPDATE ON parcel_lineage
BEGIN SELECT RAISE(ABORT, 'parcel_lineage is append-only'); END;
CREATE TRIGGER parcel_lineage_no_delete BEFORE DELETE ON parcel_lineage
BEGIN SELECT RAISE(ABORT, 'parcel_lineage is append-only'); END;
CREATE TRIGGER supply_facts_no_update BEFORE UPDATE ON supply_facts
BEGIN SELECT RAISE(ABORT, 'supply_facts is append-only'); END;
CREATE TRIGGER supply_facts_no_delete BEFORE DELETE ON supply_facts
BEGIN SELECT RAISE(ABORT, 'supply_facts is append-only'); END;
CREATE TRIGGER idle_case_steps_no_update BEFORE UPDATE ON idle_case_steps
BEGIN SELECT RAISE(ABORT, 'idle_case_steps is append-only'); END;
CREATE TRIGGER idle_case_steps_no_delete BEFORE DELETE ON idle_case_steps
BEGIN SELECT RAISE(ABORT, 'idle_case_steps is append-only'); END;
CREATE TRIGGER workshop_progress_no_update BEFORE UPDATE ON workshop_progress
BEGIN SELECT RAISE(ABORT, 'workshop_progress is append-only'); END;
CREATE TRIGGER workshop_progress_no_delete BEFORE DELETE ON workshop_progress
BEGIN SELECT RAISE(ABORT, 'workshop_progress is append-only'); END;
CREATE TRIGGER project_stages_no_update BEFORE UPDATE ON project_stages
BEGIN SELECT RAISE(ABORT, 'project_stages is append-only'); END;
CREATE TRIGGER project_stages_no_delete BEFORE DELETE ON project_stages
BEGIN SELECT RAISE(ABORT, 'project_stages is append-only'); END;
CREATE TRIGGER project_investment_no_update BEFORE UPDATE ON project_investment
BEGIN SELECT RAISE(ABORT, 'project_investment is append-only'); END;
CREATE TRIGGER project_investment_no_delete BEFORE DELETE ON project_investment
BEGIN SELECT RAISE(ABORT, 'project_investment is append-only'); END;
