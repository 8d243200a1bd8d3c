-- next_deadline_provisional says that the pending deadline was computed while
-- its year's holiday arrangement was not published (statutory days by rule
-- and weekends only), so it may still move. The recording activity sets it;
-- it stays set while the deadline stays the same, even after the
-- arrangement is published, because the date was not computed anew.
ALTER TABLE cases ADD COLUMN next_deadline_provisional boolean NOT NULL DEFAULT false;

-- Rows written before this column: the built-in national arrangements cover
-- 2025 and 2026 only, and nothing was published yet. A wage schedule's
-- agreed due date (installment_due) is never provisional.
UPDATE cases SET next_deadline_provisional = true
WHERE next_deadline_on IS NOT NULL
  AND next_deadline_kind <> 'installment_due'
  AND extract(year FROM next_deadline_on) NOT IN (2025, 2026);

-- The ledger's provisional filter, and the cases a publication concerns.
CREATE INDEX cases_ledger_provisional_idx ON cases (opened_on, id)
    WHERE next_deadline_provisional AND status = 'open';
