-- casework_app is the role the API and the worker connect as (directly, or
-- through a login role that is a member of it). It may add steps to the
-- audit trail and read them, but never UPDATE, DELETE or TRUNCATE them, and
-- elsewhere only what the application does: the tables stay owned by the
-- role that migrates, which the application does not use.
--
-- Creating the role needs CREATEROLE the first time; a DBA may create it
-- beforehand (CREATE ROLE casework_app NOLOGIN) and migrate without. Every
-- later migration that adds a table grants casework_app what it needs.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casework_app') THEN
        CREATE ROLE casework_app NOLOGIN;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO casework_app', current_schema());
END
$$;

-- The audit trail: append and read only.
GRANT SELECT, INSERT ON case_events TO casework_app;

-- The case summary is rewritten after each step, but never its identity,
-- court or jurisdiction.
GRANT SELECT, INSERT ON cases TO casework_app;
GRANT UPDATE (organisation, mediator, case_leader, parties, stage, status, outcome, claim_fen,
    closed_on, next_deadline_on, next_deadline_at, next_deadline_kind, resolution, performance,
    follow_ups_due, follow_ups_done, last_seq, closed_at, updated_at) ON cases TO casework_app;

-- The notice outbox: a notice is written once; delivery counts attempts and
-- marks it delivered. The inbox channel's deliveries are written once.
GRANT SELECT, INSERT ON notices TO casework_app;
GRANT UPDATE (attempts, delivered_at) ON notices TO casework_app;
GRANT USAGE ON SEQUENCE notices_id_seq TO casework_app;
GRANT SELECT, INSERT ON notice_deliveries TO casework_app;

-- Projections of plans and creditors are rewritten as payments arrive;
-- certificates are written once.
GRANT SELECT, INSERT, UPDATE ON plans, plan_installments, wage_creditors TO casework_app;
GRANT SELECT, INSERT ON certificates TO casework_app;
