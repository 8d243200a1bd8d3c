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
--
-- It reads each case once and only counts it: the inner query groups the
-- cases by group (opened_month for month and year) and stats_class (every
-- per-case test of the figures, folded into bits when the row was written;
-- see migration 081), counting the overdue ones and summing days to close.
-- The outer query adds those few rows up per figure and formats months and
-- years once per month rather than once per case.
SELECT
    (CASE @group_by::text
        WHEN 'month' THEN to_char(g_month, 'YYYY-MM')
        WHEN 'year' THEN to_char(g_month, 'YYYY')
        ELSE g
    END)::text AS grp,
    sum(n)::bigint AS disputes,
    coalesce(sum(n) FILTER (WHERE cls & 1 <> 0), 0)::bigint AS open,
    coalesce(sum(od) FILTER (WHERE cls & 1 <> 0), 0)::bigint AS overdue,
    coalesce(sum(n) FILTER (WHERE cls & 2 <> 0), 0)::bigint AS closed,
    coalesce(sum(n) FILTER (WHERE cls & 4 <> 0), 0)::bigint AS resolved,
    coalesce(sum(n) FILTER (WHERE cls & 8 <> 0), 0)::bigint AS unresolved,
    coalesce(sum(n) FILTER (WHERE cls & 16 <> 0), 0)::bigint AS pending,
    coalesce(sum(n) FILTER (WHERE cls & 32 <> 0), 0)::bigint AS automatic,
    coalesce(sum(n) FILTER (WHERE cls & 64 <> 0), 0)::bigint AS enforced,
    coalesce(sum(n) FILTER (WHERE cls & 128 <> 0), 0)::bigint AS defaulted,
    coalesce(sum(n) FILTER (WHERE cls & 256 <> 0), 0)::bigint AS follow_up_cases,
    coalesce(sum(n) FILTER (WHERE cls & 512 <> 0), 0)::bigint AS followed_up,
    coalesce(sum(n) FILTER (WHERE cls & 1026 = 1026), 0)::bigint AS closed_dated,
    coalesce(sum(days) FILTER (WHERE cls & 1026 = 1026), 0)::bigint AS days_to_close
FROM (
    SELECT
        (CASE @group_by::text
            WHEN 'court' THEN court
            WHEN 'mediator' THEN mediator
            WHEN 'process' THEN process
            ELSE ''
        END)::text AS g,
        (CASE WHEN @group_by::text IN ('month', 'year') THEN opened_month END)::date AS g_month,
        stats_class AS cls,
        count(*) AS n,
        count(*) FILTER (WHERE overdue_from < @as_of::timestamptz) AS od,
        sum(closed_on - opened_on) AS days
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
    GROUP BY 1, 2, 3
) per_class
GROUP BY 1
ORDER BY 1;
