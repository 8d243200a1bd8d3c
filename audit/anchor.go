package audit

import (
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Head is the last step of one stream at the time of an anchor: its number
// and its keyed hash.
type Head struct {
	CaseID string `json:"case_id"`
	Stream string `json:"stream"`
	Seq    int    `json:"seq"`
	Hash   string `json:"hash" doc:"Hex hash of the step"`
}

// Anchors is an anchor file: the heads of every stream at one moment,
// signed with an HMAC under the audit key, kept by an auditor outside the
// database. A later database must still hold every anchored step with the
// same hash; since each step's hash covers the one before, that vouches for
// every step up to the head, and a deleted last step shows.
type Anchors struct {
	Format    string    `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	Heads     []Head    `json:"heads"`
	MAC       string    `json:"mac"`
}

const anchorFormat = "casework-anchors/1"

// SignAnchors returns the anchor file of heads taken at at.
func (k Key) SignAnchors(heads []Head, at time.Time) ([]byte, error) {
	if !k.Valid() {
		return nil, ErrNoKey
	}
	a := Anchors{Format: anchorFormat, CreatedAt: at.UTC(), Heads: heads}
	mac, err := k.anchorMAC(a)
	if err != nil {
		return nil, err
	}
	a.MAC = hex.EncodeToString(mac)
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ReadAnchors parses an anchor file and checks its signature.
func (k Key) ReadAnchors(b []byte) (Anchors, error) {
	if !k.Valid() {
		return Anchors{}, ErrNoKey
	}
	var a Anchors
	if err := json.Unmarshal(b, &a); err != nil {
		return Anchors{}, fmt.Errorf("anchor file: %w", err)
	}
	if a.Format != anchorFormat {
		return Anchors{}, fmt.Errorf("anchor file: format %q, want %q", a.Format, anchorFormat)
	}
	got, err := hex.DecodeString(a.MAC)
	if err != nil {
		return Anchors{}, errors.New("anchor file: the signature is not hex")
	}
	want, err := k.anchorMAC(a)
	if err != nil {
		return Anchors{}, err
	}
	if !hmac.Equal(got, want) {
		return Anchors{}, errors.New("anchor file: the signature does not match (edited, or signed with another audit key)")
	}
	return a, nil
}

func (k Key) anchorMAC(a Anchors) ([]byte, error) {
	a.MAC = ""
	b, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	h := k.mac("anchors")
	field(h, b)
	return h.Sum(nil), nil
}
