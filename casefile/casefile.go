// Package casefile holds the records every process writes about a case (一案一档):
// who acted, the steps of the audit trail, and the summary the case ledger
// lists. Workflows produce them, activities store them, the API serves them.
package casefile

import (
	"encoding/json"
	"time"

	"github.com/casework/casework/casetime"
	"github.com/casework/casework/policy"
)

// Role is what an actor is in the process: it decides what they may do.
type Role string

// The roles of DOMAIN.md "Who uses it", plus the system itself for steps
// that a deadline, not a person, takes.
const (
	RoleCourt      Role = "court"
	RoleMediator   Role = "mediator"
	RoleParty      Role = "party"
	RoleAuditor    Role = "auditor"
	RoleSupervisor Role = "supervisor"
	// RoleCourtAdmin is a court administrator (法院管理员): publishes the
	// holiday arrangements of its jurisdiction and touches no case.
	RoleCourtAdmin Role = "court_admin"
	// RoleDispatcher staffs the one window of a dispute-resolution centre
	// (矛盾纠纷调处中心): registers what comes in, dispatches it to a
	// handler (派单) and follows it up.
	RoleDispatcher Role = "dispatcher"
	// RoleIntakeClerk is the filer's clerk of bulk financial disputes (a
	// bank's or car-loan company's): files a batch with a court, names its
	// organisation, and reads the batches it filed.
	RoleIntakeClerk Role = "intake_clerk"
	RoleSystem      Role = "system"
)

// Actor is who took a step.
type Actor struct {
	Subject string `json:"subject"`
	Role    Role   `json:"role"`
}

// System is the actor of steps taken by the passing of time.
var System = Actor{Subject: "casework", Role: RoleSystem}

// Process names the kind of case.
type Process string

// The processes casework runs.
const (
	ProcessMediation   Process = "mediation"
	ProcessEnforcement Process = "enforcement"
	ProcessBoundary    Process = "boundary"
	ProcessWage        Process = "wage"
	// ProcessIntake is a dispute received at the one window and
	// dispatched to a handler (点单、接单、派单、办单、评单).
	ProcessIntake Process = "intake"
)

// Status is the coarse state the ledger filters on.
type Status string

// A case is open until it is closed out (销号).
const (
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

// Resolution says whether a dispute was resolved (化解), for the
// resolution rate; empty while it is pending.
type Resolution string

// Resolutions.
const (
	Resolved   Resolution = "resolved"
	Unresolved Resolution = "unresolved"
)

// Performance says how an obligation was performed, for the
// automatic-performance rate; empty until known.
type Performance string

// Performances.
const (
	PerformedAutomatically Performance = "automatic"
	PerformedByEnforcement Performance = "enforced"
	PerformanceDefaulted   Performance = "defaulted"
)

// Event is one step of a case as the audit trail keeps it.
type Event struct {
	CaseID string `json:"case_id"`
	// Stream is the process that took the step; steps are numbered and
	// hash-chained per stream.
	Stream     string          `json:"stream"`
	Seq        int             `json:"seq"`
	Kind       string          `json:"kind"`
	Actor      Actor           `json:"actor"`
	RealAt     time.Time       `json:"real_at"`
	CaseAt     time.Time       `json:"case_at"`
	CaseOn     policy.Date     `json:"case_on"`
	Reason     string          `json:"reason,omitempty"`
	ReasonCode string          `json:"reason_code,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
}

// Deadline is the pending step's last day and what happens when it passes.
type Deadline struct {
	Kind string      `json:"kind"`
	On   policy.Date `json:"on"`
	// At is the case-time instant at which the day On has fully passed.
	At time.Time `json:"at"`
	// Calendar is the status of the holiday calendar of On's year when the
	// deadline was computed: policy.Provisional means the year's
	// arrangement was not published, so the day may still move. The
	// recording activity fills it in for the read model; empty where
	// unknown (a workflow's own live view).
	Calendar policy.Status `json:"calendar,omitempty"`
	// MayMove is set on a deadline counted on a provisional calendar: when
	// the year's arrangement is published, its day may change.
	MayMove bool `json:"may_move,omitempty"`
	// Recounted is set when the case re-counted its deadlines after a
	// calendar publication: Calendar is then as the calendars in force
	// say, and the read model stops keeping an earlier provisional mark.
	Recounted bool `json:"recounted,omitempty"`
}

// Summary is the ledger's view of a case after its latest step.
type Summary struct {
	ID           string         `json:"id"`
	CaseNumber   string         `json:"case_number"`
	Process      Process        `json:"process"`
	WorkflowID   string         `json:"workflow_id"`
	Court        string         `json:"court"`
	Jurisdiction string         `json:"jurisdiction"`
	Organisation string         `json:"organisation,omitempty"`
	Mediator     string         `json:"mediator,omitempty"`
	CaseLeader   string         `json:"case_leader,omitempty"`
	Parties      []string       `json:"parties"`
	Stage        string         `json:"stage"`
	Status       Status         `json:"status"`
	Outcome      string         `json:"outcome,omitempty"`
	ClaimFen     int64          `json:"claim_fen"`
	Clock        casetime.Clock `json:"clock"`
	OpenedOn     policy.Date    `json:"opened_on"`
	ClosedOn     policy.Date    `json:"closed_on"`
	NextDeadline *Deadline      `json:"next_deadline,omitempty"`
	Resolution   Resolution     `json:"resolution,omitempty"`
	Performance  Performance    `json:"performance,omitempty"`
	// FollowUpsDue counts the follow-up visits (回访) that have fallen due,
	// FollowUpsDone those made.
	FollowUpsDue  int `json:"follow_ups_due,omitempty"`
	FollowUpsDone int `json:"follow_ups_done,omitempty"`
	// SourceCaseID is the case whose title this case enforces, if any.
	SourceCaseID string    `json:"source_case_id,omitempty"`
	LastSeq      int       `json:"last_seq"`
	OpenedAt     time.Time `json:"opened_at"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
}

// Data encodes v as an event's data. Workflow code calls it, so it must stay
// deterministic: encoding/json sorts map keys and struct fields are ordered.
//
//workflowcheck:ignore
func Data(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		// Only values that cannot be JSON (channels, funcs) fail, which is a
		// programming error in the caller, not bad input.
		panic("casefile: event data: " + err.Error())
	}
	return b
}
