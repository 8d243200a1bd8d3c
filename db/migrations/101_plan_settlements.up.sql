-- A pre-enforcement settlement (执前和解) takes over what a plan's
-- installments still owe and schedules lines of its own, numbered on. The
-- ledger keeps, for each line, what a settlement took over from it and
-- which settlement scheduled it, and the plan keeps the settlements it
-- recorded, so a restart after the plan's workflow failed runs the same
-- schedule. Rows stored before read as lines no settlement touched.
ALTER TABLE plan_installments
    ADD COLUMN superseded_fen bigint NOT NULL DEFAULT 0 CHECK (superseded_fen >= 0),
    ADD COLUMN superseded_by  integer NOT NULL DEFAULT 0,
    ADD COLUMN settlement     integer NOT NULL DEFAULT 0;

ALTER TABLE plans
    ADD COLUMN settlements jsonb NOT NULL DEFAULT '[]';
