-- name: IdempotencyInsert :exec
-- IdempotencyInsert records the first use of a key; a later use changes
-- nothing.
INSERT INTO idempotency_keys (scope, case_id, operation, request_hash)
VALUES (@scope, @case_id, @operation, @request_hash)
ON CONFLICT (scope) DO NOTHING;

-- name: IdempotencyGet :one
SELECT * FROM idempotency_keys WHERE scope = @scope;

-- name: IdempotencyComplete :execrows
-- IdempotencyComplete keeps the first outcome of a keyed command.
UPDATE idempotency_keys SET outcome = @outcome, completed_at = now()
WHERE scope = @scope AND outcome IS NULL;
