-- workflow_histories keeps the Temporal history of every closed run of a
-- casework workflow (completed, failed, continued as new, ...), so the
-- auditor's timeline and its verification stay whole after the Temporal
-- namespace's retention has deleted them (24 h on the dev server). A run is
-- written once, by the worker's exporter, and never changed.
CREATE TABLE workflow_histories (
    workflow_id text NOT NULL,
    run_id      text NOT NULL,
    started_at  timestamptz NOT NULL,
    closed_at   timestamptz NOT NULL,
    status      text NOT NULL,                 -- Completed, ContinuedAsNew, Failed, ...
    events      integer NOT NULL CHECK (events > 0),
    history     bytea NOT NULL,                -- gzip of the temporal.api.history.v1.History protobuf
    exported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workflow_id, run_id)
);

CREATE INDEX workflow_histories_started_idx ON workflow_histories (workflow_id, started_at);

GRANT SELECT, INSERT ON workflow_histories TO casework_app;
