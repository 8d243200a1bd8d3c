-- The statistics (GET /statistics) count every case of the filter, 90,000
-- of 100,000 for a province's auditor. EXPLAIN showed the time going to the
-- scan (each wide row deformed up to its last column) and to fourteen
-- FILTER aggregates evaluated per row. stats_class folds every per-row test
-- but "overdue" (which depends on the instant asked) into one small integer,
-- computed when the row is written, so the query counts per class and adds
-- the classes up afterwards. Every bit is "the row passes this test", so a class
-- is exactly the combination of the original FILTER clauses.
CREATE FUNCTION ledger_stats_class(status text, resolution text, performance text,
    follow_ups_due integer, follow_ups_done integer, closed_on date)
RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (
      (CASE WHEN status = 'open' THEN 1 ELSE 0 END)
    | (CASE WHEN status = 'closed' THEN 2 ELSE 0 END)
    | (CASE WHEN resolution = 'resolved' THEN 4 ELSE 0 END)
    | (CASE WHEN resolution = 'unresolved' THEN 8 ELSE 0 END)
    | (CASE WHEN resolution = '' THEN 16 ELSE 0 END)
    | (CASE WHEN performance = 'automatic' THEN 32 ELSE 0 END)
    | (CASE WHEN performance = 'enforced' THEN 64 ELSE 0 END)
    | (CASE WHEN performance = 'defaulted' THEN 128 ELSE 0 END)
    | (CASE WHEN follow_ups_due > 0 THEN 256 ELSE 0 END)
    | (CASE WHEN follow_ups_due > 0 AND follow_ups_done > 0 THEN 512 ELSE 0 END)
    | (CASE WHEN closed_on IS NOT NULL THEN 1024 ELSE 0 END)
)::smallint;

-- Generated, so casework_app (which may update the inputs) never writes it
-- and needs no grant.
ALTER TABLE cases ADD COLUMN stats_class smallint NOT NULL
    GENERATED ALWAYS AS (ledger_stats_class(status, resolution, performance, follow_ups_due, follow_ups_done, closed_on)) STORED;


-- The first day of the month a case was opened, for the statistics by
-- month and year: grouping on it costs a date comparison per case, where
-- to_char per case took most of the query's time.
ALTER TABLE cases ADD COLUMN opened_month date NOT NULL
    GENERATED ALWAYS AS (opened_on - (extract(day FROM opened_on)::integer - 1)) STORED;
