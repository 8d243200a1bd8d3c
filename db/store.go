package db

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casework/casework/audit"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db/dbq"
	"github.com/casework/casework/policy"
)

// ErrNotFound is returned when a case or record does not exist.
var ErrNotFound = errors.New("not found")

// Store reads and writes the read model.
type Store struct {
	pool *pgxpool.Pool
	key  audit.Key
}

// NewStore returns a Store on pool that chains the steps it records with
// key. A Store without a key (the zero Key) reads but refuses to record.
func NewStore(pool *pgxpool.Pool, key audit.Key) *Store { return &Store{pool: pool, key: key} }

// Pool returns the connection pool, for tests and health checks.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// RecordSteps writes a case's new steps and, when sum is not nil, the case
// summary after them, in one transaction. Steps already stored (a retried
// activity) are left as they are, and an older summary never overwrites a
// newer one, so calling it twice with the same arguments changes nothing the
// second time. Each step is chained to its predecessor with an HMAC under
// the audit key; the last step of the batch also carries the keyed digest of
// the summary, so the cases row can be checked against the chain.
func (s *Store) RecordSteps(ctx context.Context, sum *casefile.Summary, events []casefile.Event) error {
	if !s.key.Valid() {
		return fmt.Errorf("record steps: %w", audit.ErrNoKey)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return recordSteps(ctx, dbq.New(tx), s.key, sum, events)
	})
}

func recordSteps(ctx context.Context, q *dbq.Queries, key audit.Key, sum *casefile.Summary, events []casefile.Event) error {
	var digest []byte
	if sum != nil {
		signed := *sum
		if len(signed.Parties) == 0 {
			// A summary without parties keeps the stored ones (a wage case
			// sends its thousands of creditors once), so the digest covers
			// the parties the row will hold. They are signed again only as
			// they were signed: a row edited in the database (a party
			// added to read the case) is refused, not vouched for, and the
			// recording retries until the row is restored.
			c, err := q.CaseGet(ctx, sum.ID)
			switch {
			case err == nil:
				if err := checkSummary(ctx, q, key, summaryFromRow(c)); err != nil {
					return fmt.Errorf("record steps: the stored parties are not signed again: %w", err)
				}
				signed.Parties = c.Parties
			case !errors.Is(err, pgx.ErrNoRows):
				return fmt.Errorf("record steps: %w", err)
			}
		}
		d, err := key.SummaryDigest(signed)
		if err != nil {
			return fmt.Errorf("record steps: %w", err)
		}
		digest = d
	}
	for i, e := range events {
		if sum != nil && e.CaseID != sum.ID {
			return fmt.Errorf("record steps: event of case %q in case %q", e.CaseID, sum.ID)
		}
		if e.Stream == "" {
			return fmt.Errorf("record steps: case %s step %d has no stream", e.CaseID, e.Seq)
		}
		prev := key.Genesis(e.CaseID, e.Stream)
		if e.Seq > 1 {
			// The previous step may be an unkeyed one stored before the
			// keyed chain; the chain goes on from its hash.
			h, err := q.CaseEventLastHash(ctx, dbq.CaseEventLastHashParams{CaseID: e.CaseID, Stream: e.Stream, Seq: int32(e.Seq - 1)})
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("record steps: case %s step %d written before step %d", e.CaseID, e.Seq, e.Seq-1)
			}
			if err != nil {
				return fmt.Errorf("record steps: %w", err)
			}
			prev = h
		}
		e = normalise(e)
		data := e.Data
		if len(data) == 0 {
			data = json.RawMessage("{}")
		}
		var sd []byte
		if i == len(events)-1 {
			sd = digest
		}
		mac, err := key.StepMAC(prev, e, sd)
		if err != nil {
			return fmt.Errorf("record steps: %w", err)
		}
		if _, err := q.CaseEventInsert(ctx, dbq.CaseEventInsertParams{
			CaseID: e.CaseID, Stream: e.Stream, Seq: int32(e.Seq), Kind: e.Kind,
			Actor: e.Actor.Subject, Role: string(e.Actor.Role),
			RealAt: e.RealAt, CaseAt: e.CaseAt, CaseOn: pgDate(e.CaseOn),
			Reason: e.Reason, ReasonCode: e.ReasonCode, Data: data,
			PrevHash: prev, Hash: mac, Chain: audit.ChainHMAC, SummaryDigest: sd,
		}); err != nil {
			return fmt.Errorf("record steps: insert step %d: %w", e.Seq, err)
		}
	}
	if sum == nil {
		return nil
	}
	p := dbq.CaseUpsertParams{
		ID: sum.ID, CaseNumber: sum.CaseNumber, Process: string(sum.Process), WorkflowID: sum.WorkflowID,
		Court: sum.Court, Jurisdiction: sum.Jurisdiction, Organisation: sum.Organisation,
		Mediator: sum.Mediator, CaseLeader: sum.CaseLeader, Parties: nonNil(sum.Parties),
		Stage: sum.Stage, Status: string(sum.Status), Outcome: sum.Outcome, ClaimFen: sum.ClaimFen,
		TimeScale: sum.Clock.Scale, RealEpoch: sum.Clock.RealEpoch, CaseEpoch: sum.Clock.CaseEpoch,
		OpenedOn: pgDate(sum.OpenedOn), ClosedOn: pgDate(sum.ClosedOn),
		LastSeq: int32(sum.LastSeq), OpenedAt: sum.OpenedAt, ClosedAt: timePtr(sum.ClosedAt),
		Resolution: string(sum.Resolution), Performance: string(sum.Performance),
		FollowUpsDue: int32(sum.FollowUpsDue), FollowUpsDone: int32(sum.FollowUpsDone),
		SourceCaseID: sum.SourceCaseID,
	}
	if d := sum.NextDeadline; d != nil {
		p.NextDeadlineOn, p.NextDeadlineAt, p.NextDeadlineKind = pgDate(d.On), timePtr(d.At), d.Kind
		p.NextDeadlineProvisional = d.Calendar == policy.Provisional
		p.NextDeadlineRecounted = d.Recounted
	}
	if _, err := q.CaseUpsert(ctx, p); err != nil {
		return fmt.Errorf("record steps: case summary: %w", err)
	}
	return nil
}

// CaseIDs returns the id of every case.
func (s *Store) CaseIDs(ctx context.Context) ([]string, error) {
	ids, err := dbq.New(s.pool).CaseListIDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return ids, nil
}

// Heads returns the last stored step of every stream of every case.
func (s *Store) Heads(ctx context.Context) ([]audit.Head, error) {
	rows, err := dbq.New(s.pool).CaseEventHeads(ctx)
	if err != nil {
		return nil, fmt.Errorf("stream heads: %w", err)
	}
	out := make([]audit.Head, 0, len(rows))
	for _, r := range rows {
		out = append(out, audit.Head{CaseID: r.CaseID, Stream: r.Stream, Seq: int(r.Seq), Hash: hex.EncodeToString(r.Hash)})
	}
	return out, nil
}

// ErrTampered is returned for a case whose summary row does not match the
// keyed digest recorded with its last step: someone changed it in the
// database.
var ErrTampered = errors.New("the case summary does not match the digest chained with its last step")

// CheckSummary checks a case summary read from the cases row against the
// keyed digest recorded with the latest step that carries one, so access
// control never decides on a row edited in the database. A case whose steps
// all predate the keyed chain has no digest and passes; VerifySummary says
// it is unverifiable.
//
// The row and the digest are read one after the other, so a flush
// committed between the two reads (the row from before it, the digest
// from after) looks like an edit; CaseChecked settles that.
func (s *Store) CheckSummary(ctx context.Context, sum casefile.Summary) error {
	return s.checkSummary(ctx, dbq.New(s.pool), sum)
}

// CaseChecked reads a case's summary and checks it against its digest in
// one snapshot (a read-only repeatable-read transaction). The steps and
// the row they leave are written in one transaction, so in one snapshot
// they always match unless someone edited the row: ErrTampered from here
// is an edit, not a flush that fell between two reads. The summary is
// returned with ErrTampered, for an auditor to read.
func (s *Store) CaseChecked(ctx context.Context, id string) (casefile.Summary, error) {
	var sum casefile.Summary
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		q := dbq.New(tx)
		c, err := q.CaseGet(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("case %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("case %s: %w", id, err)
		}
		sum = summaryFromRow(c)
		if err := s.checkSummary(ctx, q, sum); errors.Is(err, ErrTampered) {
			// Kept apart from the transaction's own errors: a tampered
			// row is still the row, and the transaction commits.
			return &tamperedError{err}
		} else {
			return err
		}
	})
	var te *tamperedError
	if errors.As(err, &te) {
		return sum, te.err
	}
	return sum, err
}

type tamperedError struct{ err error }

func (e *tamperedError) Error() string { return e.err.Error() }

func (s *Store) checkSummary(ctx context.Context, q *dbq.Queries, sum casefile.Summary) error {
	return checkSummary(ctx, q, s.key, sum)
}

// checkSummary checks sum, as stored, against the keyed digest recorded
// with the case's latest step that carried one.
func checkSummary(ctx context.Context, q *dbq.Queries, key audit.Key, sum casefile.Summary) error {
	if !key.Valid() {
		return fmt.Errorf("check summary: %w", audit.ErrNoKey)
	}
	r, err := q.CaseEventLastSummaryDigest(ctx, sum.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check summary of %s: %w", sum.ID, err)
	}
	want, err := key.SummaryDigest(sum)
	if err != nil {
		return err
	}
	if int(r.Seq) != sum.LastSeq || !hmac.Equal(want, r.SummaryDigest) {
		return fmt.Errorf("case %s: %w", sum.ID, ErrTampered)
	}
	return nil
}

// Case returns a case's summary.
func (s *Store) Case(ctx context.Context, id string) (casefile.Summary, error) {
	c, err := dbq.New(s.pool).CaseGet(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return casefile.Summary{}, fmt.Errorf("case %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return casefile.Summary{}, fmt.Errorf("case %s: %w", id, err)
	}
	return summaryFromRow(c), nil
}

func summaryFromRow(c dbq.Case) casefile.Summary {
	sum := casefile.Summary{
		ID: c.ID, CaseNumber: c.CaseNumber, Process: casefile.Process(c.Process), WorkflowID: c.WorkflowID,
		Court: c.Court, Jurisdiction: c.Jurisdiction, Organisation: c.Organisation, Mediator: c.Mediator,
		CaseLeader: c.CaseLeader, Parties: c.Parties, Stage: c.Stage, Status: casefile.Status(c.Status),
		Outcome: c.Outcome, ClaimFen: c.ClaimFen,
		Resolution: casefile.Resolution(c.Resolution), Performance: casefile.Performance(c.Performance),
		FollowUpsDue: int(c.FollowUpsDue), FollowUpsDone: int(c.FollowUpsDone), SourceCaseID: c.SourceCaseID,
		Clock:    casetime.Clock{Scale: c.TimeScale, RealEpoch: c.RealEpoch, CaseEpoch: c.CaseEpoch},
		OpenedOn: dateOf(c.OpenedOn), ClosedOn: dateOf(c.ClosedOn), LastSeq: int(c.LastSeq), OpenedAt: c.OpenedAt,
	}
	if c.ClosedAt != nil {
		sum.ClosedAt = *c.ClosedAt
	}
	if c.NextDeadlineOn.Valid && c.NextDeadlineAt != nil {
		sum.NextDeadline = &casefile.Deadline{Kind: c.NextDeadlineKind, On: dateOf(c.NextDeadlineOn), At: *c.NextDeadlineAt,
			Calendar: policy.Official}
		if c.NextDeadlineProvisional {
			sum.NextDeadline.Calendar = policy.Provisional
		}
	}
	return sum
}

// LinkedCases returns the cases opened on id's title (its enforcement).
func (s *Store) LinkedCases(ctx context.Context, id string) ([]casefile.Summary, error) {
	rows, err := dbq.New(s.pool).CaseListBySource(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("cases linked to %s: %w", id, err)
	}
	out := make([]casefile.Summary, 0, len(rows))
	for _, r := range rows {
		out = append(out, summaryFromRow(r))
	}
	return out, nil
}

// Timeline returns every recorded step of a case, in order.
func (s *Store) Timeline(ctx context.Context, caseID string) ([]TimelineEntry, error) {
	rows, err := dbq.New(s.pool).CaseEventList(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("timeline %s: %w", caseID, err)
	}
	out := make([]TimelineEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, TimelineEntry{
			Event: casefile.Event{
				CaseID: r.CaseID, Stream: r.Stream, Seq: int(r.Seq), Kind: r.Kind,
				Actor:  casefile.Actor{Subject: r.Actor, Role: casefile.Role(r.Role)},
				RealAt: r.RealAt.UTC(), CaseAt: r.CaseAt.UTC(), CaseOn: dateOf(r.CaseOn),
				Reason: r.Reason, ReasonCode: r.ReasonCode, Data: r.Data,
			},
			PrevHash: r.PrevHash, Hash: r.Hash, Chain: int(r.Chain), SummaryDigest: r.SummaryDigest,
			RecordedAt: r.RecordedAt,
		})
	}
	return out, nil
}

// TimelineEntry is a stored step with its place in the hash chain.
type TimelineEntry struct {
	casefile.Event
	PrevHash []byte `json:"prev_hash"`
	Hash     []byte `json:"hash"`
	// Chain is how Hash was made: 1 an HMAC under the audit key, 0 the
	// unkeyed SHA-256 of a step stored before the keyed chain.
	Chain int `json:"chain"`
	// SummaryDigest is the keyed digest of the case summary recorded with
	// the step, if one was.
	SummaryDigest []byte    `json:"summary_digest,omitempty"`
	RecordedAt    time.Time `json:"recorded_at"`
}

// Break is where a hash chain does not hold.
type Break struct {
	Stream string `json:"stream"`
	Seq    int    `json:"seq"`
	Why    string `json:"why"`
}

// VerifyChain recomputes the chains of a case's whole timeline (every
// stream) and returns the first entry of each stream that does not match
// what was stored; none means every chain is intact. A keyed step is
// checked with the audit key; an unkeyed one (stored before the keyed chain)
// with its SHA-256, which whoever edits the table could recompute, so the
// caller must not trust it without the workflow history. An unkeyed step
// after a keyed one in the same stream is a break: nothing records one now.
func (s *Store) VerifyChain(caseID string, entries []TimelineEntry) ([]Break, error) {
	if !s.key.Valid() {
		return nil, fmt.Errorf("verify chain: %w", audit.ErrNoKey)
	}
	type link struct {
		prev  []byte
		seq   int
		keyed bool
		bad   bool
	}
	chains := map[string]*link{}
	var breaks []Break
	for _, e := range entries {
		l := chains[e.Stream]
		if l == nil {
			l = &link{}
			chains[e.Stream] = l
		}
		if l.bad {
			continue
		}
		l.seq++
		fail := func(seq int, why string) {
			breaks, l.bad = append(breaks, Break{e.Stream, seq, why}), true
		}
		if e.CaseID != caseID {
			fail(e.Seq, "step belongs to another case")
			continue
		}
		if e.Seq != l.seq {
			fail(l.seq, fmt.Sprintf("step %d is missing", l.seq))
			continue
		}
		var want []byte
		var err error
		switch e.Chain {
		case audit.ChainHMAC:
			if l.seq == 1 {
				l.prev = s.key.Genesis(caseID, e.Stream)
			}
			l.keyed = true
			want, err = s.key.StepMAC(l.prev, normalise(e.Event), e.SummaryDigest)
		case audit.ChainSHA256:
			if l.keyed {
				fail(e.Seq, "an unkeyed step follows keyed ones")
				continue
			}
			if l.seq == 1 {
				l.prev = audit.LegacyGenesis(caseID, e.Stream)
			}
			want, err = audit.LegacyHash(l.prev, normalise(e.Event))
		default:
			fail(e.Seq, fmt.Sprintf("unknown chain version %d", e.Chain))
			continue
		}
		if err != nil {
			return nil, err
		}
		switch {
		case !bytes.Equal(l.prev, e.PrevHash):
			fail(e.Seq, "link to the previous step does not match")
		case !hmac.Equal(want, e.Hash):
			fail(e.Seq, "content does not match its hash")
		default:
			l.prev = e.Hash
		}
	}
	return breaks, nil
}

// VerifySummary checks the case summary that access control reads (its
// parties, jurisdiction, court, mediator, stage, ...) against the keyed
// digest recorded with the latest step that carried one. It returns the
// break when they differ, or why it cannot tell (the case's last summary was
// recorded before the keyed chain), or neither when the summary holds.
// Entries must have passed VerifyChain, which authenticates the digests.
func (s *Store) VerifySummary(sum casefile.Summary, entries []TimelineEntry) (*Break, string, error) {
	if !s.key.Valid() {
		return nil, "", fmt.Errorf("verify summary: %w", audit.ErrNoKey)
	}
	var last *TimelineEntry
	for i := range entries {
		e := &entries[i]
		if e.SummaryDigest != nil && (last == nil || e.Seq > last.Seq) {
			last = e
		}
	}
	got, err := s.key.SummaryDigest(sum)
	if err != nil {
		return nil, "", err
	}
	keyed := slices.ContainsFunc(entries, func(e TimelineEntry) bool { return e.Chain == audit.ChainHMAC })
	switch {
	case last == nil && keyed:
		// Every batch recorded with the keyed chain carries the digest;
		// the step that did is gone.
		return &Break{Seq: sum.LastSeq, Why: fmt.Sprintf("no stored step vouches for the case summary of step %d", sum.LastSeq)}, "", nil
	case last == nil:
		return nil, "the case summary was recorded before the keyed chain; no step vouches for it", nil
	case last.Seq != sum.LastSeq:
		return &Break{Stream: last.Stream, Seq: sum.LastSeq, Why: fmt.Sprintf(
			"the case summary is of step %d, but the last step recorded with a summary is %d", sum.LastSeq, last.Seq)}, "", nil
	case !hmac.Equal(got, last.SummaryDigest):
		return &Break{Stream: last.Stream, Seq: last.Seq,
			Why: "the case summary (parties, jurisdiction, court, mediator, stage, ...) differs from the one recorded with this step"}, "", nil
	}
	return nil, "", nil
}

// normalise truncates times to PostgreSQL's microsecond precision, so the
// hash computed before the write matches the one recomputed after a read.
func normalise(e casefile.Event) casefile.Event {
	e.RealAt = e.RealAt.UTC().Truncate(time.Microsecond)
	e.CaseAt = e.CaseAt.UTC().Truncate(time.Microsecond)
	return e
}

func pgDate(d policy.Date) pgtype.Date {
	if d.IsZero() {
		return pgtype.Date{}
	}
	t := d.Start()
	return pgtype.Date{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), Valid: true}
}

func dateOf(d pgtype.Date) policy.Date {
	if !d.Valid {
		return policy.Date{}
	}
	return policy.NewDate(d.Time.Year(), d.Time.Month(), d.Time.Day())
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SameStep reports whether two records of a step say the same thing, as the
// hash chain sees it (times at PostgreSQL's precision, data in canonical
// form). Verification uses it to compare a stored step with the one the
// workflow handed to the recording activity.
func SameStep(a, b casefile.Event) (bool, error) {
	ha, err := audit.Fingerprint(normalise(a))
	if err != nil {
		return false, err
	}
	hb, err := audit.Fingerprint(normalise(b))
	if err != nil {
		return false, err
	}
	return bytes.Equal(ha, hb), nil
}
