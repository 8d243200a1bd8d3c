-- name: CaseUpsert :execrows
-- CaseUpsert writes the projection only when it is newer than the stored one,
-- so a late retry of an older step never rolls a case back.
INSERT INTO cases (
    id, case_number, process, workflow_id, court, jurisdiction, organisation,
    mediator, case_leader, parties, stage, status, outcome, claim_fen,
    time_scale, real_epoch, case_epoch, opened_on, closed_on,
    next_deadline_on, next_deadline_at, next_deadline_kind, next_deadline_provisional, resolution, performance,
    follow_ups_due, follow_ups_done, source_case_id, last_seq, opened_at, closed_at
) VALUES (
    @id, @case_number, @process, @workflow_id, @court, @jurisdiction, @organisation,
    @mediator, @case_leader, @parties, @stage, @status, @outcome, @claim_fen,
    @time_scale, @real_epoch, @case_epoch, @opened_on, @closed_on,
    @next_deadline_on, @next_deadline_at, @next_deadline_kind, @next_deadline_provisional, @resolution, @performance,
    @follow_ups_due, @follow_ups_done, @source_case_id, @last_seq, @opened_at, @closed_at
)
ON CONFLICT (id) DO UPDATE SET
    organisation = excluded.organisation,
    mediator = excluded.mediator,
    case_leader = excluded.case_leader,
    -- A summary without parties keeps the stored ones: a case with
    -- thousands of creditors names them once, not with every step.
    parties = CASE WHEN cardinality(excluded.parties) = 0 THEN cases.parties ELSE excluded.parties END,
    stage = excluded.stage,
    status = excluded.status,
    outcome = excluded.outcome,
    claim_fen = excluded.claim_fen,
    closed_on = excluded.closed_on,
    next_deadline_on = excluded.next_deadline_on,
    next_deadline_at = excluded.next_deadline_at,
    next_deadline_kind = excluded.next_deadline_kind,
    -- A deadline computed on a provisional calendar stays provisional while
    -- it stays the same: publishing the year's arrangement later does not
    -- compute it anew.
    next_deadline_provisional = CASE
        WHEN cases.next_deadline_on IS NOT DISTINCT FROM excluded.next_deadline_on
         AND cases.next_deadline_kind = excluded.next_deadline_kind
         AND NOT @next_deadline_recounted::boolean
        THEN cases.next_deadline_provisional OR excluded.next_deadline_provisional
        ELSE excluded.next_deadline_provisional
    END,
    resolution = excluded.resolution,
    performance = excluded.performance,
    follow_ups_due = excluded.follow_ups_due,
    follow_ups_done = excluded.follow_ups_done,
    last_seq = excluded.last_seq,
    closed_at = excluded.closed_at,
    updated_at = now()
WHERE cases.last_seq < excluded.last_seq;

-- name: CaseListBySource :many
-- CaseListBySource lists the cases opened on a case's title (its
-- enforcement), oldest first.
SELECT * FROM cases WHERE source_case_id = @source_case_id ORDER BY opened_at, id;

-- name: CaseGet :one
SELECT * FROM cases WHERE id = @id;

-- name: CaseListIDs :many
-- CaseListIDs returns the id of every case, for verifying them all.
SELECT id FROM cases ORDER BY id;
