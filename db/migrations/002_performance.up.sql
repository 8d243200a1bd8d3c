-- notices is the outbox of everything casework tells a party: the notice of
-- automatic performance (自动履行告知书), reminders before a due date,
-- default notices (执行风险告知), urgings and certificates. A workflow
-- enqueues a notice under its natural key before delivering it, so a
-- retried or replayed step finds the row it wrote and never sends twice.
CREATE TABLE notices (
    id           bigserial PRIMARY KEY,
    case_id      text NOT NULL,
    stream       text NOT NULL,                  -- the process that sent it, e.g. plan/performance
    installment  integer NOT NULL DEFAULT 0 CHECK (installment >= 0), -- 0: not about one installment
    kind         text NOT NULL,                  -- performance_notice | reminder | default_notice | urge | certificate
    seq          integer NOT NULL DEFAULT 0 CHECK (seq >= 0), -- which one of a repeatable kind
    recipient    text NOT NULL,
    body         text NOT NULL,
    case_on      date NOT NULL,                  -- legal date it was sent, in case time
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    attempts     integer NOT NULL DEFAULT 0,
    UNIQUE (case_id, stream, installment, kind, seq)
);

CREATE INDEX notices_undelivered_idx ON notices (created_at) WHERE delivered_at IS NULL;

-- notice_deliveries is the inbox of the built-in delivery channel: one row a
-- notice, whatever the number of attempts, so delivery is exactly once at
-- the receiving end.
CREATE TABLE notice_deliveries (
    notice_id    bigint PRIMARY KEY REFERENCES notices (id),
    channel      text NOT NULL,
    delivered_at timestamptz NOT NULL DEFAULT now()
);

-- plans is the read model of an installment plan (performance supervision,
-- settlement during enforcement, wage arrears): its totals and outcome.
-- version is the plan's own change counter, so a late retry of an older
-- write never rolls the ledger back.
CREATE TABLE plans (
    case_id      text NOT NULL,
    plan_id      text NOT NULL,
    obligor      text NOT NULL,
    stage        text NOT NULL,                  -- performing | performed | defaulted
    on_time      boolean NOT NULL DEFAULT false,
    total_fen    bigint NOT NULL CHECK (total_fen > 0),
    paid_fen     bigint NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
    overpaid_fen bigint NOT NULL DEFAULT 0 CHECK (overpaid_fen >= 0), -- recorded as interest or overpayment
    started_on   date NOT NULL,
    closed_on    date,
    version      integer NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, plan_id)
);

-- plan_installments is the performance ledger (自动履行跟踪台账): one row an
-- installment with what is due, what was paid and where it stands.
CREATE TABLE plan_installments (
    case_id        text NOT NULL,
    plan_id        text NOT NULL,
    no             integer NOT NULL CHECK (no > 0),
    due_on         date NOT NULL,
    amount_fen     bigint NOT NULL CHECK (amount_fen > 0),
    paid_fen       bigint NOT NULL DEFAULT 0 CHECK (paid_fen >= 0 AND paid_fen <= amount_fen),
    state          text NOT NULL,                -- scheduled | reminded | paid | partly_paid | overdue | defaulted
    paid_on        date,
    reminders_sent integer NOT NULL DEFAULT 0,
    grace_ends_on  date,
    version        integer NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, plan_id, no)
);

-- certificates are certificates of automatic performance (自动履行证明),
-- issued once a plan has been performed in full and on time.
CREATE TABLE certificates (
    case_id    text NOT NULL,
    plan_id    text NOT NULL,
    obligor    text NOT NULL,
    total_fen  bigint NOT NULL,
    issued_on  date NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, plan_id)
);
