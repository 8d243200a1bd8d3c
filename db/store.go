package db

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

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
}

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Pool returns the connection pool, for tests and health checks.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// RecordSteps writes a case's new steps and, when sum is not nil, the case
// summary after them, in one transaction. Steps already stored (a retried
// activity) are left as they are, and an older summary never overwrites a
// newer one, so calling it twice with the same arguments changes nothing the
// second time.
func (s *Store) RecordSteps(ctx context.Context, sum *casefile.Summary, events []casefile.Event) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return recordSteps(ctx, dbq.New(tx), sum, events)
	})
}

func recordSteps(ctx context.Context, q *dbq.Queries, sum *casefile.Summary, events []casefile.Event) error {
	for _, e := range events {
		if sum != nil && e.CaseID != sum.ID {
			return fmt.Errorf("record steps: event of case %q in case %q", e.CaseID, sum.ID)
		}
		if e.Stream == "" {
			return fmt.Errorf("record steps: case %s step %d has no stream", e.CaseID, e.Seq)
		}
		prev := genesisHash(e.CaseID, e.Stream)
		if e.Seq > 1 {
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
		hash, err := eventHash(prev, e)
		if err != nil {
			return err
		}
		if _, err := q.CaseEventInsert(ctx, dbq.CaseEventInsertParams{
			CaseID: e.CaseID, Stream: e.Stream, Seq: int32(e.Seq), Kind: e.Kind,
			Actor: e.Actor.Subject, Role: string(e.Actor.Role),
			RealAt: e.RealAt, CaseAt: e.CaseAt, CaseOn: pgDate(e.CaseOn),
			Reason: e.Reason, ReasonCode: e.ReasonCode, Data: data,
			PrevHash: prev, Hash: hash,
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
	}
	if _, err := q.CaseUpsert(ctx, p); err != nil {
		return fmt.Errorf("record steps: case summary: %w", err)
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
			PrevHash: r.PrevHash, Hash: r.Hash, RecordedAt: r.RecordedAt,
		})
	}
	return out, nil
}

// TimelineEntry is a stored step with its place in the hash chain.
type TimelineEntry struct {
	casefile.Event
	PrevHash   []byte    `json:"prev_hash"`
	Hash       []byte    `json:"hash"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Break is where a hash chain does not hold.
type Break struct {
	Stream string `json:"stream"`
	Seq    int    `json:"seq"`
	Why    string `json:"why"`
}

// VerifyChain recomputes the hash chains of a case's whole timeline (every
// stream) and returns the first entry of each stream that does not match
// what was stored; none means every chain is intact.
func VerifyChain(caseID string, entries []TimelineEntry) ([]Break, error) {
	type link struct {
		prev []byte
		seq  int
		bad  bool
	}
	chains := map[string]*link{}
	var breaks []Break
	for _, e := range entries {
		l := chains[e.Stream]
		if l == nil {
			l = &link{prev: genesisHash(caseID, e.Stream)}
			chains[e.Stream] = l
		}
		if l.bad {
			continue
		}
		l.seq++
		if e.CaseID != caseID {
			breaks, l.bad = append(breaks, Break{e.Stream, e.Seq, "step belongs to another case"}), true
			continue
		}
		if e.Seq != l.seq {
			breaks, l.bad = append(breaks, Break{e.Stream, l.seq, fmt.Sprintf("step %d is missing", l.seq)}), true
			continue
		}
		h, err := eventHash(l.prev, e.Event)
		if err != nil {
			return nil, err
		}
		switch {
		case !bytes.Equal(l.prev, e.PrevHash):
			breaks, l.bad = append(breaks, Break{e.Stream, e.Seq, "link to the previous step does not match"}), true
		case !bytes.Equal(h, e.Hash):
			breaks, l.bad = append(breaks, Break{e.Stream, e.Seq, "content does not match its hash"}), true
		default:
			l.prev = e.Hash
		}
	}
	return breaks, nil
}

// genesisHash anchors a stream's chain to its case, so a chain cannot be
// moved to another case or stream.
func genesisHash(caseID, stream string) []byte {
	h := sha256.Sum256([]byte("casework/case/" + caseID + "/" + stream))
	return h[:]
}

// eventHash hashes an event together with the previous link. Every field
// goes in with its length, so no two different events hash alike by
// shifting text between fields; data goes in canonical form because jsonb
// does not keep the bytes it was given.
func eventHash(prev []byte, e casefile.Event) ([]byte, error) {
	data, err := canonicalJSON(e.Data)
	if err != nil {
		return nil, fmt.Errorf("hash step %d: %w", e.Seq, err)
	}
	h := sha256.New()
	field := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field(prev)
	field([]byte(e.CaseID))
	field([]byte(e.Stream))
	field(binary.BigEndian.AppendUint64(nil, uint64(e.Seq)))
	field([]byte(e.Kind))
	field([]byte(e.Actor.Subject))
	field([]byte(e.Actor.Role))
	field([]byte(e.RealAt.UTC().Format(time.RFC3339Nano)))
	field([]byte(e.CaseAt.UTC().Format(time.RFC3339Nano)))
	field([]byte(e.CaseOn.String()))
	field([]byte(e.Reason))
	field([]byte(e.ReasonCode))
	field(data)
	return h.Sum(nil), nil
}

// canonicalJSON re-encodes data with sorted keys and no spaces, keeping
// numbers as written, so it hashes the same before and after jsonb.
func canonicalJSON(data json.RawMessage) ([]byte, error) {
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
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
	ha, err := eventHash(nil, normalise(a))
	if err != nil {
		return false, err
	}
	hb, err := eventHash(nil, normalise(b))
	if err != nil {
		return false, err
	}
	return bytes.Equal(ha, hb), nil
}
