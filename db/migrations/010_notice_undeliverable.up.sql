-- A notice the channel would not take after every delivery attempt the
-- delivery process allows is marked undeliverable, with the last error, so a
-- clerk can list it and serve it another way; the case itself never waits
-- for a channel.
ALTER TABLE notices
    ADD COLUMN undeliverable_at timestamptz,
    ADD COLUMN last_error       text NOT NULL DEFAULT '';

CREATE INDEX notices_undeliverable_idx ON notices (undeliverable_at)
    WHERE undeliverable_at IS NOT NULL AND delivered_at IS NULL;
