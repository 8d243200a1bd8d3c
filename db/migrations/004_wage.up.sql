-- wage_creditors is the per-creditor ledger of a wage or rent arrears case
-- (欠薪/欠租): one row a creditor (worker, farm household) with what the
-- debtor owes them and what has been paid to them. no is the creditor's
-- position in the case, the order allocations break ties in and the key the
-- ledger pages on. version is the case's ledger change counter at the row's
-- last change, so a late retry of an older write never rolls a row back.
CREATE TABLE wage_creditors (
    case_id     text NOT NULL,
    creditor_id text NOT NULL,
    no          integer NOT NULL CHECK (no > 0),
    name        text NOT NULL,
    owed_fen    bigint NOT NULL CHECK (owed_fen > 0),
    paid_fen    bigint NOT NULL DEFAULT 0 CHECK (paid_fen >= 0 AND paid_fen <= owed_fen),
    hardship    boolean NOT NULL DEFAULT false,
    version     integer NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, creditor_id),
    UNIQUE (case_id, no)
);
