// Package workflows holds casework's durable case processes, one file per
// process, each a Temporal workflow whose state is the source of truth for
// where a case stands and what happens next.
package workflows

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// TaskQueue is the queue every casework worker polls.
const TaskQueue = "casework"

// CaseID derives a case's stable identifier from its court case number
// (案号). Deriving rather than generating it makes starting a case
// idempotent: the same case number always names the same case and the same
// workflow, so a retried request can never open a second one.
//
// The number is taken in its canonical form (CanonicalCaseNumber), so the
// same number typed with full-width digits, ASCII brackets or a stray space
// names the same case.
func CaseID(caseNumber string) string {
	sum := sha256.Sum256([]byte(CanonicalCaseNumber(caseNumber)))
	return "c" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10]))
}

// ValidCaseID reports whether id has the form CaseID gives, so a malformed
// id is answered "not found" without a lookup.
func ValidCaseID(id string) bool {
	if len(id) != 17 || id[0] != 'c' {
		return false
	}
	for _, r := range id[1:] {
		if (r < 'a' || r > 'z') && (r < '2' || r > '7') {
			return false
		}
	}
	return true
}

// MediationWorkflowID is the workflow ID of a case's mediation process.
func MediationWorkflowID(caseID string) string { return "case/" + caseID + "/mediation" }

// CanonicalCaseNumber is the form of a case number its ID is derived from:
// Unicode NFKC (full-width digits and letters become ASCII), no white space
// anywhere, and every kind of bracket around the year written as the
// full-width parentheses court case numbers use: （2026）.
func CanonicalCaseNumber(n string) string {
	n = norm.NFKC.String(n)
	var b strings.Builder
	for _, r := range n {
		switch {
		case unicode.IsSpace(r):
			continue
		case strings.ContainsRune("([〔【〖", r):
			r = '（'
		case strings.ContainsRune(")]〕】〗", r):
			r = '）'
		}
		b.WriteRune(r)
	}
	return b.String()
}
