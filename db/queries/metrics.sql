-- name: NoticeBacklog :one
-- The notice outbox as operations watch it: notices not yet delivered and
-- still being tried, those given up as undeliverable, and how long the
-- oldest pending one has waited.
SELECT
    count(*) FILTER (WHERE undeliverable_at IS NULL)::bigint AS pending,
    count(*) FILTER (WHERE undeliverable_at IS NOT NULL)::bigint AS undeliverable,
    COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE undeliverable_at IS NULL)), 0)::float8 AS oldest_pending_seconds
FROM notices
WHERE delivered_at IS NULL;

-- name: DeadlinesDueByDay :many
-- Open cases by the legal day their pending deadline falls on, within a
-- window of days.
SELECT next_deadline_on::date AS due_on, count(*)::bigint AS cases
FROM cases
WHERE status = 'open' AND next_deadline_on BETWEEN sqlc.arg(from_on)::date AND sqlc.arg(to_on)::date
GROUP BY next_deadline_on
ORDER BY next_deadline_on;

-- name: OpenCaseCounts :one
-- Open cases, and of them those overdue now (the ledger's overdue).
SELECT count(*)::bigint AS open, count(*) FILTER (WHERE overdue_from <= now())::bigint AS overdue
FROM cases
WHERE status = 'open';
