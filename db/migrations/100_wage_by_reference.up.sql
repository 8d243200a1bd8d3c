-- A wage case's creditors travel by reference, not in the workflow's input
-- (issue 8): the API stages the list under its digest before the case
-- starts, the case copies it into its ledger (wage_creditors) when it opens,
-- and each payment is allocated against the ledger by an activity that keeps
-- what it credited, so a retried allocation answers the same and is not
-- applied twice. A staged list never changes: its ID is its digest.
CREATE TABLE wage_creditor_lists (
    list_id     text NOT NULL,
    no          integer NOT NULL CHECK (no > 0),
    creditor_id text NOT NULL,
    name        text NOT NULL,
    owed_fen    bigint NOT NULL CHECK (owed_fen > 0),
    hardship    boolean NOT NULL DEFAULT false,
    staged_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (list_id, no),
    UNIQUE (list_id, creditor_id)
);

CREATE TABLE wage_payment_allocations (
    case_id      text NOT NULL,
    no           integer NOT NULL CHECK (no > 0),
    amount_fen   bigint NOT NULL CHECK (amount_fen > 0),
    rule         text NOT NULL,
    credited_fen bigint NOT NULL CHECK (credited_fen >= 0),
    creditors    integer NOT NULL CHECK (creditors >= 0),
    hardship_fen bigint NOT NULL CHECK (hardship_fen >= 0),
    version      integer NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, no)
);

GRANT SELECT, INSERT ON wage_creditor_lists, wage_payment_allocations TO casework_app;
