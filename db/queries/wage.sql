-- name: WageCreditorUpsert :execrows
-- WageCreditorUpsert writes many creditors' lines in one statement, each
-- only when it is newer than the stored one.
INSERT INTO wage_creditors (case_id, creditor_id, no, name, owed_fen, paid_fen, hardship, version)
SELECT @case_id::text, unnest(@creditor_ids::text[]), unnest(@nos::integer[]), unnest(@names::text[]),
       unnest(@owed_fen::bigint[]), unnest(@paid_fen::bigint[]), unnest(@hardship::boolean[]), @version::integer
ON CONFLICT (case_id, creditor_id) DO UPDATE SET
    paid_fen = excluded.paid_fen,
    hardship = excluded.hardship,
    version = excluded.version,
    updated_at = now()
WHERE wage_creditors.version < excluded.version;

-- name: WageCreditorList :many
-- WageCreditorList pages through a case's creditors in their order, after
-- the position @after.
SELECT * FROM wage_creditors
WHERE case_id = @case_id AND no > @after
ORDER BY no
LIMIT @max;

-- name: WageCreditorGet :one
SELECT * FROM wage_creditors WHERE case_id = @case_id AND creditor_id = @creditor_id;

-- name: WageCreditorTotals :one
SELECT count(*)::integer AS creditors,
       coalesce(sum(owed_fen), 0)::bigint AS owed_fen,
       coalesce(sum(paid_fen), 0)::bigint AS paid_fen
FROM wage_creditors WHERE case_id = @case_id;

-- name: WageCreditorClaims :many
-- WageCreditorClaims reads a case's creditor lines in their order and locks
-- them, for a payment to be allocated against them in the same transaction.
SELECT no, owed_fen, paid_fen, hardship, version FROM wage_creditors
WHERE case_id = @case_id
ORDER BY no
FOR UPDATE;

-- name: WageCreditorSetPaid :execrows
-- WageCreditorSetPaid sets what has been paid to many creditors, by
-- position, each only when the write is newer than the stored line.
UPDATE wage_creditors AS w SET paid_fen = u.paid_fen, version = @version::integer, updated_at = now()
FROM (SELECT unnest(@nos::integer[]) AS no, unnest(@paid_fen::bigint[]) AS paid_fen) AS u
WHERE w.case_id = @case_id AND w.no = u.no AND w.version < @version::integer;

-- name: WageListStage :execrows
-- WageListStage stages a creditor list under its digest; staging the same
-- list again changes nothing.
INSERT INTO wage_creditor_lists (list_id, no, creditor_id, name, owed_fen, hardship)
SELECT @list_id::text, unnest(@nos::integer[]), unnest(@creditor_ids::text[]), unnest(@names::text[]),
       unnest(@owed_fen::bigint[]), unnest(@hardship::boolean[])
ON CONFLICT (list_id, no) DO NOTHING;

-- name: WageListTotals :one
SELECT count(*)::integer AS creditors,
       coalesce(sum(owed_fen), 0)::bigint AS owed_fen,
       (count(*) FILTER (WHERE hardship))::integer AS hardship
FROM wage_creditor_lists WHERE list_id = @list_id;

-- name: WageCreditorsFromList :execrows
-- WageCreditorsFromList opens a case's creditor ledger from a staged list;
-- lines already there are kept.
INSERT INTO wage_creditors (case_id, creditor_id, no, name, owed_fen, paid_fen, hardship, version)
SELECT @case_id::text, creditor_id, no, name, owed_fen, 0, hardship, @version::integer
FROM wage_creditor_lists WHERE list_id = @list_id
ON CONFLICT (case_id, creditor_id) DO NOTHING;

-- name: WageListCreditorIDs :many
SELECT creditor_id FROM wage_creditor_lists WHERE list_id = @list_id ORDER BY no;

-- name: WageListLines :many
-- WageListLines reads a staged list's lines in their order, for a reader
-- to check them against the list's digest.
SELECT no, creditor_id, name, owed_fen, hardship FROM wage_creditor_lists
WHERE list_id = @list_id
ORDER BY no;

-- name: WageAllocationGet :one
SELECT * FROM wage_payment_allocations WHERE case_id = @case_id AND no = @no;

-- name: WageAllocationInsert :exec
INSERT INTO wage_payment_allocations (case_id, no, amount_fen, rule, credited_fen, creditors, hardship_fen, version)
VALUES (@case_id, @no, @amount_fen, @rule, @credited_fen, @creditors, @hardship_fen, @version);

-- name: WageCreditorPay :execrows
-- WageCreditorPay sets what has been paid to many creditors, by position,
-- under a payment's allocation (kept in wage_payment_allocations, which
-- makes the write once).
UPDATE wage_creditors AS w SET paid_fen = u.paid_fen, version = @version::integer, updated_at = now()
FROM (SELECT unnest(@nos::integer[]) AS no, unnest(@paid_fen::bigint[]) AS paid_fen) AS u
WHERE w.case_id = @case_id AND w.no = u.no;
