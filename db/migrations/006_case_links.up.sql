-- source_case_id links a case to the case whose title it enforces (an
-- enforcement case to its mediation or wage case), so an auditor reading
-- one sees the whole story.
ALTER TABLE cases ADD COLUMN source_case_id text NOT NULL DEFAULT '';
CREATE INDEX cases_source_idx ON cases (source_case_id) WHERE source_case_id <> '';
