// Package audit keeps casework's audit trail trustworthy against whoever
// can write the database: every step of a stream is chained to the one
// before with an HMAC under a key the database never holds, the case
// summary that access control reads is bound into that chain, and the
// stream heads can be written to a signed anchor file an auditor keeps
// apart, which shows a deleted last step.
package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"time"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/internal/secret"
)

// Chain versions, stored with each step.
const (
	// ChainSHA256 is the unkeyed chain of steps stored before the keyed
	// chain existed: anyone who can write the table can recompute it, so
	// only the workflow history can confirm such a step.
	ChainSHA256 = 0
	// ChainHMAC chains a step with HMAC-SHA256 under the audit key.
	ChainHMAC = 1
)

// ErrNoKey is returned when a step is to be chained without an audit key.
var ErrNoKey = errors.New("no audit key configured (CASEWORK_AUDIT_KEY)")

// Key is the audit key: the secret the step chain, the summary digests and
// the anchor files are keyed with. The zero Key is no key.
type Key struct {
	k []byte
}

// NewKey returns the audit key k, refusing a weak one.
func NewKey(k []byte) (Key, error) {
	if err := secret.Check("audit key", k); err != nil {
		return Key{}, err
	}
	return Key{k: slices.Clone(k)}, nil
}

// GenerateKey returns a new random key as the text to keep in a key file or
// CASEWORK_AUDIT_KEY.
func GenerateKey() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.StdEncoding.EncodeToString(b)
}

// RandomKey returns a fresh random key, for tests.
func RandomKey() Key {
	k, err := NewKey([]byte(GenerateKey()))
	if err != nil {
		panic(err)
	}
	return k
}

// Valid reports whether k is a key.
func (k Key) Valid() bool { return len(k.k) > 0 }

// mac returns an HMAC for one purpose, so the same key never authenticates
// two kinds of thing alike.
func (k Key) mac(purpose string) hash.Hash {
	h := hmac.New(sha256.New, k.k)
	field(h, []byte("casework/"+purpose))
	return h
}

// Genesis is the link a keyed stream's first step chains onto: it ties the
// chain to its case and stream.
func (k Key) Genesis(caseID, stream string) []byte {
	h := k.mac("genesis")
	field(h, []byte(caseID))
	field(h, []byte(stream))
	return h.Sum(nil)
}

// LegacyGenesis is the link the first step of an unkeyed stream chains onto.
func LegacyGenesis(caseID, stream string) []byte {
	h := sha256.Sum256([]byte("casework/case/" + caseID + "/" + stream))
	return h[:]
}

// StepMAC authenticates step e together with the previous link and the
// digest of the case summary recorded with it (nil when none was).
func (k Key) StepMAC(prev []byte, e casefile.Event, summaryDigest []byte) ([]byte, error) {
	if !k.Valid() {
		return nil, ErrNoKey
	}
	h := k.mac("step")
	if err := writeStep(h, prev, e); err != nil {
		return nil, err
	}
	field(h, summaryDigest)
	return h.Sum(nil), nil
}

// LegacyHash is the unkeyed SHA-256 link of a step stored before the keyed
// chain.
func LegacyHash(prev []byte, e casefile.Event) ([]byte, error) {
	h := sha256.New()
	if err := writeStep(h, prev, e); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// Fingerprint is an unkeyed digest of what a step says, for comparing two
// records of one step (stored and as the workflow handed it over).
func Fingerprint(e casefile.Event) ([]byte, error) { return LegacyHash(nil, e) }

// writeStep writes every field of e with its length, so no two different
// steps hash alike by shifting text between fields; data goes in canonical
// form because jsonb does not keep the bytes it was given.
func writeStep(h hash.Hash, prev []byte, e casefile.Event) error {
	data, err := canonicalJSON(e.Data)
	if err != nil {
		return fmt.Errorf("hash step %d: %w", e.Seq, err)
	}
	field(h, prev)
	field(h, []byte(e.CaseID))
	field(h, []byte(e.Stream))
	field(h, binary.BigEndian.AppendUint64(nil, uint64(e.Seq)))
	field(h, []byte(e.Kind))
	field(h, []byte(e.Actor.Subject))
	field(h, []byte(e.Actor.Role))
	field(h, []byte(e.RealAt.UTC().Format(time.RFC3339Nano)))
	field(h, []byte(e.CaseAt.UTC().Format(time.RFC3339Nano)))
	field(h, []byte(e.CaseOn.String()))
	field(h, []byte(e.Reason))
	field(h, []byte(e.ReasonCode))
	field(h, data)
	return nil
}

// SummaryDigest authenticates the fields of a case summary that decide who
// may see and act on the case, and what the ledger counts: its identity,
// court, jurisdiction, organisation, mediator, case leader, parties, stage,
// status, outcome, claim, resolution and performance, and the step it is
// the summary after. It is stored with that step and so chained.
func (k Key) SummaryDigest(s casefile.Summary) ([]byte, error) {
	if !k.Valid() {
		return nil, ErrNoKey
	}
	h := k.mac("summary")
	for _, f := range []string{
		s.ID, s.CaseNumber, string(s.Process), s.WorkflowID, s.Court, s.Jurisdiction, s.Organisation,
		s.Mediator, s.CaseLeader, s.Stage, string(s.Status), s.Outcome, string(s.Resolution), string(s.Performance),
		s.SourceCaseID,
	} {
		field(h, []byte(f))
	}
	field(h, binary.BigEndian.AppendUint64(nil, uint64(len(s.Parties))))
	for _, p := range s.Parties {
		field(h, []byte(p))
	}
	field(h, binary.BigEndian.AppendUint64(nil, uint64(s.ClaimFen)))
	field(h, binary.BigEndian.AppendUint64(nil, uint64(s.LastSeq)))
	return h.Sum(nil), nil
}

func field(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// canonicalJSON re-encodes data with sorted keys and no spaces, keeping
// numbers as written, so it hashes the same before and after jsonb.
func canonicalJSON(data json.RawMessage) ([]byte, error) {
	if len(bytes.TrimSpace(data)) == 0 {
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

// trimKey reads a key file's or variable's text.
func trimKey(s string) []byte { return []byte(strings.TrimSpace(s)) }

// ParseKey returns the key in s (a key file's content or CASEWORK_AUDIT_KEY).
func ParseKey(s string) (Key, error) { return NewKey(trimKey(s)) }
