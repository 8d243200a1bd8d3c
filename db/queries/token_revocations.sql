-- name: TokenRevocationInsert :exec
INSERT INTO token_revocations (jti, subject, issued_before, reason)
VALUES (@jti, @subject, @issued_before, @reason);

-- name: TokenRevoked :one
-- TokenRevoked reports whether a token, by its id or its subject and issue
-- time, has been revoked.
SELECT EXISTS (
    SELECT 1 FROM token_revocations
    WHERE (jti <> '' AND jti = @jti)
       OR (subject <> '' AND subject = @subject AND issued_before > @issued_at::timestamptz)
);
