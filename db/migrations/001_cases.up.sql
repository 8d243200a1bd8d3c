-- cases is the read model of every case, whatever its process: one row a
-- case, rewritten by the workflow's recording activity after each step. It is
-- what the ledger (台账) lists, filters and counts; the workflow stays the
-- source of truth for what happens next.
CREATE TABLE cases (
    id                 text PRIMARY KEY,
    case_number        text NOT NULL UNIQUE,          -- 案号, as the court wrote it
    process            text NOT NULL,                 -- mediation | enforcement | boundary | wage
    workflow_id        text NOT NULL,
    court              text NOT NULL,
    jurisdiction       text NOT NULL,
    organisation       text NOT NULL DEFAULT '',
    mediator           text NOT NULL DEFAULT '',
    case_leader        text NOT NULL DEFAULT '',
    parties            text[] NOT NULL DEFAULT '{}',   -- party subjects, for scoping
    stage              text NOT NULL,                 -- where the case stands, e.g. mediating
    status             text NOT NULL,                 -- open | closed
    outcome            text NOT NULL DEFAULT '',      -- why it closed, e.g. returned_for_litigation
    claim_fen          bigint NOT NULL DEFAULT 0 CHECK (claim_fen >= 0),
    -- Case time: the legal calendar in which deadlines count. time_scale and
    -- the epochs let SQL compute "now in case time" for the overdue filter.
    time_scale         bigint NOT NULL DEFAULT 1,
    real_epoch         timestamptz NOT NULL,
    case_epoch         timestamptz NOT NULL,
    opened_on          date NOT NULL,
    closed_on          date,
    next_deadline_on   date,                           -- last day of the pending step's period
    next_deadline_at   timestamptz,                    -- the case-time instant that day has passed
    next_deadline_kind text NOT NULL DEFAULT '',
    -- resolution: resolved (化解: agreement, settlement, performance) or
    -- unresolved; empty while pending. performance: automatic (自动履行),
    -- enforced, defaulted; empty until known. The statistics count these.
    resolution         text NOT NULL DEFAULT '',
    performance        text NOT NULL DEFAULT '',
    last_seq           integer NOT NULL,
    opened_at          timestamptz NOT NULL,          -- real time
    closed_at          timestamptz,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX cases_status_idx ON cases (status, process, opened_on);
CREATE INDEX cases_court_idx ON cases (court, opened_on);
CREATE INDEX cases_mediator_idx ON cases (mediator, opened_on);
CREATE INDEX cases_jurisdiction_idx ON cases (jurisdiction, opened_on);
CREATE INDEX cases_parties_idx ON cases USING gin (parties);

-- case_events is the audit trail: every step of every case, who took it, when
-- (real and case time) and why. (case_id, seq) is the natural key the
-- workflow assigns, so a retried activity never writes a step twice. Each row
-- carries the hash of its predecessor, so an edited or deleted row shows.
CREATE TABLE case_events (
    case_id     text NOT NULL,
    -- stream is the process that wrote the step (mediation, plan/performance,
    -- enforcement/1, ...): each numbers and chains its own steps, so parent
    -- and child workflows never contend for a number.
    stream      text NOT NULL,
    seq         integer NOT NULL CHECK (seq > 0),
    kind        text NOT NULL,
    actor       text NOT NULL,
    role        text NOT NULL,
    real_at     timestamptz NOT NULL,
    case_at     timestamptz NOT NULL,
    case_on     date NOT NULL,
    reason      text NOT NULL DEFAULT '',
    reason_code text NOT NULL DEFAULT '',
    data        jsonb NOT NULL DEFAULT '{}',
    prev_hash   bytea NOT NULL,
    hash        bytea NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, stream, seq)
);

CREATE INDEX case_events_time_idx ON case_events (case_id, real_at);
