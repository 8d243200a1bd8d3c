// Package workflows holds casework's durable case processes, one file per
// process, each a Temporal workflow whose state is the source of truth for
// where a case stands and what happens next.
package workflows

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// TaskQueue is the queue every casework worker polls.
const TaskQueue = "casework"

// CaseID derives a case's stable identifier from its court case number
// (案号). Deriving rather than generating it makes starting a case
// idempotent: the same case number always names the same case and the same
// workflow, so a retried request can never open a second one.
func CaseID(caseNumber string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(caseNumber)))
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
