-- A case's parties travel by reference, not in the workflow's input
-- (issue 8): the API stages the list under its digest before the case
-- starts, the workflow carries the digest and counts, and every record of
-- the case names the parties from the list. A staged list never changes:
-- its ID is the digest of its members in order, and a reader checks it.
CREATE TABLE party_lists (
    list_id   text NOT NULL,
    no        integer NOT NULL CHECK (no > 0),
    party_id  text NOT NULL,
    name      text NOT NULL,
    side      text NOT NULL CHECK (side IN ('applicant', 'respondent')),
    staged_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (list_id, no),
    UNIQUE (list_id, party_id)
);

GRANT SELECT, INSERT ON party_lists TO casework_app;
