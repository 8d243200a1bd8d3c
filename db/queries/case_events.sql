-- name: CaseEventLastHash :one
-- CaseEventLastHash returns the hash of the step before seq, the link the
-- next row chains onto.
SELECT hash FROM case_events WHERE case_id = @case_id AND seq = @seq;

-- name: CaseEventInsert :execrows
INSERT INTO case_events (
    case_id, seq, kind, actor, role, real_at, case_at, case_on,
    reason, reason_code, data, prev_hash, hash
) VALUES (
    @case_id, @seq, @kind, @actor, @role, @real_at, @case_at, @case_on,
    @reason, @reason_code, @data, @prev_hash, @hash
)
ON CONFLICT (case_id, seq) DO NOTHING;

-- name: CaseEventList :many
SELECT * FROM case_events WHERE case_id = @case_id ORDER BY seq;
