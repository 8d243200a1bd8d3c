-- Bulk financial disputes (seed 001: a bank or car-loan company files
-- hundreds or thousands of disputes at once). bulk_batches is one filing;
-- bulk_rows one dispute (one debtor) of it, kept here rather than in the
-- batch workflow's state or history; bulk_row_steps every step a row took,
-- at most one of each kind, so a retried chunk records nothing twice.
CREATE TABLE bulk_batches (
    batch_id     text PRIMARY KEY,
    filer        text NOT NULL,
    court        text NOT NULL,
    jurisdiction text NOT NULL,
    creditor     text NOT NULL,
    file_sha256  text NOT NULL UNIQUE,
    rows_total   integer NOT NULL CHECK (rows_total > 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- stage is where the row stands: received, written_off (查废: the debtor
-- already has a 终本 ruling), mediating, unreachable (失联), resolved
-- (before filing), payment_order (issued, objection period running),
-- objected, effective (the payment order took effect), filed. version
-- counts the row's changes.
CREATE TABLE bulk_rows (
    batch_id     text NOT NULL REFERENCES bulk_batches,
    row_no       integer NOT NULL CHECK (row_no > 0),
    debtor_name  text NOT NULL,
    debtor_id_no text NOT NULL,
    phone        text NOT NULL,
    address      text NOT NULL DEFAULT '',
    contract_no  text NOT NULL UNIQUE,
    principal_fen bigint NOT NULL CHECK (principal_fen > 0),
    interest_fen bigint NOT NULL CHECK (interest_fen >= 0),
    fees_fen     bigint NOT NULL CHECK (fees_fen >= 0),
    stage        text NOT NULL DEFAULT 'received',
    screened     boolean NOT NULL DEFAULT false,
    preserved    boolean NOT NULL DEFAULT false,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, row_no)
);
CREATE INDEX bulk_rows_stage ON bulk_rows (batch_id, stage);

CREATE TABLE bulk_row_steps (
    batch_id  text NOT NULL,
    row_no    integer NOT NULL,
    kind      text NOT NULL,
    actor     text NOT NULL,
    reason    text NOT NULL DEFAULT '',
    data      jsonb,
    case_on   date NOT NULL,
    real_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, row_no, kind),
    FOREIGN KEY (batch_id, row_no) REFERENCES bulk_rows
);

-- terminated_debtors is the 终本 registry the pre-filing screen reads:
-- debtors (by ID number) whose enforcement elsewhere was terminated for
-- want of property.
CREATE TABLE terminated_debtors (
    debtor_id_no text PRIMARY KEY,
    court        text NOT NULL,
    case_number  text NOT NULL,
    terminated_on date NOT NULL
);

GRANT SELECT, INSERT ON bulk_batches, bulk_row_steps TO casework_app;
GRANT SELECT, INSERT ON bulk_rows TO casework_app;
GRANT UPDATE (phone, address, stage, screened, preserved, updated_at) ON bulk_rows TO casework_app;
GRANT SELECT ON terminated_debtors TO casework_app;
