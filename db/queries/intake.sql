-- The intake figures of the statistics (seed 004: 点单、接单、派单、办单、
-- 评单), counted from the steps the intake workflow recorded, over the
-- intake cases of the same filters as the ledger.

-- name: IntakeStatistics :one
-- IntakeStatistics counts, over the intake cases the filters select: the
-- disputes received, those dispatched at least once, the outcomes recorded
-- and those recorded by the handling deadline, the disputes whose handling
-- went overdue, those resolved, those converted into a mediation or a
-- boundary case, and
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
      AND e.kind IN ('intake_dispatched', 'intake_outcome_recorded', 'handling_overdue', 'converted_to_mediation', 'converted_to_boundary', 'intake_rated')
)
SELECT
    (SELECT count(*) FROM c)::bigint AS received,
    (SELECT count(DISTINCT case_id) FROM e WHERE kind = 'intake_dispatched')::bigint AS dispatched,
    (SELECT count(*) FROM e WHERE kind = 'intake_outcome_recorded')::bigint AS handled,
    (SELECT count(*) FROM e WHERE kind = 'intake_outcome_recorded' AND (data->>'on_time')::boolean)::bigint AS handled_on_time,
    (SELECT count(DISTINCT case_id) FROM e WHERE kind = 'handling_overdue')::bigint AS overdue,
    (SELECT count(*) FROM e WHERE kind = 'intake_outcome_recorded' AND data->>'outcome' = 'resolved')::bigint AS resolved,
    (SELECT count(*) FROM e WHERE kind IN ('converted_to_mediation', 'converted_to_boundary'))::bigint AS converted,
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

-- name: IntakeMonthly :many
-- IntakeMonthly lists, for the monthly joint meeting (月度联席会议), the
-- intake cases the filters select whose handling was overdue at some time
-- in the month from month_start to month_end (case dates): their latest
-- handling_overdue step on or before the month's last day was not ended
-- (by an outcome, a return, a dispatch again or a conversion) before its
-- first day. Each row gives that step's handler, tier and deadline, the
-- day the overdue handling ended, if it did, the days it was overdue up to
-- then or to the month's end, the risk grade and case leader on the
-- month's last day, and the latest joint-meeting review recorded for the
-- month; every row carries the counts over all the rows, exact however
-- many the limit keeps.
WITH c AS (
    SELECT cs.id, cs.case_number, cs.stage, cs.status FROM cases cs
    WHERE cs.process = 'intake'
      AND cs.opened_on <= @month_end::date
      AND (sqlc.narg(mediator)::text IS NULL OR cs.mediator = sqlc.narg(mediator))
      AND (sqlc.narg(case_leader)::text IS NULL OR cs.case_leader = sqlc.narg(case_leader))
      AND (sqlc.narg(jurisdiction)::text IS NULL
           OR cs.jurisdiction = sqlc.narg(jurisdiction)
           OR starts_with(cs.jurisdiction, sqlc.narg(jurisdiction) || '-'))
      AND (sqlc.narg(party)::text IS NULL OR cs.parties @> ARRAY[sqlc.narg(party)::text])
), o AS (
    SELECT DISTINCT ON (e.case_id) e.case_id, e.seq, e.case_on, e.data
    FROM case_events e JOIN c ON c.id = e.case_id
    WHERE e.stream = 'intake' AND e.kind = 'handling_overdue' AND e.case_on <= @month_end::date
    ORDER BY e.case_id, e.seq DESC
), r AS (
    SELECT o.case_id, o.seq, o.case_on, o.data,
        (SELECT min(x.case_on) FROM case_events x
         WHERE x.case_id = o.case_id AND x.stream = 'intake' AND x.seq > o.seq
           AND x.kind IN ('intake_outcome_recorded', 'intake_returned', 'intake_dispatched',
                          'converted_to_mediation', 'converted_to_boundary'))::date AS ended_on
    FROM o
), m AS (
    SELECT c.id, c.case_number, c.stage, c.status,
        coalesce(r.data->'handler'->>'kind', '')::text AS handler_kind,
        coalesce(r.data->'handler'->>'unit', '')::text AS handler_unit,
        coalesce(r.data->'handler'->>'subject', '')::text AS handler_subject,
        coalesce(r.data->>'urgency', '')::text AS urgency,
        (r.data->>'handle_by')::date AS handle_by,
        r.case_on AS overdue_on,
        r.ended_on,
        (r.ended_on IS NULL OR r.ended_on > @month_end::date)::boolean AS overdue_at_month_end,
        (LEAST(coalesce(r.ended_on, @month_end::date), @month_end::date) - (r.data->>'handle_by')::date)::integer AS days_overdue,
        coalesce((SELECT coalesce(x.data->>'to', x.data->>'risk') FROM case_events x
                  WHERE x.case_id = c.id AND x.stream = 'intake' AND x.kind IN ('intake_registered', 'risk_regraded')
                    AND x.case_on <= @month_end::date
                  ORDER BY x.seq DESC LIMIT 1), '')::text AS risk,
        coalesce((SELECT (x.data->>'hard')::boolean FROM case_events x
                  WHERE x.case_id = c.id AND x.stream = 'intake' AND x.kind = 'risk_regraded'
                    AND x.case_on <= @month_end::date
                  ORDER BY x.seq DESC LIMIT 1), false)::boolean AS hard,
        coalesce((SELECT x.data->>'case_leader' FROM case_events x
                  WHERE x.case_id = c.id AND x.stream = 'intake' AND x.kind IN ('case_leader_recorded', 'case_leader_amended')
                    AND x.case_on <= @month_end::date
                  ORDER BY x.seq DESC LIMIT 1), '')::text AS case_leader,
        coalesce((SELECT x.data->>'decision' FROM case_events x
                  WHERE x.case_id = c.id AND x.stream = 'intake' AND x.kind = 'joint_meeting_reviewed'
                    AND x.data->>'month' = @month::text
                  ORDER BY x.seq DESC LIMIT 1), '')::text AS review_decision,
        (SELECT (x.data->>'meeting_on')::date FROM case_events x
         WHERE x.case_id = c.id AND x.stream = 'intake' AND x.kind = 'joint_meeting_reviewed'
           AND x.data->>'month' = @month::text
         ORDER BY x.seq DESC LIMIT 1) AS reviewed_on
    FROM r JOIN c ON c.id = r.case_id
    WHERE r.ended_on IS NULL OR r.ended_on >= @month_start::date
)
SELECT m.id, m.case_number, m.stage, m.status, m.handler_kind, m.handler_unit, m.handler_subject, m.urgency,
    m.handle_by, m.overdue_on, m.ended_on, m.overdue_at_month_end, m.days_overdue, m.risk, m.hard,
    m.case_leader, m.review_decision, m.reviewed_on,
    (count(*) OVER ())::bigint AS total,
    (count(*) FILTER (WHERE m.overdue_at_month_end) OVER ())::bigint AS total_overdue_at_month_end,
    (count(*) FILTER (WHERE m.overdue_on >= @month_start::date) OVER ())::bigint AS total_new_in_month,
    (count(*) FILTER (WHERE m.review_decision <> '') OVER ())::bigint AS total_reviewed,
    (count(*) FILTER (WHERE m.case_leader <> '') OVER ())::bigint AS total_with_case_leader,
    (count(*) FILTER (WHERE m.risk = 'red') OVER ())::bigint AS total_red,
    (count(*) FILTER (WHERE m.risk = 'yellow') OVER ())::bigint AS total_yellow,
    (count(*) FILTER (WHERE m.risk = 'green') OVER ())::bigint AS total_green
FROM m
ORDER BY m.handle_by, m.id
LIMIT @row_limit;
