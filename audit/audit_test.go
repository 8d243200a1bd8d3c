package audit

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/casefile"
)

func TestNewKeyRefusesWeakKeys(t *testing.T) {
	for _, k := range []string{"short", strings.Repeat("a", 48), "CHANGE-ME-openssl-rand-base64-48-CHANGE-ME-openssl"} {
		_, err := NewKey([]byte(k))
		require.ErrorContains(t, err, "openssl rand -base64 48", "key %q", k)
	}
	_, err := ParseKey(GenerateKey() + "\n")
	require.NoError(t, err)
	require.False(t, Key{}.Valid())
	_, err = Key{}.StepMAC(nil, casefile.Event{}, nil)
	require.ErrorIs(t, err, ErrNoKey)
}

func TestStepMACDependsOnKeyLinkContentAndSummary(t *testing.T) {
	k, other := RandomKey(), RandomKey()
	at := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	e := casefile.Event{CaseID: "c1", Stream: "mediation", Seq: 1, Kind: "delegated", RealAt: at, CaseAt: at, Reason: "x"}
	prev := k.Genesis("c1", "mediation")
	base, err := k.StepMAC(prev, e, []byte("digest"))
	require.NoError(t, err)
	again, err := k.StepMAC(prev, e, []byte("digest"))
	require.NoError(t, err)
	require.Equal(t, base, again, "deterministic")

	edited := e
	edited.Reason = "y"
	for name, mac := range map[string]func() ([]byte, error){
		"OtherKey":     func() ([]byte, error) { return other.StepMAC(prev, e, []byte("digest")) },
		"OtherLink":    func() ([]byte, error) { return k.StepMAC(k.Genesis("c2", "mediation"), e, []byte("digest")) },
		"OtherContent": func() ([]byte, error) { return k.StepMAC(prev, edited, []byte("digest")) },
		"NoSummary":    func() ([]byte, error) { return k.StepMAC(prev, e, nil) },
		"Unkeyed":      func() ([]byte, error) { return LegacyHash(prev, e) },
	} {
		got, err := mac()
		require.NoError(t, err)
		require.False(t, bytes.Equal(base, got), name)
	}
}

func TestSummaryDigestCoversAccessFields(t *testing.T) {
	k := RandomKey()
	sum := casefile.Summary{ID: "c1", CaseNumber: "（2026）1号", Court: "兴义市人民法院", Jurisdiction: "CN-52",
		Mediator: "mediator-wang", Parties: []string{"zhang-san", "xx-construction"}, Stage: "mediating", LastSeq: 3}
	base, err := k.SummaryDigest(sum)
	require.NoError(t, err)
	for name, edit := range map[string]func(*casefile.Summary){
		"PartyAdded":        func(s *casefile.Summary) { s.Parties = append(s.Parties, "li-si") },
		"JurisdictionMoved": func(s *casefile.Summary) { s.Jurisdiction = "CN-11" },
		"CourtChanged":      func(s *casefile.Summary) { s.Court = "北京市朝阳区人民法院" },
		"MediatorChanged":   func(s *casefile.Summary) { s.Mediator = "mediator-zhao" },
		"OlderStep":         func(s *casefile.Summary) { s.LastSeq = 2 },
		"PartiesShifted":    func(s *casefile.Summary) { s.Parties = []string{"zhang-sanxx-construction"} },
	} {
		s := sum
		s.Parties = append([]string(nil), sum.Parties...)
		edit(&s)
		got, err := k.SummaryDigest(s)
		require.NoError(t, err)
		require.NotEqual(t, base, got, name)
	}
}

func TestAnchorsRoundTrip(t *testing.T) {
	k := RandomKey()
	heads := []Head{{CaseID: "c1", Stream: "mediation", Seq: 4, Hash: "ab"}}
	b, err := k.SignAnchors(heads, time.Now())
	require.NoError(t, err)
	a, err := k.ReadAnchors(b)
	require.NoError(t, err)
	require.Equal(t, heads, a.Heads)
	_, err = k.ReadAnchors(bytes.Replace(b, []byte(`"seq": 4`), []byte(`"seq": 3`), 1))
	require.ErrorContains(t, err, "signature does not match")
}
