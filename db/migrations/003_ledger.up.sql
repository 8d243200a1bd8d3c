-- The ledger (台账) lists cases newest first and pages by keyset on
-- (opened_on, id), so every index it reads ends in those two columns: a
-- filtered first page and a deep page both read only the rows they return.

-- ledger_overdue_from is the real instant from which a case is overdue: the
-- moment its case clock passes next_deadline_at. A case is overdue when its
-- case-time now, case_epoch + (now() - real_epoch) * time_scale, is past the
-- deadline; solving that for real time instead of computing case-time now
-- keeps now() out of the expression, so the answer can be stored and
-- indexed, and a compressed clock left running for months cannot overflow
-- timestamptz. Every step is on epoch seconds, which do not depend on the
-- session's time zone, so the function is truly IMMUTABLE.
CREATE FUNCTION ledger_overdue_from(time_scale bigint, real_epoch timestamptz, case_epoch timestamptz, deadline timestamptz)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN to_timestamp((
    extract(epoch FROM real_epoch - timestamptz 'epoch')
    + extract(epoch FROM deadline - case_epoch) / time_scale
)::double precision);

-- overdue_from is null while no step is pending; a case is overdue when it
-- is open and overdue_from < now().
ALTER TABLE cases ADD COLUMN overdue_from timestamptz
    GENERATED ALWAYS AS (ledger_overdue_from(time_scale, real_epoch, case_epoch, next_deadline_at)) STORED;

-- The unfiltered ledger and the state filters (open, closed).
CREATE INDEX cases_ledger_idx ON cases (opened_on, id);
CREATE INDEX cases_ledger_status_idx ON cases (status, opened_on, id);
-- Overdue cases are found by when they fell due, then sorted: there are few.
CREATE INDEX cases_ledger_overdue_idx ON cases (overdue_from) WHERE status = 'open';

-- One index per filter a role is scoped to or an auditor picks. They replace
-- 001's (x, opened_on) indexes, which these extend with id for the keyset.
CREATE INDEX cases_ledger_process_idx ON cases (process, opened_on, id);
CREATE INDEX cases_ledger_court_idx ON cases (court, opened_on, id);
CREATE INDEX cases_ledger_mediator_idx ON cases (mediator, opened_on, id);
CREATE INDEX cases_ledger_leader_idx ON cases (case_leader, opened_on, id) WHERE case_leader <> '';
CREATE INDEX cases_ledger_jurisdiction_idx ON cases (jurisdiction, opened_on, id);
DROP INDEX cases_court_idx;
DROP INDEX cases_mediator_idx;
DROP INDEX cases_jurisdiction_idx;
