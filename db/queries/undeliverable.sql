-- name: UndeliverableInScope :many
-- UndeliverableInScope lists the notices the channel would not take, for
-- the cases of one scope (a jurisdiction and its subdivisions, a mediator,
-- a court, a case leader), in the order they were given up, after the
-- keyset (after_at, after_id) when it is given.
SELECT sqlc.embed(n), c.case_number
FROM notices n
JOIN cases c ON c.id = n.case_id
WHERE n.undeliverable_at IS NOT NULL AND n.delivered_at IS NULL
  AND (sqlc.narg(court)::text IS NULL OR c.court = sqlc.narg(court))
  AND (sqlc.narg(mediator)::text IS NULL OR c.mediator = sqlc.narg(mediator))
  AND (sqlc.narg(case_leader)::text IS NULL OR c.case_leader = sqlc.narg(case_leader))
  AND (sqlc.narg(jurisdiction)::text IS NULL
       OR c.jurisdiction = sqlc.narg(jurisdiction)
       OR starts_with(c.jurisdiction, sqlc.narg(jurisdiction) || '-'))
  AND (sqlc.narg(after_at)::timestamptz IS NULL
       OR (n.undeliverable_at, n.id) > (sqlc.narg(after_at)::timestamptz, sqlc.narg(after_id)::bigint))
ORDER BY n.undeliverable_at, n.id
LIMIT @row_limit;
