-- name: PlanUpsert :execrows
-- PlanUpsert writes a plan's totals only when they are newer than the stored
-- ones; no row affected means this version (or a later one) is stored.
INSERT INTO plans (
    case_id, plan_id, obligor, stage, on_time, total_fen, paid_fen, overpaid_fen,
    started_on, closed_on, version, settlements
) VALUES (
    @case_id, @plan_id, @obligor, @stage, @on_time, @total_fen, @paid_fen, @overpaid_fen,
    @started_on, @closed_on, @version, @settlements
)
ON CONFLICT (case_id, plan_id) DO UPDATE SET
    stage = excluded.stage,
    on_time = excluded.on_time,
    paid_fen = excluded.paid_fen,
    overpaid_fen = excluded.overpaid_fen,
    closed_on = excluded.closed_on,
    version = excluded.version,
    settlements = excluded.settlements,
    updated_at = now()
WHERE plans.version < excluded.version;

-- name: PlanGet :one
SELECT * FROM plans WHERE case_id = @case_id AND plan_id = @plan_id;

-- name: PlanInstallmentUpsert :execrows
INSERT INTO plan_installments (
    case_id, plan_id, no, due_on, amount_fen, paid_fen, state, paid_on, reminders_sent, grace_ends_on, version,
    superseded_fen, superseded_by, settlement
) VALUES (
    @case_id, @plan_id, @no, @due_on, @amount_fen, @paid_fen, @state, @paid_on, @reminders_sent, @grace_ends_on, @version,
    @superseded_fen, @superseded_by, @settlement
)
ON CONFLICT (case_id, plan_id, no) DO UPDATE SET
    paid_fen = excluded.paid_fen,
    state = excluded.state,
    paid_on = excluded.paid_on,
    reminders_sent = excluded.reminders_sent,
    grace_ends_on = excluded.grace_ends_on,
    superseded_fen = excluded.superseded_fen,
    superseded_by = excluded.superseded_by,
    settlement = excluded.settlement,
    version = excluded.version,
    updated_at = now()
WHERE plan_installments.version < excluded.version;

-- name: PlanInstallmentList :many
SELECT * FROM plan_installments WHERE case_id = @case_id AND plan_id = @plan_id ORDER BY no;

-- name: CertificateInsert :execrows
-- CertificateInsert issues a plan's certificate once.
INSERT INTO certificates (case_id, plan_id, obligor, total_fen, issued_on, body)
VALUES (@case_id, @plan_id, @obligor, @total_fen, @issued_on, @body)
ON CONFLICT (case_id, plan_id) DO NOTHING;

-- name: CertificateListByCase :many
SELECT * FROM certificates WHERE case_id = @case_id ORDER BY issued_on, plan_id;
