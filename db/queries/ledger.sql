-- The ledger (台账) and its statistics. Every filter is optional (null =
-- any); the Store runs these with one-shot plans, so PostgreSQL sees the
-- actual arguments, drops the filters that are null and picks the index of
-- the ones that are set.

-- name: LedgerList :many
-- LedgerList returns one page of the ledger, newest case first, after the
-- keyset (after_on, after_id) when it is given.
SELECT sqlc.embed(cases),
    (status = 'open' AND coalesce(overdue_from < @as_of::timestamptz, false))::boolean AS overdue
FROM cases
WHERE (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
  AND (NOT @overdue_only::boolean OR (status = 'open' AND overdue_from < @as_of::timestamptz))
  AND (sqlc.narg(process)::text IS NULL OR process = sqlc.narg(process))
  AND (sqlc.narg(court)::text IS NULL OR court = sqlc.narg(court))
  AND (sqlc.narg(mediator)::text IS NULL OR mediator = sqlc.narg(mediator))
  AND (sqlc.narg(case_leader)::text IS NULL OR case_leader = sqlc.narg(case_leader))
  AND (sqlc.narg(jurisdiction)::text IS NULL
       OR jurisdiction = sqlc.narg(jurisdiction)
       OR starts_with(jurisdiction, sqlc.narg(jurisdiction) || '-'))
  AND (sqlc.narg(party)::text IS NULL OR parties @> ARRAY[sqlc.narg(party)::text])
  AND (sqlc.narg(opened_from)::date IS NULL OR opened_on >= sqlc.narg(opened_from))
  AND (sqlc.narg(opened_to)::date IS NULL OR opened_on <= sqlc.narg(opened_to))
  AND (NOT @provisional_only::boolean OR (status = 'open' AND next_deadline_provisional))
  AND (sqlc.narg(after_on)::date IS NULL OR (opened_on, id) < (sqlc.narg(after_on)::date, sqlc.narg(after_id)::text))
ORDER BY opened_on DESC, id DESC
LIMIT @row_limit;

-- name: LedgerStatistics :many
-- LedgerStatistics counts the cases of the same filters by group (court,
-- mediator, month or year opened, process, or one group for all), with the
-- raw numerators and denominators of every rate, so the rates are computed
-- and rounded once, in Go, and an auditor can redo them.
SELECT
    (CASE @group_by::text
        WHEN 'court' THEN court
        WHEN 'mediator' THEN mediator
        WHEN 'process' THEN process
        WHEN 'month' THEN to_char(opened_on, 'YYYY-MM')
        WHEN 'year' THEN to_char(opened_on, 'YYYY')
        ELSE ''
    END)::text AS grp,
    count(*) AS disputes,
    count(*) FILTER (WHERE status = 'open') AS open,
    count(*) FILTER (WHERE status = 'open' AND overdue_from < @as_of::timestamptz) AS overdue,
    count(*) FILTER (WHERE status = 'closed') AS closed,
    count(*) FILTER (WHERE resolution = 'resolved') AS resolved,
    count(*) FILTER (WHERE resolution = 'unresolved') AS unresolved,
    count(*) FILTER (WHERE resolution = '') AS pending,
    count(*) FILTER (WHERE performance = 'automatic') AS automatic,
    count(*) FILTER (WHERE performance = 'enforced') AS enforced,
    count(*) FILTER (WHERE performance = 'defaulted') AS defaulted,
    count(*) FILTER (WHERE follow_ups_due > 0) AS follow_up_cases,
    count(*) FILTER (WHERE follow_ups_due > 0 AND follow_ups_done > 0) AS followed_up,
    count(*) FILTER (WHERE status = 'closed' AND closed_on IS NOT NULL) AS closed_dated,
    coalesce(sum(closed_on - opened_on) FILTER (WHERE status = 'closed' AND closed_on IS NOT NULL), 0)::bigint AS days_to_close
FROM cases
WHERE (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
  AND (NOT @overdue_only::boolean OR (status = 'open' AND overdue_from < @as_of::timestamptz))
  AND (sqlc.narg(process)::text IS NULL OR process = sqlc.narg(process))
  AND (sqlc.narg(court)::text IS NULL OR court = sqlc.narg(court))
  AND (sqlc.narg(mediator)::text IS NULL OR mediator = sqlc.narg(mediator))
  AND (sqlc.narg(case_leader)::text IS NULL OR case_leader = sqlc.narg(case_leader))
  AND (sqlc.narg(jurisdiction)::text IS NULL
       OR jurisdiction = sqlc.narg(jurisdiction)
       OR starts_with(jurisdiction, sqlc.narg(jurisdiction) || '-'))
  AND (sqlc.narg(party)::text IS NULL OR parties @> ARRAY[sqlc.narg(party)::text])
  AND (sqlc.narg(opened_from)::date IS NULL OR opened_on >= sqlc.narg(opened_from))
  AND (sqlc.narg(opened_to)::date IS NULL OR opened_on <= sqlc.narg(opened_to))
  AND (NOT @provisional_only::boolean OR (status = 'open' AND next_deadline_provisional))
GROUP BY 1
ORDER BY 1;
