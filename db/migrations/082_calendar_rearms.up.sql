-- calendar_rearms is the progress of re-arming open cases after a calendar
-- publication (issue 9): one row per calendars version, written by the
-- re-arm workflow after each page of cases, so the API can report how far
-- it has come even after the workflow's history is gone.
CREATE TABLE calendar_rearms (
    version       bigint PRIMARY KEY,
    jurisdiction  text NOT NULL,
    year          integer NOT NULL,
    cases         integer NOT NULL DEFAULT 0, -- case and plan workflows sent the publication
    recounted     integer NOT NULL DEFAULT 0, -- those that counted a deadline again
    moved_cases   integer NOT NULL DEFAULT 0, -- those where a deadline moved
    moved         integer NOT NULL DEFAULT 0, -- deadlines moved
    closed        integer NOT NULL DEFAULT 0, -- closed before the publication reached them
    failed        integer NOT NULL DEFAULT 0, -- refused or failed after every retry
    recent        integer NOT NULL DEFAULT 0, -- sent again in the last pass: opened about when it was published
    last_pass     boolean NOT NULL DEFAULT false,
    cursor        text NOT NULL DEFAULT '',   -- the last case ID done
    done          boolean NOT NULL DEFAULT false,
    started_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON calendar_rearms TO casework_app;
