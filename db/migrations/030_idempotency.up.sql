-- idempotency_keys remembers each Idempotency-Key a caller used for a
-- command: scope is a digest of (caller, operation, case, key), so one
-- caller's key never answers for another's; request_hash binds the key to
-- the command it first carried, so the same key with another body is
-- refused rather than silently answered with the first one's outcome. The
-- outcome, once known, is kept so a retry is answered even after the case's
-- workflow has continued as new (Temporal deduplicates update IDs within a
-- run only).
CREATE TABLE idempotency_keys (
    scope        text PRIMARY KEY,
    case_id      text NOT NULL,
    operation    text NOT NULL,
    request_hash bytea NOT NULL,
    outcome      jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz
);
CREATE INDEX idempotency_keys_case_idx ON idempotency_keys (case_id);

-- The application role records a key once and its outcome once; it never
-- rebinds a key to another request.
GRANT SELECT, INSERT ON idempotency_keys TO casework_app;
GRANT UPDATE (outcome, completed_at) ON idempotency_keys TO casework_app;
