-- The intake figures of the statistics (seed 004: 点单、接单、派单、办单、
-- 评单), counted from the steps the intake workflow recorded, over the
-- intake cases of the same filters as the ledger.

-- name: IntakeStatistics :one
-- IntakeStatistics counts, over the intake cases the filters select: the
-- disputes received, those dispatched at least once, the outcomes recorded
-- and those recorded by the handling deadline, the disputes whose handling
-- went overdue, those resolved, those converted into a mediation case, and
-- the ratings with the sum of their scores (the average is computed in Go).
WITH c AS (
    SELECT id FROM cases
    WHERE process = 'intake'
      AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
      AND (NOT @overdue_only::boolean OR (status = 'open' AND overdue_from < @as_of::timestamptz))
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
), e AS (
    SELECT e.case_id, e.kind, e.data
    FROM case_events e JOIN c ON c.id = e.case_id
    WHERE e.stream = 'intake'
      AND e.kind IN ('intake_dispatched', 'intake_outcome_recorded', 'handling_overdue', 'converted_to_mediation', 'intake_rated')
)
SELECT
    (SELECT count(*) FROM c)::bigint AS received,
    (SELECT count(DISTINCT case_id) FROM e WHERE kind = 'intake_dispatched')::bigint AS dispatched,
    (SELECT count(*) FROM e WHERE kind = 'intake_outcome_recorded')::bigint AS handled,
    (SELECT count(*) FROM e WHERE kind = 'intake_outcome_recorded' AND (data->>'on_time')::boolean)::bigint AS handled_on_time,
    (SELECT count(DISTINCT case_id) FROM e WHERE kind = 'handling_overdue')::bigint AS overdue,
    (SELECT count(*) FROM e WHERE kind = 'intake_outcome_recorded' AND data->>'outcome' = 'resolved')::bigint AS resolved,
    (SELECT count(*) FROM e WHERE kind = 'converted_to_mediation')::bigint AS converted,
    (SELECT count(*) FROM e WHERE kind = 'intake_rated')::bigint AS ratings,
    (SELECT coalesce(sum((data->>'score')::bigint), 0) FROM e WHERE kind = 'intake_rated')::bigint AS rating_sum;

-- name: IntakeWeekly :many
-- IntakeWeekly lists the intake cases the filters select that were open at
-- some time in the week from week_start to week_end (case dates): opened
-- on or before its last day and not closed before its first. Each says
-- whether it was opened in the week (new), was open when the week began
-- (stock), was closed out in it, and which kinds of step it took in it.
SELECT
    c.id, c.case_number, c.stage, c.status, c.outcome, c.mediator, c.case_leader,
    c.opened_on, c.closed_on, c.next_deadline_on, c.next_deadline_kind,
    (c.opened_on >= @week_start::date)::boolean AS is_new,
    (c.closed_on IS NOT NULL AND c.closed_on <= @week_end::date)::boolean AS is_closed,
    coalesce((SELECT array_agg(DISTINCT e.kind ORDER BY e.kind)
              FROM case_events e
              WHERE e.case_id = c.id AND e.stream = 'intake'
                AND e.case_on >= @week_start::date AND e.case_on <= @week_end::date), '{}')::text[] AS week_kinds
FROM cases c
WHERE c.process = 'intake'
  AND c.opened_on <= @week_end::date
  AND (c.closed_on IS NULL OR c.closed_on >= @week_start::date)
  AND (sqlc.narg(mediator)::text IS NULL OR c.mediator = sqlc.narg(mediator))
  AND (sqlc.narg(case_leader)::text IS NULL OR c.case_leader = sqlc.narg(case_leader))
  AND (sqlc.narg(jurisdiction)::text IS NULL
       OR c.jurisdiction = sqlc.narg(jurisdiction)
       OR starts_with(c.jurisdiction, sqlc.narg(jurisdiction) || '-'))
  AND (sqlc.narg(party)::text IS NULL OR c.parties @> ARRAY[sqlc.narg(party)::text])
ORDER BY c.opened_on, c.id
LIMIT @row_limit;
