-- calendars holds the holiday arrangements published through casework (the
-- State Council's yearly notice, an autonomous area's festival days), each a
-- versioned record: who published it, when, from which notice. The latest
-- revision of a jurisdiction and year is the one in force; the built-in
-- calendar files stand where nothing is published. version increases with
-- every publication, so a worker caches its calendars keyed by the highest.
CREATE TABLE calendars (
    version      bigserial PRIMARY KEY,
    jurisdiction text NOT NULL,
    year         integer NOT NULL CHECK (year BETWEEN 1900 AND 9999),
    revision     integer NOT NULL CHECK (revision > 0), -- 1, 2, ... per jurisdiction and year
    source       text NOT NULL CHECK (source <> ''),    -- the notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知
    arrangement  jsonb NOT NULL,                        -- the year as published: holidays and make-up workdays
    digest       bytea NOT NULL,                        -- SHA-256 of the arrangement, so publishing it again is a no-op
    published_by text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (jurisdiction, year, revision)
);
