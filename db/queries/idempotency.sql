-- name: IdempotencyClaim :one
-- IdempotencyClaim records the first use of a key, or finds the earlier
-- one; either way it returns the key's row.
INSERT INTO idempotency_keys (scope, case_id, operation, request_hash)
VALUES (@scope, @case_id, @operation, @request_hash)
ON CONFLICT (scope) DO UPDATE SET scope = EXCLUDED.scope
RETURNING *;

-- name: IdempotencyComplete :execrows
-- IdempotencyComplete keeps the first outcome of a keyed command.
UPDATE idempotency_keys SET outcome = @outcome, completed_at = now()
WHERE scope = @scope AND outcome IS NULL;
