package workflows

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/casework/casework/activities"
	allot "github.com/casework/casework/allocation"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// enfHarness runs one enforcement case, with its settlement plans as real
// child workflows, under the SDK's test environment with time skipping and
// the real policy registry; read-model writes and notices are captured.
type enfHarness struct {
	// noVisits leaves follow-up visits to the test; visited counts those
	// the harness recorded.
	noVisits bool
	visited  int
	t        *testing.T
	env      *testsuite.TestWorkflowEnvironment
	reg      *policy.Registry
	start    time.Time
	events   map[string][]casefile.Event // by stream
	summary  *casefile.Summary
	notices  []activities.NoticeInput
	updates  int
	// measureSteps, when set, is shown every recording activity's input.
	measureSteps func(activities.RecordStepsInput)
	// list is the staged applicant list of a case whose applicants travel
	// by reference, lines the creditor ledger the store holds for it,
	// allocated what the store kept of each allocation, and collected
	// each applicant's collected fen after each allocation, by number.
	list      []db.WageListCreditor
	lines     []db.WageCreditor
	allocated map[int]db.WageAllocation
	collected map[int][]int64
	// allocatedOtherwise are the allocation numbers the store holds with
	// another amount, as a store that disagrees with the history would.
	allocatedOtherwise map[int]bool
	lastAllocation     int
	// listReads counts the reads of the staged list's applicant IDs;
	// listChanged makes them fail as a list edited in the database does.
	listReads   int
	listChanged bool
}

// byRef stages in's applicants in the harness's store and returns in with
// them by reference, as the API starts a case.
func (h *enfHarness) byRef(in EnforcementInput) EnforcementInput {
	names := map[string]string{}
	for _, p := range in.Parties {
		names[p.ID] = p.Name
	}
	h.list = nil
	ref := db.WageList{}
	for _, c := range in.Applicants {
		h.list = append(h.list, db.WageListCreditor{ID: c.ID, Name: names[c.ID], OwedFen: c.AmountFen, Hardship: c.Hardship})
		ref.Creditors++
		ref.OwedFen += c.AmountFen
		if c.Hardship {
			ref.Hardship++
		}
	}
	ref.ID = db.WageListID(h.list)
	in.Applicants, in.ApplicantList = nil, &ref
	return in
}

// byParties is byRef with the applicant parties by reference too, as the
// API starts a case now: in's parties are the others only.
func (h *enfHarness) byParties(in EnforcementInput) EnforcementInput {
	in = h.byRef(in)
	in.Parties = slices.DeleteFunc(slices.Clone(in.Parties), func(p Party) bool { return p.Side == SideApplicant })
	in.ApplicantPartiesByList = true
	return in
}

// applicantLines is the applicants' ledger as the store holds it.
func (h *enfHarness) applicantLines() []ApplicantLine {
	var out []ApplicantLine
	for _, l := range h.lines {
		out = append(out, ApplicantLine{ID: l.CreditorID, AmountFen: l.OwedFen, Hardship: l.Hardship, CollectedFen: l.PaidFen, OutstandingFen: l.OwedFen - l.PaidFen})
	}
	return out
}

const enfCaseID = "e1"

func newEnfHarness(t *testing.T, start time.Time) *enfHarness {
	t.Helper()
	reg, err := policy.Default()
	require.NoError(t, err)
	return newEnfHarnessPolicies(t, start, reg, &activities.Policies{Registry: reg})
}

// newEnfHarnessPolicies is newEnfHarness answering policy lookups with pa.
func newEnfHarnessPolicies(t *testing.T, start time.Time, reg *policy.Registry, pa *activities.Policies) *enfHarness {
	t.Helper()
	var ts testsuite.WorkflowTestSuite
	h := &enfHarness{t: t, env: ts.NewTestWorkflowEnvironment(), reg: reg, start: start, events: map[string][]casefile.Event{}}
	h.env.SetStartTime(start)
	h.env.RegisterWorkflow(NoticeDelivery)
	h.env.RegisterWorkflow(InstallmentPlan)
	h.env.RegisterActivity(pa)
	rec := &activities.Recorder{}
	h.env.RegisterActivity(rec)
	h.env.OnActivity(rec.RecordSteps, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordStepsInput) error {
			if h.measureSteps != nil {
				h.measureSteps(in)
			}
			for _, e := range in.Events {
				require.Equal(t, enfCaseID, e.CaseID)
				require.Equal(t, in.Summary != nil, e.Stream == enforcementStream, "only the enforcement stream writes the summary")
				require.Equal(t, len(h.events[e.Stream])+1, e.Seq, "steps are recorded in order, once")
				h.events[e.Stream] = append(h.events[e.Stream], e)
			}
			if in.Summary != nil {
				if len(in.Summary.Parties) == 0 && h.summary != nil {
					// The store keeps the parties a summary leaves out.
					in.Summary.Parties = h.summary.Parties
				}
				h.summary = in.Summary
			}
			if o := in.WageOpening; o != nil && len(h.lines) == 0 {
				// The applicants' ledger opens with the first steps, and
				// the store names them among the case's parties after
				// those the summary names.
				require.Equal(t, db.WageListID(h.list), o.List.ID, "the case refers to the staged list")
				for i, c := range h.list {
					h.lines = append(h.lines, db.WageCreditor{CaseID: enfCaseID, CreditorID: c.ID, No: i + 1, Name: c.Name,
						OwedFen: c.OwedFen, Hardship: c.Hardship, Version: o.Version})
					if !slices.Contains(h.summary.Parties, c.ID) {
						h.summary.Parties = append(h.summary.Parties, c.ID)
					}
				}
			}
			return nil
		})
	// By reference, each collection is allocated against the ledger once,
	// as the store does.
	h.allocated, h.collected = map[int]db.WageAllocation{}, map[int][]int64{}
	h.env.OnActivity(rec.AllocateWagePayment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.AllocateWagePaymentInput) (db.WageAllocation, error) {
			require.Equal(t, enfCaseID, in.CaseID)
			require.NotEmpty(t, h.lines, "allocated once the ledger is open")
			if h.allocatedOtherwise[in.Payment.No] {
				h.lastAllocation = in.Payment.No
				return db.WageAllocation{}, temporal.NewNonRetryableApplicationError("payment already allocated otherwise", activities.ErrTypeAllocatedOtherwise, nil)
			}
			if a, ok := h.allocated[in.Payment.No]; ok {
				return a, nil
			}
			require.Equal(t, h.lastAllocation+1, in.Payment.No, "allocations are numbered one after another")
			h.lastAllocation = in.Payment.No
			claims := make([]allot.Claim, len(h.lines))
			for i, l := range h.lines {
				claims[i] = allot.Claim{OwedFen: l.OwedFen - l.PaidFen, Hardship: l.Hardship}
			}
			parts, _, err := allot.Allocate(in.Payment.Rule, in.Payment.AmountFen, claims)
			require.NoError(t, err)
			a := db.WageAllocation{No: in.Payment.No}
			var after []int64
			for i, part := range parts {
				if part > 0 {
					h.lines[i].PaidFen += part
					h.lines[i].Version = in.Payment.Version
					a.CreditedFen += part
					a.Creditors++
					if h.lines[i].Hardship {
						a.HardshipFen += part
					}
				}
				after = append(after, h.lines[i].PaidFen)
			}
			h.allocated[a.No], h.collected[a.No] = a, after
			return a, nil
		})
	// The staged list's applicant IDs, as the store reads them back.
	h.env.OnActivity(rec.WageListCreditorIDs, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.WageListCreditorIDsInput) (activities.WageListCreditorIDsResult, error) {
			h.listReads++
			if h.listChanged {
				return activities.WageListCreditorIDsResult{}, temporal.NewNonRetryableApplicationError("staged list does not match its digest", activities.ErrTypeListChanged, nil)
			}
			require.Equal(t, db.WageListID(h.list), in.List.ID, "the case reads its own list")
			var out activities.WageListCreditorIDsResult
			for _, c := range h.list {
				out.IDs, out.OwedFen = append(out.IDs, c.ID), append(out.OwedFen, c.OwedFen)
			}
			return out, nil
		})
	h.env.OnActivity(rec.RecordPlan, mock.Anything, mock.Anything).Return(nil)
	n := &activities.Notifier{}
	h.env.RegisterActivity(n)
	h.env.OnActivity(n.EnqueueNotice, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NoticeInput) (int64, error) {
			for _, o := range h.notices {
				require.False(t, o.Stream == in.Stream && o.Kind == in.Kind && o.Seq == in.Seq && o.Installment == in.Installment,
					"notice %s/%s/%d enqueued twice", in.Stream, in.Kind, in.Seq)
			}
			h.notices = append(h.notices, in)
			return int64(len(h.notices)), nil
		})
	h.env.OnActivity(n.DeliverNotice, mock.Anything, mock.Anything).Return(nil)
	return h
}

var (
	enfParties = []Party{
		{ID: "zhang-san", Name: "张三", Side: SideApplicant},
		{ID: "xx-construction", Name: "某建筑公司", Side: SideRespondent},
	}
	// 2026-01-05 is a Monday.
	enfStart = cst(2026, 1, 5)
	enfToday = policy.NewDate(2026, 1, 5)
)

func enfInput(applied policy.Date, title EnforceableTitle) EnforcementInput {
	return EnforcementInput{
		CaseID: enfCaseID, CaseNumber: "（2026）黔2301执1号", Court: "兴义市人民法院", Jurisdiction: "CN",
		Title: title, Applicant: "zhang-san", Respondent: "xx-construction", AmountFen: 1_302_700,
		AppliedOn: applied, Parties: enfParties, Judge: judge.Subject, StartedBy: judge,
	}
}

// judgmentTitle is a judgment dated under the current rule, payable in one sum.
func judgmentTitle() EnforceableTitle {
	return EnforceableTitle{
		Kind: TitleJudgment, DocumentNumber: "（2025）黔2301民初88号",
		DocumentDate: policy.NewDate(2025, 9, 1), DueDates: []policy.Date{policy.NewDate(2025, 10, 15)},
	}
}

func (h *enfHarness) run(in EnforcementInput) EnforcementResult {
	if !h.noVisits {
		h.visitWhenDue(0)
	}
	h.env.ExecuteWorkflow(Enforcement, in)
	require.True(h.t, h.env.IsWorkflowCompleted())
	require.NoError(h.t, h.env.GetWorkflowError())
	var res EnforcementResult
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res
}

// visits are the steps of a completed case's two follow-up visits, which
// the harness records as they fall due.
var visits = []string{"follow_up_due", "follow_up_visited", "follow_up_due", "follow_up_visited"}

// visitWhenDue looks at the case every legal day and, once it is
// completed, records each follow-up visit the day it falls due, so a test
// that is not about visits still sees the case close.
func (h *enfHarness) visitWhenDue(day int) {
	if day > 4000 {
		return
	}
	h.env.RegisterDelayedCallback(func() {
		if h.env.IsWorkflowCompleted() {
			return
		}
		if v, err := h.env.QueryWorkflow(QueryState); err == nil {
			var view EnforcementView
			if v.Get(&view) == nil && view.Stage == StageCompleted {
				for _, f := range view.FollowUps {
					if f.Due && f.VisitedOn.IsZero() {
						h.visited++
						h.env.UpdateWorkflow(UpdateRecordEnforcementVisit, fmt.Sprintf("visit-%d", h.visited), &testsuite.TestUpdateCallback{
							OnAccept: func() {}, OnReject: func(err error) { h.t.Errorf("visit refused: %v", err) }, OnComplete: func(any, error) {},
						}, FollowUpCommand{Holds: true, Note: "回访：履行完毕，无新纠纷", Actor: judge})
						break
					}
				}
			}
		}
		h.visitWhenDue(day + 1)
	}, 24*time.Hour)
}

// enfUpdate is what came back from one command.
type enfUpdate struct {
	view EnforcementView
	plan PlanView
	err  error
}

// on sends a command to the enforcement case at noon (case time) of d, or
// at once when d is zero.
func (h *enfHarness) on(d policy.Date, name string, cmd any) *enfUpdate {
	return h.onWorkflow(d, "", name, cmd)
}

// onWorkflow sends a command at noon of d to the workflow wfID, or to the
// enforcement case when wfID is empty.
func (h *enfHarness) onWorkflow(d policy.Date, wfID, name string, cmd any) *enfUpdate {
	// Commands on the same day arrive a minute apart, in the order sent.
	delay := d.Start().Add(12*time.Hour + time.Duration(h.updates+1)*time.Minute).Sub(h.start)
	if d.IsZero() {
		delay = 0
	}
	return h.afterOn(delay, wfID, name, cmd)
}

// at sends a command to the enforcement case once delay has passed.
func (h *enfHarness) at(delay time.Duration, name string, cmd any) *enfUpdate {
	return h.afterOn(delay, "", name, cmd)
}

func (h *enfHarness) afterOn(delay time.Duration, wfID, name string, cmd any) *enfUpdate {
	r := &enfUpdate{}
	h.updates++
	id := fmt.Sprintf("%s-%d", name, h.updates)
	cb := &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { r.err = err },
		OnComplete: func(v any, err error) {
			if err != nil {
				r.err = err
				return
			}
			switch v := v.(type) {
			case EnforcementView:
				r.view = v
			case PlanView:
				r.plan = v
			}
		},
	}
	h.env.RegisterDelayedCallback(func() {
		switch {
		case wfID == "" && cmd == nil:
			h.env.UpdateWorkflow(name, id, cb)
			return
		case wfID == "":
			h.env.UpdateWorkflow(name, id, cb, cmd)
			return
		}
		require.NoError(h.t, h.env.UpdateWorkflowByID(wfID, name, id, cb, cmd))
	}, delay)
	return r
}

func (h *enfHarness) kinds(stream string) []string {
	var out []string
	for _, e := range h.events[stream] {
		out = append(out, e.Kind)
	}
	return out
}

func (h *enfHarness) stepOn(stream, kind string) []policy.Date {
	var out []policy.Date
	for _, e := range h.events[stream] {
		if e.Kind == kind {
			out = append(out, e.CaseOn)
		}
	}
	return out
}

// sentNotice is a notice as the tests compare them.
type sentNotice struct {
	Stream    string
	Kind      string
	Recipient string
	On        policy.Date
}

func (h *enfHarness) sent(stream string) []sentNotice {
	var out []sentNotice
	for _, n := range h.notices {
		require.Equal(h.t, enfCaseID, n.CaseID)
		if n.Stream == stream {
			out = append(out, sentNotice{n.Stream, n.Kind, n.Recipient, n.CaseOn})
		}
	}
	return out
}

func (h *enfHarness) deadline(from policy.Date, p policy.Period) policy.Date {
	d, err := h.reg.Deadline("CN", from, p)
	require.NoError(h.t, err)
	return d
}

func requireEnfRejected(t *testing.T, r *enfUpdate, kind string) {
	t.Helper()
	require.Error(t, r.err)
	got, reason, ok := Rejection(r.err)
	require.True(t, ok, "got %v, want a rejection", r.err)
	require.Equal(t, kind, got, "reason: %s", reason)
}

func TestEnforcementWindow(t *testing.T) {
	reg, err := policy.Default()
	require.NoError(t, err)
	p, err := reg.Policy("CN")
	require.NoError(t, err)
	cal, err := reg.Calendar("CN")
	require.NoError(t, err)
	dl := func(from policy.Date, per policy.Period) (policy.Date, error) { return cal.Deadline(from, per), nil }
	d := policy.NewDate

	tests := []struct {
		name       string
		docDate    policy.Date
		due        []policy.Date
		applied    policy.Date
		wantRule   string
		wantCloses policy.Date
		wantBarred []policy.Date
		wantErr    string
		// interrupted and suspended move the period (中断、中止).
		interrupted []policy.Date
		suspended   []Suspension
	}{
		{
			name: "CurrentRuleCountsFromLastInstallment", docDate: d(2022, 3, 1),
			due: []policy.Date{d(2022, 6, 30), d(2022, 12, 15)}, applied: d(2024, 12, 16),
			// 2024-12-15 is a Sunday: the window ends on Monday.
			wantRule: WindowRuleLastInstallment, wantCloses: d(2024, 12, 16),
		},
		{
			name: "CurrentRuleOutOfTime", docDate: d(2022, 3, 1),
			due: []policy.Date{d(2022, 6, 30), d(2022, 12, 15)}, applied: d(2024, 12, 17),
			wantRule: WindowRuleLastInstallment, wantCloses: d(2024, 12, 16), wantBarred: []policy.Date{d(2022, 12, 15)},
			wantErr: "runs from the last installment's due date 2022-12-15 (documents dated on or after 2022-01-01) and closed on 2024-12-16",
		},
		{
			name: "EarlierRuleEachInstallmentItsOwnWindow", docDate: d(2021, 5, 10),
			due: []policy.Date{d(2021, 6, 30), d(2021, 12, 15)}, applied: d(2023, 7, 3),
			wantRule: WindowRulePerInstallment, wantCloses: d(2023, 12, 15),
			wantBarred: []policy.Date{d(2021, 6, 30)},
		},
		{
			name: "EarlierRuleOutOfTime", docDate: d(2021, 5, 10),
			due: []policy.Date{d(2021, 6, 30), d(2021, 12, 15)}, applied: d(2023, 12, 18),
			wantRule: WindowRulePerInstallment, wantCloses: d(2023, 12, 15),
			wantBarred: []policy.Date{d(2021, 6, 30), d(2021, 12, 15)},
			wantErr:    "for documents dated before 2022-01-01 the P2Y window runs from each installment's own due date, and the last of them, from 2021-12-15, closed on 2023-12-15",
		},
		{
			name: "InterruptionRestartsTheWindow", docDate: d(2022, 3, 1),
			due: []policy.Date{d(2022, 12, 15)}, applied: d(2025, 3, 3), interrupted: []policy.Date{d(2024, 6, 3)},
			wantRule: WindowRuleLastInstallment, wantCloses: d(2026, 6, 3),
		},
		{
			name: "InterruptionAfterTheWindowClosedChangesNothing", docDate: d(2022, 3, 1),
			due: []policy.Date{d(2022, 12, 15)}, applied: d(2025, 2, 3), interrupted: []policy.Date{d(2025, 1, 10)},
			wantRule: WindowRuleLastInstallment, wantCloses: d(2024, 12, 16), wantBarred: []policy.Date{d(2022, 12, 15)},
			wantErr: "closed on 2024-12-16",
		},
		{
			// Suspended from 2024-09-01, inside the last six months before
			// 2024-12-16: the period runs on six months after 2024-11-30.
			name: "SuspensionInTheLastSixMonthsRunsOn", docDate: d(2022, 3, 1),
			due: []policy.Date{d(2022, 12, 15)}, applied: d(2025, 5, 30),
			suspended: []Suspension{{From: d(2024, 9, 1), To: d(2024, 11, 30), Reason: "洪灾"}},
			wantRule:  WindowRuleLastInstallment, wantCloses: d(2025, 5, 30),
		},
		{
			name: "EarlierSuspensionChangesNothing", docDate: d(2022, 3, 1),
			due: []policy.Date{d(2022, 12, 15)}, applied: d(2024, 12, 16),
			suspended: []Suspension{{From: d(2023, 3, 1), To: d(2023, 5, 1), Reason: "疫情"}},
			wantRule:  WindowRuleLastInstallment, wantCloses: d(2024, 12, 16),
		},
		{
			name: "RuleSwitchesOnTheDocumentDate", docDate: d(2022, 1, 1),
			due: []policy.Date{d(2021, 12, 31), d(2022, 3, 31)}, applied: d(2024, 1, 2),
			wantRule: WindowRuleLastInstallment, wantCloses: d(2024, 4, 1), // 2024-03-31 is a Sunday
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			title := EnforceableTitle{Kind: TitleConfirmedMediationAgreement, DocumentNumber: "x", DocumentDate: tt.docDate, DueDates: tt.due,
				Interruptions: tt.interrupted, Suspensions: tt.suspended}
			w, err := ComputeEnforcementWindow(p, title, dl)
			require.NoError(t, err)
			require.Equal(t, tt.wantRule, w.Rule)
			require.Equal(t, tt.wantCloses, w.ClosesOn, "got closes on %s, want %s", w.ClosesOn, tt.wantCloses)
			require.Equal(t, tt.wantBarred, w.Barred(tt.applied))
			err = w.Check(tt.applied)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestEnforcementOpensInsideWindow(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	opened := h.on(enfToday, UpdateOpened, nil)
	// A payment in full right away ends the case, so the run completes.
	paid := h.on(enfToday.AddDays(1), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_302_700, PaidOn: enfToday.AddDays(1), Actor: judge})
	res := h.run(enfInput(policy.NewDate(2026, 1, 4), judgmentTitle()))
	require.NoError(t, opened.err)
	require.NoError(t, paid.err)
	require.Equal(t, StageEnforcing, opened.view.Stage)
	require.Equal(t, WindowRuleLastInstallment, opened.view.Window.Rule)
	require.Equal(t, policy.NewDate(2027, 10, 15), opened.view.Window.ClosesOn)
	require.Equal(t, StageCompleted, res.Stage)
	require.Equal(t, append([]string{"enforcement_filed", "enforcement_payment_recorded", "enforcement_completed"}, visits...), h.kinds(enforcementStream))
	require.Equal(t, []sentNotice{
		{enforcementStream, NoticeEnforcement, "xx-construction", enfToday},
		{enforcementStream, NoticeCompletion, "zhang-san", enfToday.AddDays(1)},
	}, h.sent(enforcementStream))
	require.Equal(t, casefile.ProcessEnforcement, h.summary.Process)
	require.Equal(t, casefile.StatusClosed, h.summary.Status)
	require.Equal(t, casefile.PerformedByEnforcement, h.summary.Performance)
}

func TestEnforcementRefusedOutsideWindow(t *testing.T) {
	tests := []struct {
		name    string
		title   EnforceableTitle
		wantErr string
	}{
		{
			name: "CurrentRule",
			title: EnforceableTitle{Kind: TitleConfirmedMediationAgreement, DocumentNumber: "（2022）黔2301民特1号",
				DocumentDate: policy.NewDate(2022, 3, 1), DueDates: []policy.Date{policy.NewDate(2022, 6, 30), policy.NewDate(2023, 12, 15)}},
			wantErr: "closed on 2025-12-15",
		},
		{
			name: "EarlierRule",
			title: EnforceableTitle{Kind: TitleCourtMediation, DocumentNumber: "（2021）黔2301民初9号",
				DocumentDate: policy.NewDate(2021, 5, 10), DueDates: []policy.Date{policy.NewDate(2021, 6, 30), policy.NewDate(2023, 12, 15)}},
			// Under the current rule this title would still be in time.
			wantErr: "each installment's own due date, and the last of them, from 2023-12-15, closed on 2025-12-15",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newEnfHarness(t, enfStart)
			opened := h.on(policy.Date{}, UpdateOpened, nil)
			h.env.ExecuteWorkflow(Enforcement, enfInput(enfToday, tt.title))
			require.True(t, h.env.IsWorkflowCompleted())
			requireEnfRejected(t, opened, RejectInvalid)
			require.ErrorContains(t, opened.err, tt.wantErr)
			require.Error(t, h.env.GetWorkflowError(), "the run fails so the number can be started again")
			require.Empty(t, h.events, "an application out of time leaves no steps")
			require.Empty(t, h.notices)
		})
	}
}

func TestEnforcementMeasuresAndRenewalReminders(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	p, err := h.reg.Policy("CN")
	require.NoError(t, err)
	e := p.Enforcement
	require.Equal(t, policy.Years(1), e.FreezeTerms[policy.AssetBankDeposit], "the test assumes the default freeze terms")
	require.Equal(t, policy.Days(30), e.RenewalReminder)

	findings := []Finding{
		{AssetKind: policy.AssetBankDeposit, Description: "某银行账户", ValueFen: 300_000},
		{AssetKind: policy.AssetMovable, Description: "挖掘机一台", ValueFen: 5_000_000},
		{AssetKind: policy.AssetRealProperty, Description: "厂房一处", ValueFen: 90_000_000},
	}
	order := func(kind, asset, desc string) MeasureCommand {
		return MeasureCommand{Kind: kind, AssetKind: asset, Description: desc, Actor: judge}
	}
	inquiry := h.on(enfToday, UpdateRecordInquiry, InquiryCommand{Found: true, Findings: findings, Actor: judge})
	freeze := h.on(enfToday, UpdateOrderMeasure, order(MeasureFreeze, policy.AssetBankDeposit, "某银行账户"))
	seizeCar := h.on(enfToday, UpdateOrderMeasure, order(MeasureSeizure, policy.AssetMovable, "挖掘机一台"))
	seizeHouse := h.on(enfToday, UpdateOrderMeasure, order(MeasureSeizure, policy.AssetRealProperty, "厂房一处"))
	restrict := h.on(enfToday, UpdateOrderMeasure, MeasureCommand{Kind: MeasureConsumptionRestriction, Actor: judge})
	list := h.on(enfToday, UpdateOrderMeasure, MeasureCommand{Kind: MeasureDishonestList, Reason: "有履行能力而拒不履行", Actor: judge})

	bad := []struct {
		name string
		cmd  any
		upd  string
		want string
	}{
		{"MediatorOrders", MeasureCommand{Kind: MeasureConsumptionRestriction, Actor: mediator}, UpdateOrderMeasure, RejectForbidden},
		{"FreezeWithoutAssetKind", order(MeasureFreeze, "", "账户"), UpdateOrderMeasure, RejectInvalid},
		{"UnknownAssetKind", order(MeasureSeizure, "spaceship", "x"), UpdateOrderMeasure, RejectInvalid},
		{"DetentionTooLong", MeasureCommand{Kind: MeasureDetention, Days: 16, Reason: "拒不履行", Actor: judge}, UpdateOrderMeasure, RejectInvalid},
		{"SecondDishonestListing", MeasureCommand{Kind: MeasureDishonestList, Actor: judge}, UpdateOrderMeasure, RejectConflict},
		{"RenewNonFreeze", MeasureRefCommand{MeasureID: "m4", Actor: judge}, UpdateRenewMeasure, RejectInvalid},
		{"RenewUnknown", MeasureRefCommand{MeasureID: "m99", Actor: judge}, UpdateRenewMeasure, RejectInvalid},
		{"TerminateWhenPropertyFound", TerminateRoundCommand{Reason: "无财产", Actor: judge}, UpdateTerminateRound, RejectConflict},
		{"LiftWithoutReason", MeasureRefCommand{MeasureID: "m1", Actor: judge}, UpdateLiftMeasure, RejectInvalid},
	}
	refused := map[string]*enfUpdate{}
	for _, b := range bad {
		refused[b.name] = h.on(enfToday.AddDays(1), b.upd, b.cmd)
	}

	// The bank freeze runs a year to 2027-01-05: reminded 30 days before,
	// renewed, reminded again in its second term, then lifted. The
	// excavator's seizure runs two years and expires unrenewed.
	firstRemind := policy.NewDate(2026, 12, 6)
	renew := h.on(policy.NewDate(2026, 12, 10), UpdateRenewMeasure, MeasureRefCommand{MeasureID: "m1", Reason: "续冻", Actor: judge})
	lift := h.on(policy.NewDate(2027, 12, 20), UpdateLiftMeasure, MeasureRefCommand{MeasureID: "m1", Reason: "存款已扣划", Actor: judge})
	paidOn := policy.NewDate(2028, 1, 10)
	pay := h.on(paidOn, UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_302_700, PaidOn: paidOn, Reason: "拍卖款", Actor: judge})

	res := h.run(enfInput(enfToday, judgmentTitle()))
	require.Equal(t, StageCompleted, res.Stage)
	require.Equal(t, "paid_in_full", res.Outcome)
	for _, u := range []*enfUpdate{inquiry, freeze, seizeCar, seizeHouse, restrict, list, renew, lift, pay} {
		require.NoError(t, u.err)
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) { requireEnfRejected(t, refused[b.name], b.want) })
	}

	wantFreeze := h.deadline(enfToday, policy.Years(1))
	require.Equal(t, policy.NewDate(2027, 1, 5), wantFreeze)
	m1 := freeze.view.Measures[0]
	require.Equal(t, "m1", m1.ID)
	require.Equal(t, judge.Subject, m1.OrderedBy)
	require.Equal(t, enfToday, m1.OrderedOn)
	require.Equal(t, wantFreeze, m1.ExpiresOn)
	require.Equal(t, firstRemind, m1.RemindOn)
	require.Equal(t, h.deadline(enfToday, policy.Years(2)), seizeCar.view.Measures[1].ExpiresOn)
	require.Equal(t, h.deadline(enfToday, policy.Years(3)), seizeHouse.view.Measures[2].ExpiresOn)

	renewed := renew.view.Measures[0]
	require.Equal(t, 2, renewed.Term)
	require.Equal(t, h.deadline(wantFreeze, policy.Years(1)), renewed.ExpiresOn)
	require.Equal(t, []Renewal{{RenewedOn: policy.NewDate(2026, 12, 10), By: judge.Subject, From: wantFreeze, To: renewed.ExpiresOn}}, renewed.Renewals)

	secondRemind := e.RenewalReminder.SubFrom(renewed.ExpiresOn)
	carRemind := e.RenewalReminder.SubFrom(seizeCar.view.Measures[1].ExpiresOn)
	require.Equal(t, []policy.Date{firstRemind, secondRemind, carRemind}, h.stepOn(enforcementStream, "renewal_reminder"))
	// The seizure lapses once its last day has passed.
	require.Equal(t, []policy.Date{seizeCar.view.Measures[1].ExpiresOn.AddDays(1)}, h.stepOn(enforcementStream, "measure_expired"))

	require.Equal(t, append([]string{
		"enforcement_filed", "property_inquiry_recorded",
		"measure_ordered", "measure_ordered", "measure_ordered", "measure_ordered", "measure_ordered",
		"renewal_reminder", "measure_renewed", "renewal_reminder", "renewal_reminder",
		"measure_lifted", "measure_expired",
		"enforcement_payment_recorded", "measure_lifted", "credit_repaired", "credit_repaired", "enforcement_completed",
	}, visits...), h.kinds(enforcementStream))

	var reminders []sentNotice
	for _, n := range h.sent(enforcementStream) {
		if n.Kind == NoticeRenewalReminder {
			reminders = append(reminders, n)
		}
	}
	require.Equal(t, []sentNotice{
		{enforcementStream, NoticeRenewalReminder, judge.Subject, firstRemind},
		{enforcementStream, NoticeRenewalReminder, judge.Subject, secondRemind},
		{enforcementStream, NoticeRenewalReminder, judge.Subject, carRemind},
	}, reminders, "one reminder per measure per term")
	require.Len(t, h.sent(enforcementStream), 1+5+3+2, "enforcement notice, five measure orders, three reminders, credit repair and completion")

	final := pay.view
	require.Equal(t, []string{MeasureLifted, MeasureExpired, MeasureLifted, MeasureLifted, MeasureLifted},
		[]string{final.Measures[0].Status, final.Measures[1].Status, final.Measures[2].Status, final.Measures[3].Status, final.Measures[4].Status})
	require.NotNil(t, final.CreditRepair)
	require.Equal(t, CreditPaidInFull, final.CreditRepair.Grade)
	require.Equal(t, []string{"m4", "m5"}, final.CreditRepair.Measures)
	require.Equal(t, int64(0), final.OutstandingFen)
	require.Equal(t, casefile.Resolved, h.summary.Resolution)
}

func TestEnforcementSettlementPaidOff(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	planWF := PlanWorkflowID(enfCaseID, "settlement-1")
	list := h.on(enfToday, UpdateOrderMeasure, MeasureCommand{Kind: MeasureDishonestList, Actor: judge})
	collected := h.on(enfToday.AddDays(3), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 302_700, PaidOn: enfToday.AddDays(3), Actor: judge})
	mismatched := h.on(enfToday.AddDays(10), UpdateSettle, SettleCommand{Actor: judge, Installments: []Installment{
		{DueOn: policy.NewDate(2026, 2, 10), AmountFen: 1_302_700},
	}})
	d1, d2 := policy.NewDate(2026, 2, 10), policy.NewDate(2026, 3, 10)
	settle := h.on(enfToday.AddDays(10), UpdateSettle, SettleCommand{Reason: "执行和解", Actor: judge, Installments: []Installment{
		{DueOn: d1, AmountFen: 400_000}, {DueOn: d2, AmountFen: 600_000},
	}})
	payDuring := h.on(enfToday.AddDays(11), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 100, PaidOn: enfToday.AddDays(11), Actor: judge})
	pay1 := h.onWorkflow(d1.AddDays(-1), planWF, UpdateRecordPayment, PaymentCommand{AmountFen: 400_000, PaidOn: d1.AddDays(-1), Actor: judge})
	pay2 := h.onWorkflow(d2.AddDays(-2), planWF, UpdateRecordPayment, PaymentCommand{AmountFen: 600_000, PaidOn: d2.AddDays(-2), Actor: judge})

	res := h.run(enfInput(enfToday, judgmentTitle()))
	for _, u := range []*enfUpdate{list, collected, settle, pay1, pay2} {
		require.NoError(t, u.err)
	}
	requireEnfRejected(t, mismatched, RejectInvalid)
	requireEnfRejected(t, payDuring, RejectConflict)
	require.Equal(t, StageSettlement, settle.view.Stage)
	require.Equal(t, int64(1_000_000), settle.view.OutstandingFen)
	require.Equal(t, PlanPerformed, pay2.plan.Stage)

	require.Equal(t, StageCompleted, res.Stage)
	require.Equal(t, "settlement_performed", res.Outcome)
	require.Equal(t, int64(1_302_700), res.CollectedFen)
	require.Equal(t, append([]string{
		"enforcement_filed", "measure_ordered", "enforcement_payment_recorded", "settlement_reached",
		"settlement_performed", "credit_repaired", "enforcement_completed",
	}, visits...), h.kinds(enforcementStream))
	require.Equal(t, []string{
		"plan_started", "reminder_sent", "reminder_sent", "payment_recorded", "reminder_sent",
		"payment_recorded", "plan_performed",
	}, h.kinds("plan/settlement-1"), "a settlement during enforcement earns no certificate of automatic performance")
	require.Equal(t, []string{NoticePerformance, NoticeReminder, NoticeReminder, NoticeReminder},
		noticeKinds(h.sent("plan/settlement-1")))
	require.Equal(t, []string{NoticeEnforcement, NoticeMeasure, NoticeCreditRepair, NoticeCompletion},
		noticeKinds(h.sent(enforcementStream)))
	completed := h.events[enforcementStream][len(h.events[enforcementStream])-1-len(visits)]
	require.Equal(t, "enforcement_completed", completed.Kind)
	require.Contains(t, string(completed.Data), CreditSettlementOnTime)
}

func noticeKinds(ns []sentNotice) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Kind)
	}
	return out
}

func TestEnforcementTerminatedThenResumed(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	p, err := h.reg.Policy("CN")
	require.NoError(t, err)
	require.Equal(t, policy.Months(6), p.Enforcement.RecheckEvery, "the test assumes the default re-check cadence")
	require.Equal(t, policy.Years(5), p.Enforcement.RecheckFor)

	nothing := h.on(enfToday, UpdateRecordInquiry, InquiryCommand{Found: false, Actor: judge})
	noReason := h.on(enfToday.AddDays(1), UpdateTerminateRound, TerminateRoundCommand{Actor: judge})
	term := h.on(enfToday.AddDays(1), UpdateTerminateRound, TerminateRoundCommand{Reason: "经网络查控未发现可供执行的财产", Actor: judge})
	terminatedOn := enfToday.AddDays(1)
	due := func(k int) policy.Date { return h.deadline(terminatedOn, policy.Months(6*k)) }
	early := h.on(enfToday.AddDays(2), UpdateOrderMeasure, MeasureCommand{Kind: MeasureConsumptionRestriction, Actor: judge})
	first := h.on(due(1).AddDays(1), UpdateRecordRecheck, RecheckCommand{Found: false, Actor: judge})
	second := h.on(due(2).AddDays(1), UpdateRecordRecheck, RecheckCommand{Found: false, Actor: judge})
	found := []Finding{{AssetKind: policy.AssetRealProperty, Description: "新登记房产一套", ValueFen: 200_000_000}}
	third := h.on(due(3).AddDays(2), UpdateRecordRecheck, RecheckCommand{Found: true, Findings: found, Note: "不动产登记查询", Actor: judge})
	resumedOn := due(3).AddDays(2)
	seize := h.on(resumedOn.AddDays(1), UpdateOrderMeasure, MeasureCommand{Kind: MeasureSeizure, AssetKind: policy.AssetRealProperty, Description: "新登记房产一套", Actor: judge})
	pay := h.on(resumedOn.AddDays(40), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_302_700, PaidOn: resumedOn.AddDays(40), Actor: judge})

	res := h.run(enfInput(enfToday, judgmentTitle()))
	for _, u := range []*enfUpdate{nothing, term, first, second, third, seize, pay} {
		require.NoError(t, u.err)
	}
	requireEnfRejected(t, noReason, RejectInvalid)
	requireEnfRejected(t, early, RejectConflict)

	tv := term.view.Terminations[0]
	require.Equal(t, StageTerminatedRound, term.view.Stage)
	require.Equal(t, h.deadline(terminatedOn, policy.Years(5)), tv.RecheckUntil)
	require.Len(t, tv.Rechecks, 10, "every 6 months for 5 years")
	for i, r := range tv.Rechecks {
		require.Equal(t, due(i+1), r.DueOn, "re-check %d", i+1)
	}
	require.Equal(t, casefile.Deadline{Kind: "property_recheck", On: due(1), At: due(1).End()}, *term.view.NextDeadline)
	require.Equal(t, StageEnforcing, third.view.Stage)
	require.Equal(t, resumedOn, third.view.Terminations[0].ResumedOn)

	require.Equal(t, StageCompleted, res.Stage)
	require.Equal(t, []policy.Date{due(1), due(2), due(3)}, h.stepOn(enforcementStream, "property_recheck_due"))
	require.Equal(t, append([]string{
		"enforcement_filed", "property_inquiry_recorded", "round_terminated",
		"property_recheck_due", "property_recheck_recorded", "property_recheck_due", "property_recheck_recorded",
		"property_recheck_due", "property_recheck_recorded", "enforcement_resumed",
		"measure_ordered", "enforcement_payment_recorded", "measure_lifted", "enforcement_completed",
	}, visits...), h.kinds(enforcementStream))
	require.Equal(t, []string{NoticeEnforcement, NoticeRecheckDue, NoticeRecheckDue, NoticeRecheckDue, NoticeMeasure, NoticeCompletion},
		noticeKinds(h.sent(enforcementStream)))
}

func TestEnforcementClosedAfterRechecks(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	h.on(enfToday, UpdateRecordInquiry, InquiryCommand{Found: false, Actor: judge})
	term := h.on(enfToday, UpdateTerminateRound, TerminateRoundCommand{Reason: "无可供执行财产", Actor: judge})
	var checks []*enfUpdate
	for k := 1; k <= 10; k++ {
		checks = append(checks, h.on(h.deadline(enfToday, policy.Months(6*k)), UpdateRecordRecheck, RecheckCommand{Found: false, Actor: judge}))
	}
	res := h.run(enfInput(enfToday, judgmentTitle()))
	require.NoError(t, term.err)
	for i, c := range checks {
		require.NoError(t, c.err, "re-check %d", i+1)
	}
	require.Equal(t, StageClosedAfterRechecks, res.Stage)
	require.Len(t, h.stepOn(enforcementStream, "property_recheck_due"), 10)
	require.Len(t, h.stepOn(enforcementStream, "property_recheck_recorded"), 10)
	require.Equal(t, []policy.Date{h.deadline(enfToday, policy.Years(5))}, h.stepOn(enforcementStream, "closed_after_rechecks"))
	require.Equal(t, casefile.StatusClosed, h.summary.Status)
	require.Equal(t, casefile.Unresolved, h.summary.Resolution)
	require.Len(t, h.sent(enforcementStream), 11, "the enforcement notice and one per re-check")
}

func TestEnforcementSettlementDefaultResumesEnforcement(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	due := policy.NewDate(2026, 2, 10)
	settle := h.on(enfToday.AddDays(1), UpdateSettle, SettleCommand{Actor: judge, Installments: []Installment{{DueOn: due, AmountFen: 1_302_700}}})
	part := h.onWorkflow(due.AddDays(-1), PlanWorkflowID(enfCaseID, "settlement-1"), UpdateRecordPayment, PaymentCommand{AmountFen: 300_000, PaidOn: due.AddDays(-1), Actor: judge})
	second := h.on(due.AddDays(5), UpdateSettle, SettleCommand{Actor: judge, Installments: []Installment{{DueOn: due.AddDays(60), AmountFen: 1_002_700}}})
	rest := h.on(due.AddDays(30), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_002_700, PaidOn: due.AddDays(30), Actor: judge})

	res := h.run(enfInput(enfToday, judgmentTitle()))
	require.NoError(t, settle.err)
	require.NoError(t, part.err)
	requireEnfRejected(t, second, RejectConflict) // the first settlement is still running
	require.NoError(t, rest.err)
	require.Equal(t, StageCompleted, res.Stage)
	require.Equal(t, int64(1_302_700), res.CollectedFen, "the part paid under the settlement counts")
	require.Equal(t, append([]string{
		"enforcement_filed", "settlement_reached", "settlement_defaulted", "enforcement_payment_recorded", "enforcement_completed",
	}, visits...), h.kinds(enforcementStream))
	grace := h.deadline(due, policy.Days(7))
	window := h.deadline(grace, policy.Days(3)) // the late-recording window
	require.Equal(t, []policy.Date{window.AddDays(1)}, h.stepOn(enforcementStream, "settlement_defaulted"))
	require.Equal(t, []string{NoticePerformance, NoticeReminder, NoticeReminder, NoticeDefault}, noticeKinds(h.sent("plan/settlement-1")))
	require.Equal(t, PlanDefaulted, rest.view.Settlements[0].Result.Outcome)
	require.Equal(t, int64(300_000), rest.view.Settlements[0].Result.PaidFen)
}

// TestDetentionLiftedEarlyOnSettlement is seed 002's Xingyi story: a
// debtor detained for 15 days pays 100,000 yuan, settles the rest, and is
// released at once; the settlement is then paid off.
func TestDetentionLiftedEarlyOnSettlement(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	planWF := PlanWorkflowID(enfCaseID, "settlement-1")
	detained := h.on(enfToday, UpdateOrderMeasure, MeasureCommand{Kind: MeasureDetention, Days: 15, Reason: "拒不履行", Actor: judge})
	paid := h.on(enfToday.AddDays(2), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_000_000, PaidOn: enfToday.AddDays(2), Actor: judge})
	due := enfToday.AddDays(30)
	settled := h.on(enfToday.AddDays(3), UpdateSettle, SettleCommand{Reason: "余款和解", Actor: judge, Installments: []Installment{{DueOn: due, AmountFen: 302_700}}})
	payOff := h.onWorkflow(enfToday.AddDays(5), planWF, UpdateRecordPayment, PaymentCommand{AmountFen: 302_700, PaidOn: enfToday.AddDays(5), Actor: judge})

	res := h.run(enfInput(enfToday, judgmentTitle()))
	for _, u := range []*enfUpdate{detained, paid, settled, payOff} {
		require.NoError(t, u.err)
	}
	m := settled.view.Measures[0]
	require.Equal(t, MeasureDetention, m.Kind)
	require.Equal(t, MeasureLifted, m.Status, "released on the day of the settlement, not after 15 days")
	require.Equal(t, enfToday.AddDays(3), m.EndedOn)
	require.Equal(t, StageCompleted, res.Stage)
	require.Equal(t, append([]string{
		"enforcement_filed", "measure_ordered", "enforcement_payment_recorded", "settlement_reached", "measure_lifted",
		"settlement_performed", "enforcement_completed",
	}, visits...), h.kinds(enforcementStream), "no listing to repair: detention is not a credit measure")
}

// TestHistoricalEnforcementKeepsItsDates: an enforcement of a 2023
// judgment entered in 2026, applied for on 2023-07-12 and paid on
// 2023-08-02, is in the ledger as opened and closed on those days, and its
// steps carry them; the notices go out, and are dated, on entry.
func TestHistoricalEnforcementKeepsItsDates(t *testing.T) {
	h := newEnfHarness(t, cst(2026, 1, 5))
	applied, paid := policy.NewDate(2023, 7, 12), policy.NewDate(2023, 8, 2)
	title := EnforceableTitle{
		Kind: TitleJudgment, DocumentNumber: "（2023）黔2301民初12号",
		DocumentDate: policy.NewDate(2023, 5, 20), DueDates: []policy.Date{policy.NewDate(2023, 6, 30)},
	}
	pay := h.on(enfToday, UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_302_700, PaidOn: paid, Reason: "扣划存款", Actor: judge})
	res := h.run(enfInput(applied, title))
	require.NoError(t, pay.err)
	require.Equal(t, StageCompleted, res.Stage)
	require.Equal(t, applied, h.summary.OpenedOn)
	require.Equal(t, paid, h.summary.ClosedOn)
	require.Equal(t, 21, policy.DaysBetween(h.summary.OpenedOn, h.summary.ClosedOn), "days to close count from the legal dates")
	require.Equal(t, []policy.Date{applied}, h.stepOn(enforcementStream, "enforcement_filed"))
	require.Equal(t, []policy.Date{paid}, h.stepOn(enforcementStream, "enforcement_payment_recorded"))
	require.Equal(t, []policy.Date{paid}, h.stepOn(enforcementStream, "enforcement_completed"))
	for _, n := range h.sent(enforcementStream) {
		require.Equal(t, enfToday, n.On, "%s is sent on entry", n.Kind)
	}
}

// TestStandstill: the applicant agrees to a month without freezing
// (暂缓执行): the freeze is suspended, no new measure is ordered, a payment
// is still credited, and when the month ends the freeze resumes (or, had
// the standstill said so, is lifted). Bad standstills are refused.
func TestStandstill(t *testing.T) {
	for _, onEnd := range []string{StandstillResume, StandstillLift} {
		t.Run(onEnd, func(t *testing.T) {
			h := newEnfHarness(t, enfStart)
			until := enfToday.AddDays(31)
			h.on(enfToday, UpdateOrderMeasure, MeasureCommand{Kind: MeasureFreeze, AssetKind: policy.AssetBankDeposit, Description: "某银行账户", Actor: judge})
			held := h.on(enfToday.AddDays(1), UpdateStandstill, StandstillCommand{Until: until, Reason: "申请执行人同意暂缓一个月", AgreedBy: []string{"zhang-san"}, OnEnd: onEnd, Actor: judge})
			order := h.on(enfToday.AddDays(2), UpdateOrderMeasure, MeasureCommand{Kind: MeasureConsumptionRestriction, Actor: judge})
			part := h.on(enfToday.AddDays(3), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 300_000, PaidOn: enfToday.AddDays(3), Actor: judge})
			probe := h.on(until.AddDays(1), UpdateRecordInquiry, InquiryCommand{Found: false, Note: "期满后查控", Actor: judge})
			after := h.on(until.AddDays(2), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_002_700, PaidOn: until.AddDays(2), Actor: judge})
			res := h.run(enfInput(enfToday, judgmentTitle()))
			require.NoError(t, held.err)
			require.Equal(t, StageStandstill, held.view.Stage)
			require.Equal(t, MeasureSuspended, held.view.Measures[0].Status)
			requireEnfRejected(t, order, RejectConflict)
			require.NoError(t, part.err)
			require.Equal(t, int64(300_000), part.view.CollectedFen)
			require.NoError(t, after.err)
			require.Equal(t, StageCompleted, res.Stage)
			require.Equal(t, []policy.Date{until.AddDays(1)}, h.stepOn(enforcementStream, "standstill_ended"), "ends when its last day ends")
			want := MeasureActive
			if onEnd == StandstillLift {
				want = MeasureLifted
			}
			// After the standstill, the freeze stood as it said.
			require.NoError(t, probe.err)
			require.Equal(t, StageEnforcing, probe.view.Stage)
			require.Equal(t, want, probe.view.Measures[0].Status)
			require.Equal(t, until.AddDays(1), probe.view.Standstills[0].EndedOn)
			require.Contains(t, noticeKinds(h.sent(enforcementStream)), NoticeStandstill)
		})
	}

	bad := []struct {
		name string
		cmd  StandstillCommand
		kind string
	}{
		{"TooLong", StandstillCommand{Until: enfToday.AddDays(100), Reason: "x", AgreedBy: []string{"zhang-san"}, OnEnd: StandstillResume, Actor: judge}, RejectInvalid},
		{"NotAgreed", StandstillCommand{Until: enfToday.AddDays(20), Reason: "x", OnEnd: StandstillResume, Actor: judge}, RejectInvalid},
		{"Stranger", StandstillCommand{Until: enfToday.AddDays(20), Reason: "x", AgreedBy: []string{"zhang-san", "li-si"}, OnEnd: StandstillResume, Actor: judge}, RejectInvalid},
		{"Past", StandstillCommand{Until: enfToday, Reason: "x", AgreedBy: []string{"zhang-san"}, OnEnd: StandstillResume, Actor: judge}, RejectInvalid},
		{"NoReason", StandstillCommand{Until: enfToday.AddDays(20), AgreedBy: []string{"zhang-san"}, OnEnd: StandstillResume, Actor: judge}, RejectInvalid},
		{"BadEnd", StandstillCommand{Until: enfToday.AddDays(20), Reason: "x", AgreedBy: []string{"zhang-san"}, OnEnd: "forget", Actor: judge}, RejectInvalid},
		{"Mediator", StandstillCommand{Until: enfToday.AddDays(20), Reason: "x", AgreedBy: []string{"zhang-san"}, OnEnd: StandstillResume, Actor: mediator}, RejectForbidden},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnfHarness(t, enfStart)
			u := h.on(enfToday, UpdateStandstill, tc.cmd)
			h.on(enfToday.AddDays(1), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_302_700, PaidOn: enfToday.AddDays(1), Actor: judge})
			h.run(enfInput(enfToday, judgmentTitle()))
			requireEnfRejected(t, u, tc.kind)
			require.NotContains(t, h.kinds(enforcementStream), "standstill_granted")
		})
	}
}

// TestFollowUpAfterEnforcedCompletion: an enforcement completed (执行完毕)
// is followed up at the policy's offsets from its closing day, like a
// performed case; the case stays open to the visits (in the ledger as due
// and done) and closes its run once both are recorded.
func TestFollowUpAfterEnforcedCompletion(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	h.noVisits = true
	paidOn := enfToday.AddDays(2)
	h.on(paidOn, UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_302_700, PaidOn: paidOn, Actor: judge})
	first, second := h.deadline(paidOn, policy.Days(30)), h.deadline(paidOn, policy.Days(90))
	early := h.on(first.AddDays(-1), UpdateRecordEnforcementVisit, FollowUpCommand{Holds: true, Actor: judge})
	v1 := h.on(first, UpdateRecordEnforcementVisit, FollowUpCommand{Holds: true, Note: "回访：已履行完毕", Actor: judge})
	byMediator := h.on(second, UpdateRecordEnforcementVisit, FollowUpCommand{Holds: true, Actor: mediator})
	v2 := h.on(second.AddDays(1), UpdateRecordEnforcementVisit, FollowUpCommand{Holds: false, Note: "回访：双方又生新纠纷", Actor: judge})
	res := h.run(enfInput(enfToday, judgmentTitle()))
	require.Equal(t, StageCompleted, res.Stage)
	requireEnfRejected(t, early, RejectConflict)
	require.NoError(t, v1.err)
	requireEnfRejected(t, byMediator, RejectForbidden)
	require.NoError(t, v2.err)
	require.Equal(t, []FollowUp{{No: 1, DueOn: first}, {No: 2, DueOn: second}}, []FollowUp{
		{No: v2.view.FollowUps[0].No, DueOn: v2.view.FollowUps[0].DueOn}, {No: v2.view.FollowUps[1].No, DueOn: v2.view.FollowUps[1].DueOn}})
	require.Equal(t, []policy.Date{first, second}, h.stepOn(enforcementStream, "follow_up_due"))
	require.Equal(t, 2, h.summary.FollowUpsDue)
	require.Equal(t, 2, h.summary.FollowUpsDone)
	require.Equal(t, casefile.StatusClosed, h.summary.Status, "closed on completion, visits or not")
	require.Equal(t, paidOn, h.summary.ClosedOn)
}
