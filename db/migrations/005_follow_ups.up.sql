-- Follow-up visits (回访) per case, for the follow-up rate the seeds report
-- ("257 mediated, follow-up rate 100 %"): how many visits have fallen due
-- and how many were made.
ALTER TABLE cases
    ADD COLUMN follow_ups_due  integer NOT NULL DEFAULT 0 CHECK (follow_ups_due >= 0),
    ADD COLUMN follow_ups_done integer NOT NULL DEFAULT 0 CHECK (follow_ups_done >= 0);
