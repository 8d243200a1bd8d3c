package workflows

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/casework/casework/activities"
	allot "github.com/casework/casework/allocation"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

var (
	wageDebtor   = casefile.Actor{Subject: "xx-labour-contractor", Role: casefile.RoleParty}
	wageMediator = casefile.Actor{Subject: "mediator-wang", Role: casefile.RoleMediator}
)

// wageHarness runs one wage case under the SDK's test environment with
// time skipping and the real policy registry; read-model writes and the
// notice outbox are captured instead of stored.
type wageHarness struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	reg     *policy.Registry
	start   time.Time
	events  []casefile.Event
	sum     *casefile.Summary
	notices []activities.NoticeInput
	records []activities.RecordWageInput
	// paid is the per-creditor ledger as the read model would hold it.
	paid    map[string]int64
	updates int
	// measure, when set, is shown the input of every recording activity.
	measure func(in any)
	// lines is the creditor ledger as the read model holds it, by position.
	lines []db.WageCreditor
	// list is the staged creditor list of a case whose creditors travel
	// by reference, allocated what the store kept of each payment, and
	// plans the installment ledgers it wrote.
	list      []db.WageListCreditor
	allocated map[int]db.WageAllocation
	plans     []db.Plan
	// ledgers are the installment ledgers as the plans read model holds
	// them after every write, whichever activity carried it; planWrites
	// are those writes, in order.
	ledgers    planStore
	planWrites []db.Plan
	// legacy runs the case with its creditors in the input.
	legacy bool
}

// recordWrite keeps a ledger write of a case by reference as a legacy
// write would have carried it: the installment ledger and the creditor
// lines changed since the last write, for the tests that read the ledger
// after each write.
func (h *wageHarness) recordWrite(plan db.Plan, version int) {
	last := 0
	if n := len(h.records); n > 0 {
		last = h.records[n-1].Ledger.Version
	}
	w := db.WageLedger{CaseID: plan.CaseID, Version: version, Plan: plan}
	for _, l := range h.lines {
		if l.Version > last || last == 0 {
			w.Creditors = append(w.Creditors, l)
		}
	}
	h.records = append(h.records, activities.RecordWageInput{Ledger: w})
}

// writePlan keeps an installment ledger write at version as the store
// does (db.RecordWage and db.ApplyWagePayments write it at the ledger's
// version).
func (h *wageHarness) writePlan(p db.Plan, version int) {
	p.Version = version
	h.planWrites = append(h.planWrites, p)
	h.ledgers.record(p)
}

// byRef stages in's creditors in the harness's store and returns in with
// them by reference, as the API starts a case.
func (h *wageHarness) byRef(in WageInput) WageInput {
	h.list = nil
	for _, c := range in.Creditors {
		h.list = append(h.list, db.WageListCreditor{ID: c.ID, Name: c.Name, OwedFen: c.OwedFen, Hardship: c.Hardship})
	}
	ref := db.WageList{ID: db.WageListID(h.list), Creditors: len(h.list)}
	for _, c := range h.list {
		ref.OwedFen += c.OwedFen
		if c.Hardship {
			ref.Hardship++
		}
	}
	in.Creditors, in.CreditorList = nil, &ref
	return in
}

func newWageHarness(t *testing.T, start time.Time) *wageHarness {
	t.Helper()
	reg, err := policy.Default()
	require.NoError(t, err)
	var ts testsuite.WorkflowTestSuite
	h := &wageHarness{t: t, env: ts.NewTestWorkflowEnvironment(), reg: reg, start: start, paid: map[string]int64{}, ledgers: planStore{}}
	h.env.SetStartTime(start)
	h.env.RegisterWorkflow(NoticeDelivery)
	h.env.RegisterActivity(&activities.Policies{Registry: reg})
	rec := &activities.Recorder{}
	h.env.RegisterActivity(rec)
	h.env.OnActivity(rec.RecordSteps, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordStepsInput) error {
			if h.measure != nil {
				h.measure(in)
			}
			require.NotNil(t, in.Summary, "the wage case owns its summary")
			for _, e := range in.Events {
				require.Equal(t, wageStream, e.Stream)
				require.Equal(t, len(h.events)+1, e.Seq, "steps are recorded in order, once")
				h.events = append(h.events, e)
			}
			if len(in.Summary.Parties) == 0 && h.sum != nil {
				// The store keeps the parties a summary leaves out.
				in.Summary.Parties = h.sum.Parties
			}
			if o := in.WageOpening; o != nil {
				// The creditor ledger opens with the first steps, and the
				// store names the creditors among the parties.
				require.Equal(t, db.WageListID(h.list), o.List.ID, "the case refers to the staged list")
				if len(h.lines) == 0 {
					parties := slices.Clone(in.Summary.Parties)
					for i, c := range h.list {
						h.lines = append(h.lines, db.WageCreditor{CaseID: in.Summary.ID, CreditorID: c.ID, No: i + 1, Name: c.Name,
							OwedFen: c.OwedFen, Hardship: c.Hardship, Version: o.Version})
						h.paid[c.ID] = 0
						parties = append(parties, c.ID)
					}
					in.Summary.Parties = parties
				}
			}
			h.sum = in.Summary
			if in.Plan != nil {
				// The installment ledger, written with the steps.
				h.plans = append(h.plans, *in.Plan)
				h.recordWrite(*in.Plan, in.Plan.Version)
				h.writePlan(*in.Plan, in.Plan.Version)
			}
			return nil
		})
	h.env.OnActivity(rec.RecordWage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordWageInput) error {
			if h.measure != nil {
				h.measure(in)
			}
			if n := len(h.records); n > 0 {
				require.GreaterOrEqual(t, in.Ledger.Version, h.records[n-1].Ledger.Version, "ledger versions never go back (a large write comes in parts of one version)")
			}
			h.records = append(h.records, in)
			h.writePlan(in.Ledger.Plan, in.Ledger.Version)
			for _, c := range in.Ledger.Creditors {
				h.paid[c.CreditorID] = c.PaidFen
				for len(h.lines) < c.No {
					h.lines = append(h.lines, db.WageCreditor{})
				}
				c.Version = in.Ledger.Version
				h.lines[c.No-1] = c
			}
			return nil
		})
	// ApplyWagePayments allocates as the store does, against the lines
	// written so far.
	h.env.OnActivity(rec.ApplyWagePayments, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApplyWagePaymentsInput) (activities.ApplyWagePaymentsResult, error) {
			if h.measure != nil {
				h.measure(in)
			}
			// The write is kept as the lines it changed, as the store holds
			// them, for the tests that read the ledger after each write.
			written := db.WageLedger{CaseID: in.CaseID, Version: in.Version, Plan: in.Plan}
			h.writePlan(in.Plan, in.Version)
			defer func() {
				for _, l := range h.lines {
					if l.Version == in.Version {
						written.Creditors = append(written.Creditors, l)
					}
				}
				h.records = append(h.records, activities.RecordWageInput{Ledger: written})
			}()
			applied := 0
			for _, l := range h.lines {
				applied = max(applied, l.Version)
			}
			var out activities.ApplyWagePaymentsResult
			for _, p := range in.Payments {
				if p.Version <= applied {
					out.Applied = append(out.Applied, db.WagePaymentApplied{No: p.No, Skipped: true})
					continue
				}
				claims := make([]allot.Claim, len(h.lines))
				for i, l := range h.lines {
					claims[i] = allot.Claim{OwedFen: l.OwedFen - l.PaidFen, Hardship: l.Hardship}
				}
				parts, _, err := allot.Allocate(p.Rule, p.AmountFen, claims)
				require.NoError(t, err)
				a := db.WagePaymentApplied{No: p.No}
				for i, part := range parts {
					if part > 0 {
						h.lines[i].PaidFen += part
						h.lines[i].Version = in.Version
						h.paid[h.lines[i].CreditorID] = h.lines[i].PaidFen
						a.CreditedFen += part
						a.Creditors++
					}
				}
				out.Applied = append(out.Applied, a)
			}
			return out, nil
		})
	// By reference: the ledger opens from the staged list, and each
	// payment is allocated against it once, as the store does.
	h.allocated = map[int]db.WageAllocation{}
	h.env.OnActivity(rec.AllocateWagePayment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.AllocateWagePaymentInput) (db.WageAllocation, error) {
			if h.measure != nil {
				h.measure(in)
			}
			if a, ok := h.allocated[in.Payment.No]; ok {
				return a, nil
			}
			claims := make([]allot.Claim, len(h.lines))
			for i, l := range h.lines {
				claims[i] = allot.Claim{OwedFen: l.OwedFen - l.PaidFen, Hardship: l.Hardship}
			}
			parts, _, err := allot.Allocate(in.Payment.Rule, in.Payment.AmountFen, claims)
			require.NoError(t, err)
			a := db.WageAllocation{No: in.Payment.No}
			for i, part := range parts {
				if part > 0 {
					h.lines[i].PaidFen += part
					h.lines[i].Version = in.Payment.Version
					h.paid[h.lines[i].CreditorID] = h.lines[i].PaidFen
					a.CreditedFen += part
					a.Creditors++
					if h.lines[i].Hardship {
						a.HardshipFen += part
					}
				}
			}
			h.allocated[a.No] = a
			return a, nil
		})
	h.env.OnActivity(rec.RecordPlan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordPlanInput) error {
			if h.measure != nil {
				h.measure(in)
			}
			h.plans = append(h.plans, in.Plan)
			h.recordWrite(in.Plan, in.Plan.Version)
			h.writePlan(in.Plan, in.Plan.Version)
			return nil
		})
	n := &activities.Notifier{}
	h.env.RegisterActivity(n)
	h.env.OnActivity(n.EnqueueNotice, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NoticeInput) (int64, error) {
			for _, o := range h.notices {
				require.False(t, o.Kind == in.Kind && o.Installment == in.Installment && o.Seq == in.Seq, "notice %s/%d/%d enqueued twice", in.Kind, in.Installment, in.Seq)
			}
			h.notices = append(h.notices, in)
			return int64(len(h.notices)), nil
		})
	h.env.OnActivity(n.DeliverNotice, mock.Anything, mock.Anything).Return(nil)
	return h
}

func wageInput(creditors []WageCreditor, schedule []Installment, rule string, accelerate bool) WageInput {
	return WageInput{
		CaseID: "w1", CaseNumber: "（2026）黔2301民特1号", Court: "兴义市人民法院", Jurisdiction: "CN",
		Mediator: wageMediator.Subject, Debtor: WageParty{ID: wageDebtor.Subject, Name: "某劳务公司"},
		Creditors: creditors, Schedule: schedule, Allocation: rule, Acceleration: accelerate, OpenedBy: judge,
	}
}

// run runs the case to its end, or until the test environment's clock
// has nothing left to do (an enforceable case waits for payment).
// run runs a case as the API opens it now, its creditors by reference;
// with legacy set, with the creditors in its input, as cases opened
// before that still run.
func (h *wageHarness) run(in WageInput) WageResult {
	if !h.legacy && in.CreditorList == nil {
		in = h.byRef(in)
	}
	h.env.ExecuteWorkflow(Wage, in)
	require.True(h.t, h.env.IsWorkflowCompleted())
	require.NoError(h.t, h.env.GetWorkflowError())
	var res WageResult
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res
}

type wageUpdate struct {
	view WageView
	err  error
}

// on sends a command at noon (case time) of the legal date d.
func (h *wageHarness) on(d policy.Date, name string, cmd any) *wageUpdate {
	return h.at(d.Start().Add(12*time.Hour).Sub(h.start), name, cmd)
}

// at sends a command once delay has passed.
func (h *wageHarness) at(delay time.Duration, name string, cmd any) *wageUpdate {
	r := &wageUpdate{}
	h.updates++
	id := fmt.Sprintf("%s-%d", name, h.updates)
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { r.err = err },
			OnComplete: func(v any, err error) {
				if err != nil {
					r.err = err
					return
				}
				r.view = v.(WageView)
			},
		}, cmd)
	}, delay)
	return r
}

func (h *wageHarness) pay(d policy.Date, fen int64) *wageUpdate {
	return h.on(d, UpdateRecordWagePayment, WagePaymentCommand{AmountFen: fen, PaidOn: d, Actor: judge})
}

func (h *wageHarness) count(kind string) int {
	n := 0
	for _, e := range h.events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func (h *wageHarness) event(kind string) casefile.Event {
	for _, e := range h.events {
		if e.Kind == kind {
			return e
		}
	}
	var kinds []string
	for _, e := range h.events {
		kinds = append(kinds, e.Kind)
	}
	h.t.Fatalf("no %s step in %v", kind, kinds)
	return casefile.Event{}
}

// deadline counts a period the way the workflow's policy does.
func (h *wageHarness) deadline(from policy.Date, p policy.Period) policy.Date {
	cal, err := h.reg.Calendar("CN")
	require.NoError(h.t, err)
	return cal.Deadline(from, p)
}

func (h *wageHarness) requirePaid(want map[string]int64) {
	h.t.Helper()
	for id, fen := range want {
		require.Equal(h.t, fen, h.paid[id], "creditor %s: got %d fen paid, want %d", id, h.paid[id], fen)
	}
}

func creditors(owed ...int64) []WageCreditor {
	out := make([]WageCreditor, len(owed))
	for i, o := range owed {
		out[i] = WageCreditor{ID: fmt.Sprintf("worker-%03d", i+1), Name: fmt.Sprintf("工人%d", i+1), OwedFen: o}
	}
	return out
}

// wageStart is 09:00 on Monday 2 March 2026, case time.
var wageStart = time.Date(2026, 3, 2, 9, 0, 0, 0, policy.CST)

func wageDay(n int) policy.Date { return policy.DateOf(wageStart).AddDays(n) }

// TestWageProRataExactAllocation runs for a case opened now, its creditors by
// reference, and for one whose creditors are in its input.
func TestWageProRataExactAllocation(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) { wageProRataExact(t, legacy) })
	}
}

func wageProRataExact(t *testing.T, legacy bool) {
	h := newWageHarness(t, wageStart)
	h.legacy = legacy
	first := h.pay(wageDay(1), 100)
	rest := h.pay(wageDay(2), 250)
	res := h.run(wageInput(creditors(100, 100, 100), []Installment{{DueOn: wageDay(30), AmountFen: 300}}, allot.ProRata, false))

	require.NoError(t, first.err)
	require.Equal(t, &WagePayment{No: 1, AmountFen: 100, CreditedFen: 100, Creditors: 3}, first.view.LastPayment)
	require.NoError(t, rest.err)
	require.Equal(t, int64(50), rest.view.LastPayment.OverpaidFen, "got overpayment %d, want 50", rest.view.LastPayment.OverpaidFen)
	h.requirePaid(map[string]int64{"worker-001": 100, "worker-002": 100, "worker-003": 100})
	require.Equal(t, WageResult{Stage: WagePerformed, Outcome: "paid_in_full", PaidFen: 300, OverpaidFen: 50}, res)
	require.Equal(t, casefile.PerformedAutomatically, h.sum.Performance)
	require.Equal(t, casefile.Resolved, h.sum.Resolution)
	require.Equal(t, []string{wageDebtor.Subject, "worker-001", "worker-002", "worker-003"}, h.sum.Parties)
	// After the first payment the ledger held 34/33/33.
	var afterFirst map[string]int64
	for _, r := range h.records {
		if r.Ledger.Plan.PaidFen == 100 {
			afterFirst = map[string]int64{}
			for _, c := range r.Ledger.Creditors {
				afterFirst[c.CreditorID] = c.PaidFen
			}
		}
	}
	require.Equal(t, map[string]int64{"worker-001": 34, "worker-002": 33, "worker-003": 33}, afterFirst)
	require.Equal(t, 1, h.count("overpayment_recorded"))
}

// TestWageHardshipFirst runs for a case opened now, its creditors by
// reference, and for one whose creditors are in its input.
func TestWageHardshipFirst(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) { wageHardshipFirst(t, legacy) })
	}
}

func wageHardshipFirst(t *testing.T, legacy bool) {
	// The factory of the seeds pays the 13 neediest of its 20 workers first.
	cs := creditors(300_000, 300_000, 300_000, 300_000, 300_000, 300_000, 300_000, 300_000, 300_000, 300_000,
		300_000, 300_000, 300_000, 300_000, 300_000, 300_000, 300_000, 300_000, 300_000, 300_000)
	want := map[string]int64{}
	for i := range cs {
		cs[i].Hardship = i%3 != 0
		if cs[i].Hardship {
			want[cs[i].ID] = 300_000
		} else {
			want[cs[i].ID] = 0
		}
	}
	require.Len(t, want, 20)
	h := newWageHarness(t, wageStart)
	h.legacy = legacy
	first := h.pay(wageDay(3), 13*300_000)
	rest := h.pay(wageDay(5), 7*300_000)
	res := h.run(wageInput(cs, []Installment{{DueOn: wageDay(20), AmountFen: 6_000_000}}, allot.HardshipFirst, false))

	require.NoError(t, first.err)
	require.Equal(t, int64(13*300_000), first.view.LastPayment.HardshipFen)
	require.Equal(t, 13, first.view.LastPayment.Creditors)
	require.Equal(t, 13, first.view.HardshipCreditors)
	// The first write after the payment paid exactly the 13.
	var afterFirst map[string]int64
	for _, r := range h.records {
		if r.Ledger.Plan.PaidFen == 13*300_000 {
			afterFirst = map[string]int64{}
			for _, c := range h.records[0].Ledger.Creditors {
				afterFirst[c.CreditorID] = 0
			}
			for _, c := range r.Ledger.Creditors {
				afterFirst[c.CreditorID] = c.PaidFen
			}
		}
	}
	require.Equal(t, want, afterFirst)
	require.NoError(t, rest.err)
	require.Equal(t, 7, rest.view.LastPayment.Creditors)
	require.Equal(t, WagePerformed, res.Stage)
	for _, c := range cs {
		require.Equal(t, int64(300_000), h.paid[c.ID], "creditor %s: got %d, want paid in full", c.ID, h.paid[c.ID])
	}
}

// TestWageDefaultEscalation: a partial payment, then a default; each
// escalation step on its policy date exactly once, the payment order, no
// objection, an enforceable case, then payment in full.
func TestWageDefaultEscalation(t *testing.T) {
	h := newWageHarness(t, wageStart)
	due1, due2 := wageDay(10), wageDay(100)
	cs := creditors(50_000, 30_000, 20_000)
	schedule := []Installment{{DueOn: due1, AmountFen: 40_000}, {DueOn: due2, AmountFen: 60_000}}
	pol, err := h.reg.Policy("CN")
	require.NoError(t, err)
	grace := h.deadline(due1, pol.Performance.Grace)
	var dues []policy.Date
	for _, st := range pol.Wage.Escalation {
		d := grace
		if !st.After.IsZero() {
			d = h.deadline(grace, st.After)
		}
		dues = append(dues, d)
	}
	issued := dues[len(dues)-1].AddDays(1)
	objectionBy := h.deadline(issued, pol.PaymentOrder.ObjectionPeriod)

	partial := h.pay(wageDay(5), 10_000)
	early := h.on(wageDay(6), UpdateObjectPaymentOrder, ObjectionCommand{Reason: "异议", Actor: wageDebtor})
	full := h.pay(objectionBy.AddDays(3), 90_000)
	res := h.run(wageInput(cs, schedule, allot.ProRata, false))

	require.NoError(t, partial.err)
	require.Equal(t, int64(10_000), partial.view.PaidFen)
	require.Error(t, early.err, "no payment order yet")
	requireWageRejected(t, early.err, RejectConflict)

	require.Equal(t, 1, h.count("installment_defaulted"))
	require.WithinDuration(t, grace.End(), h.event("installment_defaulted").CaseAt, 0)
	for k, st := range pol.Wage.Escalation {
		kind := "escalation_" + st.Kind
		require.Equal(t, 1, h.count(kind), "got %d %s steps, want 1", h.count(kind), kind)
		require.WithinDuration(t, dues[k].End(), h.event(kind).CaseAt, 0, "%s: got %s, want %s", kind, h.event(kind).CaseAt, dues[k].End())
	}
	require.Equal(t, 1, h.count("payment_order_enforceable"))
	require.WithinDuration(t, objectionBy.End(), h.event("payment_order_enforceable").CaseAt, 0)
	require.Zero(t, h.count("acceleration_applied"))

	require.NoError(t, full.err)
	po := full.view.PaymentOrder
	require.NotNil(t, po)
	// Without acceleration the order demands what had fallen due: the
	// rest of installment 1.
	require.Equal(t, PaymentOrder{IssuedOn: issued, AmountFen: 30_000, ObjectionBy: objectionBy, EnforceableOn: objectionBy.AddDays(1)}, *po)
	require.Equal(t, WageResult{Stage: WagePerformed, Outcome: "paid_in_full", PaidFen: 100_000}, res)
	require.Equal(t, casefile.PerformedByEnforcement, h.sum.Performance)
	h.requirePaid(map[string]int64{"worker-001": 50_000, "worker-002": 30_000, "worker-003": 20_000})

	var kinds []string
	for _, n := range h.notices {
		kinds = append(kinds, n.Kind)
	}
	require.Equal(t, []string{NoticeWage, NoticeReminder, NoticeReminder,
		policy.EscalateNotice, policy.EscalateLabourInspection, policy.EscalateGuaranteeDrawdown,
		policy.EscalateBlacklist, policy.EscalatePaymentOrder, NoticeEnforceable}, kinds)
	require.Equal(t, "labour-inspection/CN", h.notices[4].Recipient)
	require.Equal(t, dues[1].AddDays(1), h.notices[4].CaseOn, "a notice is dated like its step")
}

func requireWageRejected(t *testing.T, err error, want string) {
	t.Helper()
	kind, _, ok := Rejection(err)
	require.True(t, ok, "got %v, want a rejection", err)
	require.Equal(t, want, kind, "got rejection %s, want %s", kind, want)
}

// defaultSchedule is two installments, the second far enough out that a
// payment order on the first is issued before it falls due.
func (h *wageHarness) defaultDates(due policy.Date) (grace, issued, objectionBy policy.Date) {
	pol, err := h.reg.Policy("CN")
	require.NoError(h.t, err)
	grace = h.deadline(due, pol.Performance.Grace)
	last := pol.Wage.Escalation[len(pol.Wage.Escalation)-1]
	require.Equal(h.t, policy.EscalatePaymentOrder, last.Kind)
	issued = h.deadline(grace, last.After).AddDays(1)
	return grace, issued, h.deadline(issued, pol.PaymentOrder.ObjectionPeriod)
}

func TestWageObjectionGoesToLitigation(t *testing.T) {
	h := newWageHarness(t, wageStart)
	_, issued, objectionBy := h.defaultDates(wageDay(10))
	byCreditor := h.on(issued, UpdateObjectPaymentOrder, ObjectionCommand{Reason: "不服", Actor: casefile.Actor{Subject: "worker-001", Role: casefile.RoleParty}})
	noReason := h.on(issued, UpdateObjectPaymentOrder, ObjectionCommand{Actor: wageDebtor})
	objected := h.on(objectionBy, UpdateObjectPaymentOrder, ObjectionCommand{Reason: "工程款未结算，对欠薪数额有异议", Actor: wageDebtor})
	res := h.run(wageInput(creditors(60_000, 40_000), []Installment{{DueOn: wageDay(10), AmountFen: 100_000}}, allot.ProRata, false))

	requireWageRejected(t, byCreditor.err, RejectForbidden)
	requireWageRejected(t, noReason.err, RejectInvalid)
	require.NoError(t, objected.err)
	require.Equal(t, objectionBy, objected.view.PaymentOrder.ObjectedOn)
	require.Equal(t, WageResult{Stage: WageLitigation, Outcome: "payment_order_objected"}, res)
	require.Equal(t, 1, h.count("payment_order_objected"))
	require.Equal(t, 1, h.count("referred_to_litigation"))
	require.Zero(t, h.count("payment_order_enforceable"))
	require.Equal(t, casefile.Unresolved, h.sum.Resolution)
	require.Equal(t, casefile.StatusClosed, h.sum.Status)
}

func TestWageLateObjectionRefused(t *testing.T) {
	h := newWageHarness(t, wageStart)
	_, _, objectionBy := h.defaultDates(wageDay(10))
	late := h.on(objectionBy.AddDays(1), UpdateObjectPaymentOrder, ObjectionCommand{Reason: "逾期异议", Actor: wageDebtor})
	h.pay(objectionBy.AddDays(2), 100_000)
	res := h.run(wageInput(creditors(60_000, 40_000), []Installment{{DueOn: wageDay(10), AmountFen: 100_000}}, allot.ProRata, false))
	requireWageRejected(t, late.err, RejectConflict)
	require.Equal(t, WagePerformed, res.Stage)
	require.Equal(t, 1, h.count("payment_order_enforceable"))
}

func TestWageAcceleration(t *testing.T) {
	tests := []struct {
		accelerate bool
		wantOrder  int64
		wantSteps  int
		wantState  string
	}{
		{false, 25_000, 0, InstallmentScheduled},
		{true, 85_000, 1, InstallmentAccelerated},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("acceleration=%v", tt.accelerate), func(t *testing.T) {
			h := newWageHarness(t, wageStart)
			_, issued, _ := h.defaultDates(wageDay(10))
			h.pay(wageDay(2), 15_000)
			at := h.on(issued, UpdateObjectPaymentOrder, ObjectionCommand{Reason: "异议", Actor: wageDebtor})
			h.run(wageInput(creditors(50_000, 50_000),
				[]Installment{{DueOn: wageDay(10), AmountFen: 40_000}, {DueOn: wageDay(200), AmountFen: 60_000}}, allot.ProRata, tt.accelerate))
			require.NoError(t, at.err)
			require.Equal(t, tt.wantOrder, at.view.PaymentOrder.AmountFen, "got payment order for %d, want %d", at.view.PaymentOrder.AmountFen, tt.wantOrder)
			require.Equal(t, tt.wantSteps, h.count("acceleration_applied"))
			require.Equal(t, tt.wantState, at.view.Installments[1].State)
			require.Equal(t, InstallmentDefaulted, at.view.Installments[0].State)
		})
	}
}

func TestWagePaidInFullStopsEscalation(t *testing.T) {
	h := newWageHarness(t, wageStart)
	grace, _, _ := h.defaultDates(wageDay(10))
	paid := h.pay(grace.AddDays(5), 100_000)
	res := h.run(wageInput(creditors(60_000, 40_000), []Installment{{DueOn: wageDay(10), AmountFen: 100_000}}, allot.ProRata, false))
	require.NoError(t, paid.err)
	require.Equal(t, WagePerformed, res.Stage)
	require.Equal(t, 1, h.count("escalation_"+policy.EscalateNotice))
	require.Equal(t, 1, h.count("escalation_"+policy.EscalateLabourInspection))
	for _, k := range []string{policy.EscalateGuaranteeDrawdown, policy.EscalateBlacklist, policy.EscalatePaymentOrder} {
		require.Zero(t, h.count("escalation_"+k), "got a %s step after payment in full", k)
	}
	var skipped []string
	for _, e := range paid.view.Escalation {
		if e.Skipped {
			skipped = append(skipped, e.Kind)
		}
	}
	require.Equal(t, []string{policy.EscalateGuaranteeDrawdown, policy.EscalateBlacklist, policy.EscalatePaymentOrder}, skipped)
	// Paid before any payment order: performance counts as automatic.
	require.Equal(t, casefile.PerformedAutomatically, h.sum.Performance)
}

// TestWageSeedCase is the seeds' case: 400 villagers owed 278,300 yuan in
// three installments, nothing paid, default and escalation, then paid in
// full once the payment order was enforceable.
// TestWageSeedCase runs for a case opened now, its creditors by
// reference, and for one whose creditors are in its input.
func TestWageSeedCase(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) { wageSeedCase(t, legacy) })
	}
}

func wageSeedCase(t *testing.T, legacy bool) {
	cs := make([]WageCreditor, 400)
	var total int64
	for i := range cs {
		cs[i] = WageCreditor{ID: fmt.Sprintf("villager-%03d", i+1), Name: fmt.Sprintf("村民%d", i+1), OwedFen: 69_575 + int64(i%5-2)*100, Hardship: i%10 == 0}
		total += cs[i].OwedFen
	}
	require.Equal(t, int64(27_830_000), total)
	h := newWageHarness(t, wageStart)
	h.legacy = legacy
	_, _, objectionBy := h.defaultDates(wageDay(10))
	full := h.pay(objectionBy.AddDays(10), 27_830_000)
	res := h.run(wageInput(cs, []Installment{
		{DueOn: wageDay(10), AmountFen: 9_276_666}, {DueOn: wageDay(40), AmountFen: 9_276_667}, {DueOn: wageDay(70), AmountFen: 9_276_667},
	}, allot.HardshipFirst, false))
	require.NoError(t, full.err)
	require.Equal(t, WageResult{Stage: WagePerformed, Outcome: "paid_in_full", PaidFen: 27_830_000}, res)
	require.Len(t, h.paid, 400)
	var sum int64
	for _, c := range cs {
		require.Equal(t, c.OwedFen, h.paid[c.ID], "creditor %s: got %d, want %d", c.ID, h.paid[c.ID], c.OwedFen)
		sum += h.paid[c.ID]
	}
	require.Equal(t, int64(27_830_000), sum)
	require.Equal(t, 400, full.view.LastPayment.Creditors)
	require.Len(t, h.sum.Parties, 401)
	require.Equal(t, casefile.PerformedByEnforcement, h.sum.Performance)
	// Only the opening write and the payment carry creditor lines: the
	// other steps write the installment ledger alone.
	withCreditors := 0
	for _, r := range h.records {
		if len(r.Ledger.Creditors) > 0 {
			withCreditors++
			require.Len(t, r.Ledger.Creditors, 400)
		}
	}
	require.Equal(t, 2, withCreditors)
	for _, e := range h.events {
		require.Less(t, len(e.Data), 4096, "step %s carries %d bytes: per-creditor detail belongs in the ledger", e.Kind, len(e.Data))
	}
}

func TestWageCommandsRefused(t *testing.T) {
	h := newWageHarness(t, wageStart)
	tests := []struct {
		name string
		cmd  WagePaymentCommand
		want string
	}{
		{"zero payment", WagePaymentCommand{AmountFen: 0, PaidOn: wageDay(1), Actor: judge}, RejectInvalid},
		{"negative payment", WagePaymentCommand{AmountFen: -5, PaidOn: wageDay(1), Actor: judge}, RejectInvalid},
		{"future date", WagePaymentCommand{AmountFen: 5, PaidOn: wageDay(9), Actor: judge}, RejectInvalid},
		{"before the case", WagePaymentCommand{AmountFen: 5, PaidOn: wageDay(-1), Actor: judge}, RejectInvalid},
		{"no date", WagePaymentCommand{AmountFen: 5, Actor: judge}, RejectInvalid},
		{"a creditor", WagePaymentCommand{AmountFen: 5, PaidOn: wageDay(1), Actor: casefile.Actor{Subject: "worker-001", Role: casefile.RoleParty}}, RejectForbidden},
		{"another mediator", WagePaymentCommand{AmountFen: 5, PaidOn: wageDay(1), Actor: casefile.Actor{Subject: "mediator-zhao", Role: casefile.RoleMediator}}, RejectForbidden},
		{"an auditor", WagePaymentCommand{AmountFen: 5, PaidOn: wageDay(1), Actor: casefile.Actor{Subject: "auditor-chen", Role: casefile.RoleAuditor}}, RejectForbidden},
	}
	var got []*wageUpdate
	for _, tt := range tests {
		got = append(got, h.on(wageDay(1), UpdateRecordWagePayment, tt.cmd))
	}
	reported := h.on(wageDay(2), UpdateRecordWagePayment, WagePaymentCommand{AmountFen: 100_000, PaidOn: wageDay(2), Actor: wageDebtor})
	byMediator := h.on(wageDay(3), UpdateRecordWagePayment, WagePaymentCommand{AmountFen: 100_000, PaidOn: wageDay(3), Actor: wageMediator})
	h.run(wageInput(creditors(60_000, 40_000), []Installment{{DueOn: wageDay(10), AmountFen: 100_000}}, allot.ProRata, false))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { requireWageRejected(t, got[i].err, tt.want) })
	}
	require.NoError(t, reported.err)
	require.True(t, reported.view.Reported)
	require.Zero(t, reported.view.PaidFen, "a debtor's report is not credited")
	require.NoError(t, byMediator.err)
	require.Equal(t, WagePerformed, byMediator.view.Stage)
	require.Equal(t, 1, h.count("payment_reported"))
	require.Equal(t, 1, h.count("payment_recorded"))
}

func TestValidateWage(t *testing.T) {
	today := wageDay(0)
	good := func() WageInput {
		return wageInput(creditors(60_000, 40_000), []Installment{{DueOn: wageDay(10), AmountFen: 30_000}, {DueOn: wageDay(20), AmountFen: 70_000}}, allot.ProRata, false)
	}
	require.NoError(t, ValidateWage(good(), today))
	tests := []struct {
		name   string
		change func(*WageInput)
	}{
		{"no debtor", func(in *WageInput) { in.Debtor.ID = "" }},
		{"no creditors", func(in *WageInput) { in.Creditors = nil }},
		{"duplicate creditor ids", func(in *WageInput) { in.Creditors[1].ID = in.Creditors[0].ID }},
		{"creditor is the debtor", func(in *WageInput) { in.Creditors[0].ID = in.Debtor.ID }},
		{"creditor without id", func(in *WageInput) { in.Creditors[0].ID = "" }},
		{"zero debt", func(in *WageInput) { in.Creditors[0].OwedFen = 0 }},
		{"negative debt", func(in *WageInput) { in.Creditors[0].OwedFen = -1 }},
		{"debts not summing to the schedule", func(in *WageInput) { in.Creditors[0].OwedFen++ }},
		{"no schedule", func(in *WageInput) { in.Schedule = nil }},
		{"zero installment", func(in *WageInput) { in.Schedule[0].AmountFen = 0 }},
		{"out of order", func(in *WageInput) { in.Schedule[1].DueOn = wageDay(5) }},
		{"due before opening", func(in *WageInput) { in.Schedule[0].DueOn = wageDay(-1) }},
		{"no due date", func(in *WageInput) { in.Schedule[0].DueOn = policy.Date{} }},
		{"unknown allocation", func(in *WageInput) { in.Allocation = "first_come" }},
		{"overflow", func(in *WageInput) { in.Creditors[0].OwedFen, in.Creditors[1].OwedFen = maxFen, maxFen }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good()
			in.Creditors = append([]WageCreditor(nil), in.Creditors...)
			in.Schedule = append([]Installment(nil), in.Schedule...)
			tt.change(&in)
			require.Error(t, ValidateWage(in, today), "got no error, want one")
		})
	}
}

func TestWageStartRefused(t *testing.T) {
	h := newWageHarness(t, wageStart)
	in := wageInput(creditors(60_000, 40_000), []Installment{{DueOn: wageDay(10), AmountFen: 99_999}}, allot.ProRata, false)
	h.env.ExecuteWorkflow(Wage, in)
	require.Error(t, h.env.GetWorkflowError())
	require.Empty(t, h.events, "a refused case records nothing")
}

// TestWageOpenedAfterLedger: the answer to a wage case's start (the
// "opened" update the API sends with it) comes only once the creditor
// ledger is written, every creditor in it, so a read right after the 201
// finds them.
func TestWageOpenedAfterLedger(t *testing.T) {
	h := newWageHarness(t, wageStart)
	var linesAtAnswer = -1
	var answerErr error
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(UpdateOpened, "opened-1", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { answerErr = err },
			OnComplete: func(_ any, err error) {
				answerErr = err
				linesAtAnswer = len(h.lines)
			},
		})
	}, 0)
	h.pay(wageDay(1), 300)
	h.run(wageInput(creditors(100, 100, 100), []Installment{{DueOn: wageDay(30), AmountFen: 300}}, allot.ProRata, false))
	require.NoError(t, answerErr)
	require.Equal(t, 3, linesAtAnswer, "the start is answered once every creditor line is written")
}

// TestWagePaymentRecordedLateCountsByItsDate: the debtor pays the
// installment on the last day of its grace period and the court records it
// two days later, inside the policy's late-recording window. A case opened
// now judges the payment by its date: no default, no escalation, paid in
// full. A case opened before creditors travelled by reference decides the
// default when the grace period ends, as it always did.
func TestWagePaymentRecordedLateCountsByItsDate(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			h := newWageHarness(t, wageStart)
			h.legacy = legacy
			due := wageDay(10)
			pol, err := h.reg.Policy("CN")
			require.NoError(t, err)
			require.False(t, pol.Performance.LateRecording.IsZero(), "the policy has a late-recording window")
			grace := h.deadline(due, pol.Performance.Grace)
			window := h.deadline(grace, pol.Performance.LateRecording)
			recordOn := grace.AddDays(2)
			require.False(t, recordOn.After(window), "recorded within the window")
			late := h.on(recordOn, UpdateRecordWagePayment, WagePaymentCommand{AmountFen: 100_000, PaidOn: grace, Actor: judge})
			res := h.run(wageInput(creditors(60_000, 40_000), []Installment{{DueOn: due, AmountFen: 100_000}}, allot.ProRata, false))
			require.NoError(t, late.err)
			require.Equal(t, WagePerformed, res.Stage)
			if legacy {
				require.Equal(t, 1, h.count("installment_defaulted"), "decided when the grace period ended")
				return
			}
			require.Zero(t, h.count("installment_defaulted"), "paid on time, recorded late: no default")
			require.Zero(t, h.count("escalation_"+policy.EscalateNotice), "no default notice")
			require.Equal(t, casefile.PerformedAutomatically, h.sum.Performance)
			require.Equal(t, window, late.view.Installments[0].DefaultsOn, "the ledger shows when a default would be decided")
		})
	}
}
