-- token_revocations cuts leaked bearer tokens off before they expire: one
-- token by its id (jti), or every token of a subject issued before a time.
-- The API refuses a token that any row names.
CREATE TABLE token_revocations (
    id            bigserial PRIMARY KEY,
    jti           text NOT NULL DEFAULT '',
    subject       text NOT NULL DEFAULT '',
    issued_before timestamptz,
    reason        text NOT NULL DEFAULT '',
    revoked_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (jti <> '' OR (subject <> '' AND issued_before IS NOT NULL))
);

CREATE INDEX token_revocations_jti_idx ON token_revocations (jti) WHERE jti <> '';
CREATE INDEX token_revocations_subject_idx ON token_revocations (subject, issued_before) WHERE subject <> '';

GRANT SELECT, INSERT ON token_revocations TO casework_app;
GRANT USAGE ON SEQUENCE token_revocations_id_seq TO casework_app;
