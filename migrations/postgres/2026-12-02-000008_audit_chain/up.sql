-- The audit trail becomes a hash chain: each entry stores the hash of the one before it and a
-- hash over its own content and that link (computed by the application; `parkland audit
-- verify` recomputes them). Entries recorded before this migration carry no hashes; the first
-- chained entry links to a hash over all of them.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT, ADD COLUMN hash TEXT;

-- History is append-only too: versions, lineage, dated facts, procedure steps, progress
-- reports and project stages are never changed or removed, whoever connects.
CREATE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER parcel_versions_append_only BEFORE UPDATE OR DELETE ON parcel_versions
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER parcel_versions_no_truncate BEFORE TRUNCATE ON parcel_versions
    FOR EACH STATEMENT EXECUTE FUNCTION history_append_only();
CREATE TRIGGER parcel_lineage_append_only BEFORE UPDATE OR DELETE ON parcel_lineage
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER parcel_lineage_no_truncate BEFORE TRUNCATE ON parcel_lineage
    FOR EACH STATEMENT EXECUTE FUNCTION history_append_only();
CREATE TRIGGER supply_facts_append_only BEFORE UPDATE OR DELETE ON supply_facts
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER supply_facts_no_truncate BEFORE TRUNCATE ON supply_facts
    FOR EACH STATEMENT EXECUTE FUNCTION history_append_only();
CREATE TRIGGER idle_case_steps_append_only BEFORE UPDATE OR DELETE ON idle_case_steps
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER idle_case_steps_no_truncate BEFORE TRUNCATE ON idle_case_steps
    FOR EACH STATEMENT EXECUTE FUNCTION history_append_only();
CREATE TRIGGER workshop_progress_append_only BEFORE UPDATE OR DELETE ON workshop_progress
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER workshop_progress_no_truncate BEFORE TRUNCATE ON workshop_progress
    FOR EACH STATEMENT EXECUTE FUNCTION history_append_only();
CREATE TRIGGER project_stages_append_only BEFORE UPDATE OR DELETE ON project_stages
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER project_stages_no_truncate BEFORE TRUNCATE ON project_stages
    FOR EACH STATEMENT EXECUTE FUNCTION history_append_only();
CREATE TRIGGER project_investment_append_only BEFORE UPDATE OR DELETE ON project_investment
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER project_investment_no_truncate BEFORE TRUNCATE ON project_investment
    FOR EACH STATEMENT EXECUTE FUNCTION history_append_only();
