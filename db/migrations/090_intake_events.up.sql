-- The intake statistics read the steps of the intake stream by kind: this
-- keeps them to those rows (seed 004, issue 12).
CREATE INDEX case_events_intake_kind_idx ON case_events (case_id, kind) WHERE stream = 'intake';
