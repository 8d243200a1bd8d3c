-- The keyed chain. A step's hash was a SHA-256 anyone who can write the
-- table could recompute; from now on it is an HMAC under the audit key,
-- which the database never holds (CASEWORK_AUDIT_KEY).
--
-- chain says which: 0 for the unkeyed SHA-256 of steps stored before, 1 for
-- the HMAC. The default is 0, so a row inserted by hand without naming it
-- counts as unkeyed, which only the workflow history can confirm.
ALTER TABLE case_events ADD COLUMN chain smallint NOT NULL DEFAULT 0 CHECK (chain IN (0, 1));

-- summary_digest is the keyed digest of the case summary (its parties,
-- jurisdiction, court, mediator, ...) recorded together with this step; it
-- is part of the step's HMAC, so the cases row that access control reads can
-- be checked against the chain. NULL when the step came without a summary.
ALTER TABLE case_events ADD COLUMN summary_digest bytea;
