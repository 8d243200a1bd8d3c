-- name: CaseEventLastHash :one
-- CaseEventLastHash returns the hash of a stream's step seq, the link the
-- next step chains onto.
SELECT hash FROM case_events WHERE case_id = @case_id AND stream = @stream AND seq = @seq;

-- name: CaseEventInsert :execrows
INSERT INTO case_events (
    case_id, stream, seq, kind, actor, role, real_at, case_at, case_on,
    reason, reason_code, data, prev_hash, hash, chain, summary_digest
) VALUES (
    @case_id, @stream, @seq, @kind, @actor, @role, @real_at, @case_at, @case_on,
    @reason, @reason_code, @data, @prev_hash, @hash, @chain, @summary_digest
)
ON CONFLICT (case_id, stream, seq) DO NOTHING;

-- name: CaseEventList :many
-- CaseEventList returns a case's steps from every stream in the order they
-- happened.
SELECT * FROM case_events WHERE case_id = @case_id ORDER BY real_at, stream, seq;

-- name: CaseEventHeads :many
-- CaseEventHeads returns the last step of every stream of every case, what
-- an anchor file keeps.
SELECT DISTINCT ON (case_id, stream) case_id, stream, seq, hash
FROM case_events ORDER BY case_id, stream, seq DESC;

-- name: CaseEventLastSummaryDigest :one
-- CaseEventLastSummaryDigest returns the latest step of a case that
-- carries a summary digest, which the cases row must match.
SELECT seq, summary_digest FROM case_events
WHERE case_id = @case_id AND summary_digest IS NOT NULL
ORDER BY seq DESC LIMIT 1;
