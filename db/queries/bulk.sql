-- name: BulkBatchInsert :execrows
-- BulkBatchInsert stores a batch once: a retried intake writes nothing.
INSERT INTO bulk_batches (batch_id, filer, court, jurisdiction, creditor, file_sha256, rows_total)
VALUES (@batch_id, @filer, @court, @jurisdiction, @creditor, @file_sha256, @rows_total)
ON CONFLICT DO NOTHING;

-- name: BulkRowsInsert :execrows
-- BulkRowsInsert stores every row of a batch in one statement.
INSERT INTO bulk_rows (batch_id, row_no, debtor_name, debtor_id_no, phone, contract_no, principal_fen, interest_fen, fees_fen)
SELECT @batch_id::text, unnest(@row_nos::integer[]), unnest(@debtor_names::text[]), unnest(@debtor_id_nos::text[]),
       unnest(@phones::text[]), unnest(@contract_nos::text[]), unnest(@principal_fen::bigint[]),
       unnest(@interest_fen::bigint[]), unnest(@fees_fen::bigint[])
ON CONFLICT (batch_id, row_no) DO NOTHING;

-- name: BulkBatchGet :one
SELECT * FROM bulk_batches WHERE batch_id = @batch_id;

-- name: BulkBatchBySHA :one
SELECT * FROM bulk_batches WHERE file_sha256 = @file_sha256;

-- name: BulkContractsImported :many
-- BulkContractsImported returns which of the contract numbers are already
-- in a stored batch, and in which.
SELECT contract_no, batch_id, row_no FROM bulk_rows WHERE contract_no = ANY(@contract_nos::text[]);

-- name: BulkScreenChunk :one
-- BulkScreenChunk screens up to @max received rows of a batch (查废): a
-- debtor in the 终本 registry is written off with a certificate, a row
-- without a phone is unreachable, the rest go to mediation. Each row leaves
-- 'received' once, so a retried chunk moves the next rows, never the same.
WITH pick AS (
    SELECT row_no FROM bulk_rows
    WHERE batch_id = @batch_id::text AND stage = 'received'
    ORDER BY row_no LIMIT @max::integer FOR UPDATE
), moved AS (
    UPDATE bulk_rows r SET screened = true, updated_at = now(), stage = CASE
        WHEN EXISTS (SELECT 1 FROM terminated_debtors t WHERE t.debtor_id_no = r.debtor_id_no) THEN 'written_off'
        WHEN r.phone = '' THEN 'unreachable'
        ELSE 'mediating' END
    FROM pick WHERE r.batch_id = @batch_id::text AND r.row_no = pick.row_no
    RETURNING r.row_no, r.stage
), screened AS (
    INSERT INTO bulk_row_steps (batch_id, row_no, kind, actor, data, case_on)
    SELECT @batch_id::text, row_no, 'screened', 'casework', jsonb_build_object('result', stage), @case_on::date FROM moved
    ON CONFLICT DO NOTHING
), routed AS (
    INSERT INTO bulk_row_steps (batch_id, row_no, kind, actor, case_on)
    SELECT @batch_id::text, row_no, CASE stage WHEN 'written_off' THEN 'write_off_certificate' ELSE stage END, 'casework', @case_on::date
    FROM moved WHERE stage IN ('written_off', 'unreachable')
    ON CONFLICT DO NOTHING
)
SELECT count(*)::integer AS moved,
       count(*) FILTER (WHERE stage = 'written_off')::integer AS written_off,
       count(*) FILTER (WHERE stage = 'unreachable')::integer AS unreachable,
       count(*) FILTER (WHERE stage = 'mediating')::integer AS mediating
FROM moved;

-- name: BulkPreserveChunk :one
-- BulkPreserveChunk applies pre-suit preservation (以保促调) to up to @max
-- screened rows not written off, recording a step for each, and sends
-- those reachable the mediation notice.
WITH pick AS (
    SELECT row_no FROM bulk_rows
    WHERE batch_id = @batch_id::text AND screened AND NOT preserved AND stage IN ('mediating', 'unreachable')
    ORDER BY row_no LIMIT @max::integer FOR UPDATE
), moved AS (
    UPDATE bulk_rows r SET preserved = true, updated_at = now()
    FROM pick WHERE r.batch_id = @batch_id::text AND r.row_no = pick.row_no
    RETURNING r.row_no, r.stage
), preserved AS (
    INSERT INTO bulk_row_steps (batch_id, row_no, kind, actor, case_on)
    SELECT @batch_id::text, row_no, 'preservation', 'casework', @case_on::date FROM moved
    ON CONFLICT DO NOTHING
), noticed AS (
    INSERT INTO bulk_row_steps (batch_id, row_no, kind, actor, case_on)
    SELECT @batch_id::text, row_no, 'mediation_notice', 'casework', @case_on::date FROM moved WHERE stage = 'mediating'
    ON CONFLICT DO NOTHING
)
SELECT count(*)::integer FROM moved;

-- name: BulkAdvanceChunk :one
-- BulkAdvanceChunk moves up to @max rows of a batch from one of @from_stages to
-- @to_stage, recording the step @kind for each; a row moves once.
WITH pick AS (
    SELECT row_no FROM bulk_rows
    WHERE batch_id = @batch_id::text AND stage = ANY(@from_stages::text[])
    ORDER BY row_no LIMIT @max::integer FOR UPDATE
), moved AS (
    UPDATE bulk_rows r SET stage = @to_stage::text, updated_at = now()
    FROM pick WHERE r.batch_id = @batch_id::text AND r.row_no = pick.row_no
    RETURNING r.row_no
), steps AS (
    INSERT INTO bulk_row_steps (batch_id, row_no, kind, actor, case_on)
    SELECT @batch_id::text, row_no, @kind::text, 'casework', @case_on::date FROM moved
    ON CONFLICT DO NOTHING
)
SELECT count(*)::integer FROM moved;

-- name: BulkRowGet :one
SELECT * FROM bulk_rows WHERE batch_id = @batch_id AND row_no = @row_no;

-- name: BulkRowMove :execrows
-- BulkRowMove moves one row from @from_stage to @to_stage for a command.
UPDATE bulk_rows SET stage = @to_stage::text, updated_at = now()
WHERE batch_id = @batch_id AND row_no = @row_no AND stage = @from_stage::text;

-- name: BulkRowRepair :execrows
-- BulkRowRepair gives an unreachable row a new phone and address (失联修复)
-- and sends it to mediation.
UPDATE bulk_rows SET phone = @phone, address = @address, stage = 'mediating', updated_at = now()
WHERE batch_id = @batch_id AND row_no = @row_no AND stage = 'unreachable';

-- name: BulkStepInsert :execrows
INSERT INTO bulk_row_steps (batch_id, row_no, kind, actor, reason, data, case_on)
VALUES (@batch_id, @row_no, @kind, @actor, @reason, @data, @case_on)
ON CONFLICT DO NOTHING;

-- name: BulkRowSteps :many
SELECT * FROM bulk_row_steps WHERE batch_id = @batch_id AND row_no = @row_no ORDER BY real_at, kind;

-- name: BulkProgress :one
-- BulkProgress counts a batch's rows by route.
SELECT count(*)::integer AS total,
       count(*) FILTER (WHERE screened)::integer AS screened,
       count(*) FILTER (WHERE preserved)::integer AS preserved,
       count(*) FILTER (WHERE stage = 'received')::integer AS received,
       count(*) FILTER (WHERE stage = 'written_off')::integer AS written_off,
       count(*) FILTER (WHERE stage = 'mediating')::integer AS mediating,
       count(*) FILTER (WHERE stage = 'mediation_failed')::integer AS mediation_failed,
       count(*) FILTER (WHERE stage = 'unreachable')::integer AS unreachable,
       count(*) FILTER (WHERE stage = 'resolved')::integer AS resolved,
       count(*) FILTER (WHERE stage = 'payment_order')::integer AS payment_order,
       count(*) FILTER (WHERE stage = 'objected')::integer AS objected,
       count(*) FILTER (WHERE stage = 'effective')::integer AS effective,
       count(*) FILTER (WHERE stage = 'filed')::integer AS filed
FROM bulk_rows WHERE batch_id = @batch_id;

-- name: BulkFunnel :one
-- BulkFunnel is the funnel of bulk disputes in a jurisdiction (and its
-- subdivisions), optionally one court's: every figure counts rows, and
-- received is the denominator of the others.
SELECT count(*)::integer AS received,
       count(*) FILTER (WHERE r.stage = 'written_off')::integer AS screened_out,
       count(*) FILTER (WHERE r.stage = 'resolved')::integer AS resolved_before_filing,
       count(*) FILTER (WHERE r.stage = 'effective')::integer AS by_payment_order,
       count(*) FILTER (WHERE r.stage = 'filed')::integer AS filed
FROM bulk_rows r JOIN bulk_batches b USING (batch_id)
WHERE (b.jurisdiction = @jurisdiction::text OR b.jurisdiction LIKE @jurisdiction::text || '-%')
  AND (@court::text = '' OR b.court = @court::text);
