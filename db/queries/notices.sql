-- name: NoticeInsert :one
-- NoticeInsert adds a notice to the outbox unless one with the same natural
-- key is there; it returns no row in that case.
INSERT INTO notices (case_id, stream, installment, kind, seq, recipient, body, case_on)
VALUES (@case_id, @stream, @installment, @kind, @seq, @recipient, @body, @case_on)
ON CONFLICT (case_id, stream, installment, kind, seq) DO NOTHING
RETURNING id;

-- name: NoticeIDByKey :one
SELECT id FROM notices
WHERE case_id = @case_id AND stream = @stream AND installment = @installment AND kind = @kind AND seq = @seq;

-- name: NoticeGet :one
SELECT * FROM notices WHERE id = @id;

-- name: NoticeAttempt :execrows
UPDATE notices SET attempts = attempts + 1 WHERE id = @id;

-- name: NoticeMarkDelivered :execrows
-- NoticeMarkDelivered keeps the first delivery time of a notice.
UPDATE notices SET delivered_at = now() WHERE id = @id AND delivered_at IS NULL;

-- name: NoticeListByCase :many
SELECT * FROM notices WHERE case_id = @case_id ORDER BY id;

-- name: NoticeDeliveryInsert :execrows
-- NoticeDeliveryInsert records a delivery in the built-in inbox once.
INSERT INTO notice_deliveries (notice_id, channel) VALUES (@notice_id, @channel)
ON CONFLICT (notice_id) DO NOTHING;

-- name: NoticeMarkUndeliverable :execrows
-- NoticeMarkUndeliverable gives up on a notice the channel would not take;
-- a notice delivered meanwhile stays delivered.
UPDATE notices SET undeliverable_at = now(), last_error = @last_error
WHERE id = @id AND delivered_at IS NULL AND undeliverable_at IS NULL;

-- name: NoticeListUndeliverable :many
-- NoticeListUndeliverable lists the notices clerks must serve another way,
-- oldest first.
SELECT * FROM notices
WHERE undeliverable_at IS NOT NULL AND delivered_at IS NULL
ORDER BY undeliverable_at, id
LIMIT @max;
