package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

var (
	intakeWindow    = casefile.Actor{Subject: "window-sun", Role: casefile.RoleDispatcher}
	intakeCommittee = casefile.Actor{Subject: "mediator-liu", Role: casefile.RoleMediator}
	intakeTownship  = casefile.Actor{Subject: "mediator-he", Role: casefile.RoleMediator}
	intakeCourt     = casefile.Actor{Subject: "judge-ma", Role: casefile.RoleCourt}
	intakeLeader    = casefile.Actor{Subject: "leader-qian", Role: casefile.RoleSupervisor}
	intakeApplicant = casefile.Actor{Subject: "li-si", Role: casefile.RoleParty}
	intakeNeighbour = casefile.Actor{Subject: "wang-wu", Role: casefile.RoleParty}
	intakeParties   = []Party{{ID: intakeApplicant.Subject, Name: "李四", Side: SideApplicant}, {ID: intakeNeighbour.Subject, Name: "王五", Side: SideRespondent}}

	committee = IntakeHandler{Kind: HandlerMediationCommittee, Unit: "城关社区人民调解委员会", Subject: intakeCommittee.Subject, Role: casefile.RoleMediator}
	township  = IntakeHandler{Kind: HandlerTownship, Unit: "城关镇综治中心", Subject: intakeTownship.Subject, Role: casefile.RoleMediator}
	courtUnit = IntakeHandler{Kind: HandlerCourt, Unit: "埇桥区人民法院", Subject: intakeCourt.Subject, Role: casefile.RoleCourt}
)

// intakeHarness runs the intake workflow under the SDK's test environment
// with time skipping, one environment per run.
type intakeHarness struct {
	t         *testing.T
	env       *testsuite.TestWorkflowEnvironment
	start     time.Time
	events    []casefile.Event
	summary   *casefile.Summary
	notices   []activities.NoticeInput
	mediation *MediationInput
	boundary  *BoundaryInput
	updates   int
	// byRef starts the dispute with its parties by reference to a staged
	// list of intakeParties, which the store activities answer from.
	byRef bool
	// records are the recording activity's inputs; asked the parties the
	// store was asked about.
	records []activities.RecordStepsInput
	asked   [][]string
}

func newIntakeHarness(t *testing.T, start time.Time) *intakeHarness {
	t.Helper()
	reg, err := policy.Default()
	require.NoError(t, err)
	var ts testsuite.WorkflowTestSuite
	h := &intakeHarness{t: t, env: ts.NewTestWorkflowEnvironment(), start: start}
	h.env.SetStartTime(start)
	h.env.RegisterWorkflow(NoticeDelivery)
	h.env.RegisterActivity(&activities.Policies{Registry: reg})
	rec := &activities.Recorder{}
	h.env.RegisterActivity(rec)
	h.env.OnActivity(rec.RecordSteps, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordStepsInput) error {
			require.NotNil(t, in.Summary, "the intake workflow owns the case summary")
			for _, e := range in.Events {
				require.Equal(t, len(h.events)+1, e.Seq, "steps are recorded in order, once")
				require.Equal(t, "intake", e.Stream)
				h.events = append(h.events, e)
			}
			h.summary = in.Summary
			h.records = append(h.records, in)
			return nil
		})
	list := intakePartyList()
	h.env.OnActivity(rec.PartySides, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PartySidesInput) ([]string, error) {
			require.Equal(t, list, in.List)
			h.asked = append(h.asked, in.IDs)
			sides := make([]string, len(in.IDs))
			for i, id := range in.IDs {
				for _, p := range intakeParties {
					if p.ID == id {
						sides[i] = p.Side
					}
				}
			}
			return sides, nil
		})
	h.env.OnActivity(rec.PartyListMembers, mock.Anything, mock.Anything).Return(
		func(_ context.Context, l db.PartyList) ([]db.PartyListMember, error) {
			require.Equal(t, list, l)
			h.asked = append(h.asked, nil)
			return partyMembers(intakeParties), nil
		})
	n := &activities.Notifier{}
	h.env.RegisterActivity(n)
	h.env.OnActivity(n.EnqueueNotice, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NoticeInput) (int64, error) {
			for _, o := range h.notices {
				require.False(t, o.Kind == in.Kind && o.Installment == in.Installment && o.Seq == in.Seq, "notice %s enqueued twice", in.Kind)
			}
			h.notices = append(h.notices, in)
			return int64(len(h.notices)), nil
		})
	h.env.OnActivity(n.DeliverNotice, mock.Anything, mock.Anything).Return(nil)
	// The mediation case is its own workflow with its own tests; here it
	// keeps what it was started with.
	h.env.RegisterWorkflow(Mediation)
	h.env.OnWorkflow(Mediation, mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in MediationInput) (MediationResult, error) {
			h.mediation = &in
			return MediationResult{Stage: StageMediating}, nil
		})
	h.env.RegisterWorkflow(Boundary)
	h.env.OnWorkflow(Boundary, mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in BoundaryInput) (BoundaryResult, error) {
			h.boundary = &in
			return BoundaryResult{Stage: BoundaryNegotiating}, nil
		})
	return h
}

// intakePartyList is intakeParties as the API stages them.
func intakePartyList() db.PartyList { return db.NewPartyList(partyMembers(intakeParties)) }

// execute runs the dispute in, its parties by reference when h.byRef.
func (h *intakeHarness) execute(in IntakeInput) {
	if h.byRef {
		l := intakePartyList()
		in.Parties, in.PartyList = nil, &l
	}
	h.env.ExecuteWorkflow(Intake, in)
	if h.byRef {
		for i, r := range h.records {
			require.Equal(h.t, in.PartyList, r.PartyList, "record %d names the list", i+1)
			require.Empty(h.t, r.Summary.Parties, "record %d: the store names the parties", i+1)
		}
	}
}

// bothWays runs test with the dispute's parties in the input and by
// reference.
func bothWays(t *testing.T, test func(t *testing.T, byRef bool)) {
	t.Run("InTheInput", func(t *testing.T) { test(t, false) })
	t.Run("ByReference", func(t *testing.T) { test(t, true) })
}

func intakeInput(urgency, risk string) IntakeInput {
	return IntakeInput{
		CaseID: "ci1", CaseNumber: "埇桥矛调登〔2026〕1号", Jurisdiction: "CN", Channel: ChannelVisit,
		Parties: intakeParties, Summary: "邻里宅基地排水纠纷", Risk: risk, Urgency: urgency, ReceivedBy: intakeWindow,
	}
}

type intakeResult struct {
	view IntakeView
	err  error
	done bool
}

// onHour sends cmd at hour on case date d.
func (h *intakeHarness) onHour(d policy.Date, hour int, name string, cmd any) *intakeResult {
	r := &intakeResult{}
	h.updates++
	id := fmt.Sprintf("%s-%d", name, h.updates)
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { r.err, r.done = err, true },
			OnComplete: func(v any, err error) {
				r.done = true
				if err != nil {
					r.err = err
					return
				}
				r.view = v.(IntakeView)
			},
		}, cmd)
	}, d.Start().Add(time.Duration(hour)*time.Hour).Sub(h.start))
	return r
}

// stateOn queries the case at hour on case date d.
func (h *intakeHarness) stateOn(d policy.Date, hour int) *IntakeView {
	v := &IntakeView{}
	h.env.RegisterDelayedCallback(func() {
		res, err := h.env.QueryWorkflow(QueryState)
		require.NoError(h.t, err)
		require.NoError(h.t, res.Get(v))
	}, d.Start().Add(time.Duration(hour)*time.Hour).Sub(h.start))
	return v
}

func (h *intakeHarness) kinds() []string {
	var out []string
	for _, e := range h.events {
		out = append(out, e.Kind)
	}
	return out
}

func requireIntakeOK(t *testing.T, what string, r *intakeResult) IntakeView {
	t.Helper()
	require.True(t, r.done, "%s: command was never answered", what)
	require.NoError(t, r.err, what)
	return r.view
}

func requireIntakeRejected(t *testing.T, what string, r *intakeResult, kind string) {
	t.Helper()
	require.True(t, r.done, "%s: command was never answered", what)
	require.Error(t, r.err, "%s: should have been refused", what)
	got, reason, ok := Rejection(r.err)
	require.True(t, ok, "%s: got %v, want a rejection", what, r.err)
	require.Equal(t, kind, got, "%s: %s", what, reason)
}

func cnDeadline(t *testing.T, from policy.Date, p policy.Period) policy.Date {
	t.Helper()
	reg, err := policy.Default()
	require.NoError(t, err)
	d, err := reg.Deadline("CN", from, p)
	require.NoError(t, err)
	return d
}

// TestIntakeDispatchReturnRedispatchFollowUpAndRating takes a dispute from
// the window through a return, a second dispatch, the outcome, both
// follow-up visits and the parties' ratings (one in the window, one after
// it) to its close-out.
func TestIntakeDispatchReturnRedispatchFollowUpAndRating(t *testing.T) {
	bothWays(t, testIntakeDispatchReturnRedispatchFollowUpAndRating)
}

func testIntakeDispatchReturnRedispatchFollowUpAndRating(t *testing.T, byRef bool) {
	opened := policy.NewDate(2026, 3, 10) // a Tuesday
	h := newIntakeHarness(t, opened.Start().Add(9*time.Hour))
	h.byRef = byRef

	first := h.onHour(opened, 10, UpdateIntakeDispatch, DispatchCommand{Handler: committee, Actor: intakeWindow})
	twice := h.onHour(opened, 11, UpdateIntakeDispatch, DispatchCommand{Handler: township, Actor: intakeWindow})
	strangerAccepts := h.onHour(opened, 11, UpdateIntakeAccept, AcceptCommand{Actor: intakeTownship})
	bareReturn := h.onHour(opened, 12, UpdateIntakeReturn, ReturnCommand{Actor: intakeCommittee})
	returned := h.onHour(opened, 13, UpdateIntakeReturn, ReturnCommand{Reason: "不属本社区管辖", Actor: intakeCommittee})
	second := h.onHour(opened.AddDays(1), 10, UpdateIntakeDispatch, DispatchCommand{Handler: township, Actor: intakeWindow})
	accepted := h.onHour(opened.AddDays(1), 11, UpdateIntakeAccept, AcceptCommand{Actor: intakeTownship})
	rateEarly := h.onHour(opened.AddDays(2), 10, UpdateIntakeRate, RateCommand{Score: 5, Actor: intakeApplicant})
	outcomeOn := policy.NewDate(2026, 3, 16) // a Monday
	outcome := h.onHour(outcomeOn, 10, UpdateIntakeOutcome, IntakeOutcomeCommand{Outcome: IntakeResolved, Note: "双方达成排水改造协议", Actor: intakeTownship})
	badScore := h.onHour(outcomeOn, 11, UpdateIntakeRate, RateCommand{Score: 6, Actor: intakeApplicant})
	rated := h.onHour(outcomeOn.AddDays(2), 10, UpdateIntakeRate, RateCommand{Score: 5, Comment: "处理及时", Actor: intakeApplicant})
	ratedAgain := h.onHour(outcomeOn.AddDays(2), 11, UpdateIntakeRate, RateCommand{Score: 1, Actor: intakeApplicant})
	strangerRates := h.onHour(outcomeOn.AddDays(2), 12, UpdateIntakeRate, RateCommand{Score: 1, Actor: casefile.Actor{Subject: "zhao-liu", Role: casefile.RoleParty}})
	rateBy := cnDeadline(t, outcomeOn, policy.Days(15))
	late := h.onHour(rateBy.AddDays(1), 10, UpdateIntakeRate, RateCommand{Score: 2, Actor: intakeNeighbour})
	visit1On := cnDeadline(t, outcomeOn, policy.Days(7))
	visit2On := cnDeadline(t, outcomeOn, policy.Days(30))
	earlyVisit := h.onHour(visit1On.AddDays(-1), 10, UpdateIntakeFollowUp, FollowUpCommand{Holds: true, Actor: intakeWindow})
	visit1 := h.onHour(visit1On, 10, UpdateIntakeFollowUp, FollowUpCommand{Holds: true, Note: "协议履行中", Actor: intakeWindow})
	visit2 := h.onHour(visit2On, 10, UpdateIntakeFollowUp, FollowUpCommand{Holds: true, Note: "排水沟已改造", Actor: intakeWindow})

	h.execute(intakeInput("ordinary", policy.RiskGreen))
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	var end IntakeEnd
	require.NoError(t, h.env.GetWorkflowResult(&end))
	require.Equal(t, IntakeEnd{Stage: IntakeClosed, Outcome: IntakeResolved}, end)

	v := requireIntakeOK(t, "first dispatch", first)
	require.Equal(t, IntakeDispatched, v.Stage)
	require.Equal(t, cnDeadline(t, opened, policy.Days(15)), v.HandleBy, "ordinary: 15 days from the dispatch")
	requireIntakeRejected(t, "a second dispatch while the first is in force", twice, RejectConflict)
	requireIntakeRejected(t, "another handler accepting", strangerAccepts, RejectForbidden)
	requireIntakeRejected(t, "a return without a reason", bareReturn, RejectInvalid)
	v = requireIntakeOK(t, "return", returned)
	require.Equal(t, IntakeRegistered, v.Stage)
	require.Nil(t, v.Handler)
	v = requireIntakeOK(t, "second dispatch", second)
	require.Equal(t, township, *v.Handler)
	require.Equal(t, cnDeadline(t, opened.AddDays(1), policy.Days(15)), v.HandleBy, "the period runs from the new dispatch")
	require.Len(t, v.Dispatches, 2)
	require.Equal(t, "不属本社区管辖", v.Dispatches[0].ReturnReason)
	requireIntakeOK(t, "accept", accepted)
	requireIntakeRejected(t, "a rating before the outcome", rateEarly, RejectConflict)
	v = requireIntakeOK(t, "outcome", outcome)
	require.Equal(t, IntakeFollowingUp, v.Stage)
	require.True(t, v.Result.OnTime)
	require.Equal(t, rateBy, v.RateBy)
	require.Equal(t, []policy.Date{visit1On, visit2On}, []policy.Date{v.FollowUps[0].DueOn, v.FollowUps[1].DueOn})
	requireIntakeRejected(t, "a score of 6", badScore, RejectInvalid)
	v = requireIntakeOK(t, "rating in the window", rated)
	require.Equal(t, []IntakeRating{{Party: intakeApplicant.Subject, Score: 5, Comment: "处理及时", RatedOn: outcomeOn.AddDays(2)}}, v.Ratings)
	requireIntakeRejected(t, "rating twice", ratedAgain, RejectConflict)
	requireIntakeRejected(t, "a rating by someone not a party", strangerRates, RejectForbidden)
	if byRef {
		// The store is asked about a rater the validator lets through,
		// before anything changes.
		require.Equal(t, [][]string{{intakeApplicant.Subject}, {"zhao-liu"}}, h.asked)
	}
	requireIntakeRejected(t, "rating after the window", late, RejectConflict)
	requireIntakeRejected(t, "a visit before its day", earlyVisit, RejectConflict)
	requireIntakeOK(t, "visit 1", visit1)
	v = requireIntakeOK(t, "visit 2", visit2)
	require.Equal(t, IntakeClosed, v.Stage)

	require.Equal(t, []string{
		"intake_registered", "intake_dispatched", "intake_returned", "intake_dispatched", "intake_accepted",
		"intake_outcome_recorded", "intake_rated", "follow_up_due", "follow_up_visited", "rating_window_closed",
		"follow_up_due", "follow_up_visited", "intake_closed",
	}, h.kinds())
	require.Equal(t, casefile.StatusClosed, h.summary.Status)
	require.Equal(t, casefile.Resolved, h.summary.Resolution)
	require.Equal(t, casefile.ProcessIntake, h.summary.Process)
	require.Equal(t, intakeTownship.Subject, h.summary.Mediator, "the handler reads the case as its mediator")
	require.Equal(t, 2, h.summary.FollowUpsDone)
	require.Empty(t, h.notices)
}

// TestIntakeOverdueHandlingEscalates lets an urgent dispute's handling
// period pass: the case is escalated to the centre with a notice to the
// dispatcher, and the centre dispatches it again.
func TestIntakeOverdueHandlingEscalates(t *testing.T) {
	opened := policy.NewDate(2026, 3, 10)
	h := newIntakeHarness(t, opened.Start().Add(9*time.Hour))
	handleBy := cnDeadline(t, opened, policy.Days(3))
	require.Equal(t, policy.NewDate(2026, 3, 13), handleBy)

	h.onHour(opened, 10, UpdateIntakeDispatch, DispatchCommand{Handler: committee, Actor: intakeWindow})
	h.onHour(opened, 11, UpdateIntakeAccept, AcceptCommand{Actor: intakeCommittee})
	tooSoon := h.onHour(handleBy, 10, UpdateIntakeDispatch, DispatchCommand{Handler: township, Actor: intakeWindow})
	after := h.stateOn(handleBy.AddDays(1), 9)
	again := h.onHour(handleBy.AddDays(1), 10, UpdateIntakeDispatch, DispatchCommand{Handler: township, Note: "超期改派", Actor: intakeWindow})
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, handleBy.AddDays(2).Start().Sub(h.start))
	h.env.ExecuteWorkflow(Intake, intakeInput("urgent", policy.RiskYellow))

	requireIntakeRejected(t, "re-dispatch before the deadline", tooSoon, RejectConflict)
	require.Equal(t, IntakeHandling, after.Stage)
	require.True(t, after.Overdue)
	require.Equal(t, "centre", after.EscalatedTo)
	v := requireIntakeOK(t, "re-dispatch of the overdue case", again)
	require.Equal(t, IntakeDispatched, v.Stage)
	require.True(t, v.Dispatches[0].Withdrawn)
	require.False(t, v.Overdue)
	require.Equal(t, cnDeadline(t, handleBy.AddDays(1), policy.Days(3)), v.HandleBy)

	i := indexOf(h.kinds(), "handling_overdue")
	require.GreaterOrEqual(t, i, 0, "got %v", h.kinds())
	e := h.events[i]
	require.Equal(t, handleBy.AddDays(1), e.CaseOn, "the step is dated when the last day has run out")
	require.Equal(t, casefile.System, e.Actor)
	require.Len(t, h.notices, 1)
	require.Equal(t, intakeWindow.Subject, h.notices[0].Recipient)
	require.Equal(t, e.Seq, h.notices[0].Seq)
}

func indexOf(xs []string, x string) int {
	for i, s := range xs {
		if s == x {
			return i
		}
	}
	return -1
}

// TestIntakeRegradeAndCaseLeader re-grades a dispute red while it is
// handled: it moves to the urgent tier, its deadline shortens, and it gets
// a case-leader record with a deadline from policy; the leader amends it.
func TestIntakeRegradeAndCaseLeader(t *testing.T) {
	opened := policy.NewDate(2026, 3, 10)
	h := newIntakeHarness(t, opened.Start().Add(9*time.Hour))
	h.onHour(opened, 10, UpdateIntakeDispatch, DispatchCommand{Handler: committee, Actor: intakeWindow})
	tooEarly := h.onHour(opened, 11, UpdateIntakeCaseLeader, CaseLeaderCommand{LeadDepartment: "镇综治办", Leader: intakeLeader.Subject, Measures: "包案化解", Actor: intakeWindow})
	noReason := h.onHour(opened.AddDays(1), 10, UpdateIntakeRegrade, RegradeCommand{Risk: policy.RiskRed, Actor: intakeWindow})
	partyRegrades := h.onHour(opened.AddDays(1), 10, UpdateIntakeRegrade, RegradeCommand{Risk: policy.RiskRed, Reason: "x", Actor: intakeApplicant})
	red := h.onHour(opened.AddDays(1), 11, UpdateIntakeRegrade, RegradeCommand{Risk: policy.RiskRed, Reason: "双方扬言持械冲突", Actor: intakeCommittee})
	same := h.onHour(opened.AddDays(1), 12, UpdateIntakeRegrade, RegradeCommand{Risk: policy.RiskRed, Reason: "again", Actor: intakeWindow})
	leader := h.onHour(opened.AddDays(1), 13, UpdateIntakeCaseLeader, CaseLeaderCommand{
		LeadDepartment: "镇综治办", Leader: intakeLeader.Subject, CooperatingUnits: []string{"派出所", "司法所"},
		Measures: "一案一档，稳控双方，三日内现场调处", Actor: intakeWindow,
	})
	amended := h.onHour(opened.AddDays(2), 10, UpdateIntakeCaseLeader, CaseLeaderCommand{
		LeadDepartment: "镇综治办", Leader: "leader-zhao", CooperatingUnits: []string{"派出所"}, Measures: "移交", Actor: intakeLeader,
	})
	formerLeader := h.onHour(opened.AddDays(2), 11, UpdateIntakeRegrade, RegradeCommand{Risk: policy.RiskYellow, Reason: "x", Actor: intakeLeader})
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, opened.AddDays(2).Start().Add(12*time.Hour).Sub(h.start))
	h.env.ExecuteWorkflow(Intake, intakeInput("ordinary", policy.RiskGreen))

	requireIntakeRejected(t, "case leader for a green dispute", tooEarly, RejectConflict)
	requireIntakeRejected(t, "re-grade without a reason", noReason, RejectInvalid)
	requireIntakeRejected(t, "a party re-grading", partyRegrades, RejectForbidden)
	v := requireIntakeOK(t, "re-grade red", red)
	require.Equal(t, policy.RiskRed, v.Risk)
	require.Equal(t, "urgent", v.Urgency, "red moves the dispute to the urgent tier")
	require.Equal(t, cnDeadline(t, opened, policy.Days(3)), v.HandleBy, "the urgent period, counted from the dispatch")
	require.True(t, v.CaseLeaderRequired)
	requireIntakeRejected(t, "re-grade to the same grade", same, RejectConflict)
	v = requireIntakeOK(t, "case leader", leader)
	require.Equal(t, cnDeadline(t, opened.AddDays(1), policy.Months(1)), v.CaseLeader.ResolveBy)
	require.Equal(t, []string{"派出所", "司法所"}, v.CaseLeader.CooperatingUnits)
	v = requireIntakeOK(t, "the leader hands over", amended)
	require.Equal(t, "leader-zhao", v.CaseLeader.Leader)
	require.Equal(t, cnDeadline(t, opened.AddDays(1), policy.Months(1)), v.CaseLeader.ResolveBy, "handing over keeps the deadline")
	requireIntakeRejected(t, "the former leader re-grading", formerLeader, RejectForbidden)
	require.Equal(t, "leader-zhao", h.summary.CaseLeader)
	require.Equal(t, []string{"intake_registered", "intake_dispatched", "risk_regraded", "case_leader_recorded", "case_leader_amended"}, h.kinds())
}

// TestIntakeConvertsToMediation converts a dispute the court handler found
// needs a court process into a Process 1 mediation case linked back to it.
func TestIntakeConvertsToMediation(t *testing.T) { bothWays(t, testIntakeConvertsToMediation) }

func testIntakeConvertsToMediation(t *testing.T, byRef bool) {
	opened := policy.NewDate(2026, 3, 10)
	h := newIntakeHarness(t, opened.Start().Add(9*time.Hour))
	h.byRef = byRef
	h.onHour(opened, 10, UpdateIntakeDispatch, DispatchCommand{Handler: courtUnit, Actor: intakeWindow})
	h.onHour(opened, 11, UpdateIntakeAccept, AcceptCommand{Actor: intakeCourt})
	early := h.onHour(opened, 11, UpdateIntakeConvert, ConvertCommand{CaseNumber: "（2026）皖1302民诉前调7号", Court: "埇桥区人民法院", Organisation: "埇桥区人民调解委员会", Mediator: "mediator-wang", Actor: intakeCourt})
	h.onHour(opened.AddDays(1), 10, UpdateIntakeOutcome, IntakeOutcomeCommand{Outcome: IntakeNeedsCourt, Note: "涉及合同效力，需诉前调解", Actor: intakeCourt})
	byWindow := h.onHour(opened.AddDays(1), 11, UpdateIntakeConvert, ConvertCommand{CaseNumber: "（2026）皖1302民诉前调7号", Court: "x", Organisation: "x", Mediator: "x", Actor: intakeWindow})
	ownNumber := h.onHour(opened.AddDays(1), 11, UpdateIntakeConvert, ConvertCommand{CaseNumber: "埇桥矛调登〔2026〕1号", Court: "x", Organisation: "x", Mediator: "x", Actor: intakeCourt})
	converted := h.onHour(opened.AddDays(1), 12, UpdateIntakeConvert, ConvertCommand{
		CaseNumber: "（2026）皖1302民诉前调7号", Court: "埇桥区人民法院", Organisation: "埇桥区人民调解委员会",
		Mediator: "mediator-wang", ClaimFen: 500_000, Actor: intakeCourt,
	})
	h.execute(intakeInput("priority", policy.RiskYellow))
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	var end IntakeEnd
	require.NoError(t, h.env.GetWorkflowResult(&end))
	require.Equal(t, IntakeEnd{Stage: IntakeConverted, Outcome: IntakeConvertedOutcome}, end)

	requireIntakeRejected(t, "conversion before the outcome", early, RejectConflict)
	requireIntakeRejected(t, "conversion by the window", byWindow, RejectForbidden)
	requireIntakeRejected(t, "conversion under the dispute's own number", ownNumber, RejectInvalid)
	v := requireIntakeOK(t, "conversion", converted)
	id := CaseID("（2026）皖1302民诉前调7号")
	require.Equal(t, IntakeConversion{
		CaseID: id, CaseNumber: "（2026）皖1302民诉前调7号", WorkflowID: MediationWorkflowID(id), Court: "埇桥区人民法院",
		Organisation: "埇桥区人民调解委员会", Mediator: "mediator-wang", ConvertedOn: opened.AddDays(1), By: intakeCourt.Subject,
	}, *v.Conversion)
	require.NotNil(t, h.mediation, "the mediation case was started")
	require.Equal(t, "ci1", h.mediation.SourceCaseID, "and links back to the dispute")
	if byRef {
		l := intakePartyList()
		require.Empty(t, h.mediation.Parties)
		require.Equal(t, &l, h.mediation.PartyList, "the mediation case refers to the dispute's list")
	} else {
		require.Equal(t, intakeParties, h.mediation.Parties)
	}
	require.Equal(t, "邻里宅基地排水纠纷", h.mediation.Subject)
	require.Equal(t, intakeCourt, h.mediation.DelegatedBy)
	require.Equal(t, int64(500_000), h.mediation.ClaimFen)
	require.Equal(t, casefile.StatusClosed, h.summary.Status)
	require.Equal(t, IntakeConvertedOutcome, h.summary.Outcome)
	require.Equal(t, "converted_to_mediation", h.kinds()[len(h.kinds())-1])
}

// TestIntakeRefusesBadCommands sends commands that break a rule to a
// registered dispute: each is refused with its kind, and none leaves a step.
func TestIntakeRefusesBadCommands(t *testing.T) {
	opened := policy.NewDate(2026, 3, 10)
	stranger := casefile.Actor{Subject: "zhao-liu", Role: casefile.RoleParty}
	tests := []struct {
		name string
		cmd  string
		arg  any
		want string
	}{
		{"dispatch by a mediator", UpdateIntakeDispatch, DispatchCommand{Handler: committee, Actor: intakeCommittee}, RejectForbidden},
		{"dispatch to an unknown kind", UpdateIntakeDispatch, DispatchCommand{Handler: IntakeHandler{Kind: "police", Unit: "u", Subject: "s", Role: casefile.RoleMediator}, Actor: intakeWindow}, RejectInvalid},
		{"dispatch to a handler with no unit", UpdateIntakeDispatch, DispatchCommand{Handler: IntakeHandler{Kind: HandlerTownship, Subject: "s", Role: casefile.RoleMediator}, Actor: intakeWindow}, RejectInvalid},
		{"court unit handled as a mediator", UpdateIntakeDispatch, DispatchCommand{Handler: IntakeHandler{Kind: HandlerCourt, Unit: "u", Subject: "s", Role: casefile.RoleMediator}, Actor: intakeWindow}, RejectInvalid},
		{"handler as a party", UpdateIntakeDispatch, DispatchCommand{Handler: IntakeHandler{Kind: HandlerTownship, Unit: "u", Subject: "s", Role: casefile.RoleParty}, Actor: intakeWindow}, RejectInvalid},
		{"accept before dispatch", UpdateIntakeAccept, AcceptCommand{Actor: intakeCommittee}, RejectConflict},
		{"return before dispatch", UpdateIntakeReturn, ReturnCommand{Reason: "x", Actor: intakeCommittee}, RejectConflict},
		{"outcome before dispatch", UpdateIntakeOutcome, IntakeOutcomeCommand{Outcome: IntakeResolved, Actor: intakeCommittee}, RejectConflict},
		{"unknown risk grade", UpdateIntakeRegrade, RegradeCommand{Risk: "black", Reason: "x", Actor: intakeWindow}, RejectInvalid},
		{"case leader with no leader", UpdateIntakeCaseLeader, CaseLeaderCommand{LeadDepartment: "d", Measures: "m", Actor: intakeWindow}, RejectConflict},
		{"follow-up before the outcome", UpdateIntakeFollowUp, FollowUpCommand{Holds: true, Actor: intakeWindow}, RejectConflict},
		{"rating by a stranger", UpdateIntakeRate, RateCommand{Score: 3, Actor: stranger}, RejectForbidden},
		{"rating before the outcome", UpdateIntakeRate, RateCommand{Score: 3, Actor: intakeApplicant}, RejectConflict},
		{"conversion before the outcome", UpdateIntakeConvert, ConvertCommand{CaseNumber: "n", Court: "c", Organisation: "o", Mediator: "m", Actor: intakeCourt}, RejectConflict},
	}
	h := newIntakeHarness(t, opened.Start().Add(9*time.Hour))
	results := make([]*intakeResult, len(tests))
	for i, tt := range tests {
		results[i] = h.onHour(opened, 10, tt.cmd, tt.arg)
	}
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, 3*time.Hour)
	h.env.ExecuteWorkflow(Intake, intakeInput("ordinary", policy.RiskGreen))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireIntakeRejected(t, tt.name, results[i], tt.want)
		})
	}
	require.Equal(t, []string{"intake_registered"}, h.kinds(), "a refused command leaves no step")
}

// TestIntakeContinuesAsNewWithItsState bounds a run to three steps: the
// case hands its whole state to the next run, which goes on where it
// stopped, its handling deadline still running.
func TestIntakeContinuesAsNewWithItsState(t *testing.T) {
	opened := policy.NewDate(2026, 3, 10)
	h := newIntakeHarness(t, opened.Start().Add(9*time.Hour))
	h.onHour(opened, 10, UpdateIntakeDispatch, DispatchCommand{Handler: committee, Actor: intakeWindow})
	h.onHour(opened, 11, UpdateIntakeAccept, AcceptCommand{Actor: intakeCommittee})
	in := intakeInput("priority", policy.RiskYellow)
	in.MaxStepsPerRun = 3
	h.env.ExecuteWorkflow(Intake, in)

	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(h.env.GetWorkflowError(), &can), "got %v, want continue-as-new", h.env.GetWorkflowError())
	var next IntakeInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.NotNil(t, next.State)
	require.Equal(t, IntakeHandling, next.State.Stage)
	require.Equal(t, 3, next.State.Journal.Seq)
	require.Empty(t, next.State.Journal.Pending, "every step was recorded before continuing")
	handleBy := cnDeadline(t, opened, policy.Days(7))
	require.Equal(t, handleBy, next.State.Dispatches[0].HandleBy)
	require.Equal(t, 1, next.State.Runs)

	// The next run, started where the first stopped: the deadline passes
	// in it, and the outcome after it is recorded late.
	h2 := newIntakeHarness(t, h.env.Now())
	h2.events = h.events
	late := h2.onHour(handleBy.AddDays(1), 10, UpdateIntakeOutcome, IntakeOutcomeCommand{Outcome: IntakeNotResolved, Note: "一方拒不到场", Actor: intakeCommittee})
	h2.env.RegisterDelayedCallback(h2.env.CancelWorkflow, handleBy.AddDays(2).Start().Sub(h2.start))
	next.MaxStepsPerRun = 0
	h2.env.ExecuteWorkflow(Intake, next)
	v := requireIntakeOK(t, "late outcome", late)
	require.False(t, v.Result.OnTime)
	require.Equal(t, 2, v.Runs)
	require.Equal(t, IntakeFollowingUp, v.Stage)
	require.Equal(t, []string{"intake_registered", "intake_dispatched", "intake_accepted", "handling_overdue", "intake_outcome_recorded"}, h2.kinds())
	require.Equal(t, casefile.Unresolved, h2.summary.Resolution)
}

// TestIntakeCaseLeaderDeadlineAndOverdueNotices opens a red dispute with a
// case-leader record: its overdue handling notifies both the dispatcher
// and the case leader, and the leader's resolution deadline passing with
// no outcome is a step of its own.
func TestIntakeCaseLeaderDeadlineAndOverdueNotices(t *testing.T) {
	opened := policy.NewDate(2026, 3, 10)
	h := newIntakeHarness(t, opened.Start().Add(9*time.Hour))
	h.onHour(opened, 10, UpdateIntakeCaseLeader, CaseLeaderCommand{LeadDepartment: "区委政法委", Leader: intakeLeader.Subject, Measures: "包案", Actor: intakeWindow})
	h.onHour(opened, 11, UpdateIntakeDispatch, DispatchCommand{Handler: committee, Actor: intakeWindow})
	resolveBy := cnDeadline(t, opened, policy.Months(1))
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, resolveBy.AddDays(2).Start().Sub(h.start))
	h.env.ExecuteWorkflow(Intake, intakeInput("urgent", policy.RiskRed))

	require.Equal(t, []string{"intake_registered", "case_leader_recorded", "intake_dispatched", "handling_overdue", "case_leader_deadline_passed"}, h.kinds())
	require.Len(t, h.notices, 2)
	require.Equal(t, NoticeHandlingOverdue, h.notices[0].Kind)
	require.Equal(t, intakeWindow.Subject, h.notices[0].Recipient)
	require.Equal(t, NoticeHandlingOverdueLeader, h.notices[1].Kind)
	require.Equal(t, intakeLeader.Subject, h.notices[1].Recipient)
	last := h.events[len(h.events)-1]
	require.Equal(t, resolveBy.AddDays(1), last.CaseOn)
	require.Equal(t, intakeLeader.Subject, h.summary.CaseLeader)
}

// TestIntakeOpening checks what the registration records, table-driven:
// the tier's period, and a tier the policy does not know (the API refuses
// one) handled in the least urgent tier rather than failing the case; and
// that marking a green dispute hard calls for a case-leader record.
func TestIntakeOpening(t *testing.T) {
	tests := []struct {
		urgency, wantUrgency string
		wantPeriod           policy.Period
		asked                bool
	}{
		{"urgent", "urgent", policy.Days(3), false},
		{"priority", "priority", policy.Days(7), false},
		{"ordinary", "ordinary", policy.Days(15), false},
		{"asap", "ordinary", policy.Days(15), true},
	}
	for _, tt := range tests {
		t.Run(tt.urgency, func(t *testing.T) {
			opened := policy.NewDate(2026, 3, 10)
			h := newIntakeHarness(t, opened.Start().Add(9*time.Hour))
			hard := h.onHour(opened, 10, UpdateIntakeRegrade, RegradeCommand{Risk: policy.RiskGreen, Hard: true, Reason: "涉及多户群体", Actor: intakeWindow})
			h.env.RegisterDelayedCallback(h.env.CancelWorkflow, 2*time.Hour)
			h.env.ExecuteWorkflow(Intake, intakeInput(tt.urgency, policy.RiskGreen))

			v := requireIntakeOK(t, "mark hard", hard)
			require.Equal(t, tt.wantUrgency, v.Urgency)
			require.True(t, v.CaseLeaderRequired, "a hard dispute needs a case-leader record whatever its grade")
			var data map[string]any
			require.NoError(t, json.Unmarshal(h.events[0].Data, &data))
			require.Equal(t, tt.wantUrgency, data["urgency"])
			require.Equal(t, tt.wantPeriod.String(), data["handling_period"])
			_, asked := data["urgency_asked"]
			require.Equal(t, tt.asked, asked)
		})
	}
}

// TestIntakeJointMeetingReviewsAnOverdueDispute lets an urgent dispute's
// handling go overdue and records the monthly joint meeting's review of
// it; reviews by another role, of a dispute never overdue, with a bad date
// or twice for one month are refused.
func TestIntakeJointMeetingReviewsAnOverdueDispute(t *testing.T) {
	opened := policy.NewDate(2026, 3, 10)
	handleBy := cnDeadline(t, opened, policy.Days(3)) // 13 March
	h := newIntakeHarness(t, opened.Start().Add(9*time.Hour))
	review := func(meetingOn policy.Date, decision string, actor casefile.Actor) JointReviewCommand {
		return JointReviewCommand{
			MeetingOn: meetingOn, Participants: []string{"区委政法委", "城关镇综治中心", "区人民法院"},
			Decision: decision, Reason: "超期未办结，联席会议研究", Actor: actor,
		}
	}
	meeting := policy.NewDate(2026, 3, 27)

	h.onHour(opened, 10, UpdateIntakeDispatch, DispatchCommand{Handler: committee, Actor: intakeWindow})
	h.onHour(opened, 11, UpdateIntakeAccept, AcceptCommand{Actor: intakeCommittee})
	neverOverdue := h.onHour(handleBy, 10, UpdateIntakeJointReview, review(handleBy, ReviewRedispatch, intakeWindow))
	byMediator := h.onHour(meeting, 10, UpdateIntakeJointReview, review(meeting, ReviewRedispatch, intakeCommittee))
	future := h.onHour(meeting, 10, UpdateIntakeJointReview, review(meeting.AddDays(1), ReviewRedispatch, intakeWindow))
	tooLate := review(meeting, ReviewNewResolutionDate, intakeWindow)
	tooLate.ResolveBy = policy.NewDate(2300, 1, 1)
	afterLatest := h.onHour(meeting, 10, UpdateIntakeJointReview, tooLate)
	badMonth := review(meeting, ReviewRedispatch, intakeWindow)
	badMonth.Month = "2026-13"
	badMonthR := h.onHour(meeting, 10, UpdateIntakeJointReview, badMonth)
	noDecision := h.onHour(meeting, 10, UpdateIntakeJointReview, review(meeting, "wait", intakeWindow))
	good := review(meeting, ReviewNewResolutionDate, intakeWindow)
	good.ResolveBy = policy.NewDate(2026, 4, 10)
	reviewed := h.onHour(meeting, 11, UpdateIntakeJointReview, good)
	twice := h.onHour(meeting, 12, UpdateIntakeJointReview, review(meeting, ReviewRedispatch, intakeWindow))
	// Dispatched again on 30 March, as the meeting decided: in April it is
	// no longer overdue, and April's meeting cannot review it.
	h.onHour(policy.NewDate(2026, 3, 30), 10, UpdateIntakeDispatch, DispatchCommand{Handler: township, Actor: intakeWindow})
	april := policy.NewDate(2026, 4, 2)
	notInApril := h.onHour(april, 10, UpdateIntakeJointReview, review(april, ReviewRedispatch, intakeWindow))
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, april.AddDays(1).Start().Sub(h.start))
	h.env.ExecuteWorkflow(Intake, intakeInput("urgent", policy.RiskYellow))

	requireIntakeRejected(t, "a review of a dispute never overdue", neverOverdue, RejectConflict)
	requireIntakeRejected(t, "a review by the handler", byMediator, RejectForbidden)
	requireIntakeRejected(t, "a meeting not yet held", future, RejectInvalid)
	requireIntakeRejected(t, "a resolution date after 2199", afterLatest, RejectInvalid)
	requireIntakeRejected(t, "month 13", badMonthR, RejectInvalid)
	requireIntakeRejected(t, "an unknown decision", noDecision, RejectInvalid)
	v := requireIntakeOK(t, "the review", reviewed)
	require.Equal(t, []IntakeJointReview{{
		No: 1, Month: "2026-03", MeetingOn: meeting, Participants: good.Participants, Decision: ReviewNewResolutionDate,
		ResolveBy: policy.NewDate(2026, 4, 10), Reason: good.Reason, Dispatch: 1, RecordedOn: meeting, By: intakeWindow.Subject,
	}}, v.JointReviews)
	requireIntakeRejected(t, "a second review of the same month", twice, RejectConflict)
	requireIntakeRejected(t, "a review of a month the dispute was no longer overdue in", notInApril, RejectConflict)

	i := indexOf(h.kinds(), "joint_meeting_reviewed")
	require.GreaterOrEqual(t, i, 0, "got %v", h.kinds())
	e := h.events[i]
	require.Equal(t, intakeWindow, e.Actor)
	require.Equal(t, meeting, e.CaseOn)
	var data map[string]any
	require.NoError(t, json.Unmarshal(e.Data, &data))
	require.Equal(t, "2026-03", data["month"])
	require.Equal(t, ReviewNewResolutionDate, data["decision"])
	require.Equal(t, handleBy.String(), data["handle_by"])
	require.Equal(t, "2026-04-10", data["resolve_by"])
	require.Greater(t, i, indexOf(h.kinds(), "handling_overdue"), "the review follows the overdue step")
}

// TestIntakeConvertsToBoundary converts a dispute that needs more than the
// window into a Process 2 boundary negotiation, started as a child under
// the boundary case number's own workflow ID and linked both ways.
func TestIntakeConvertsToBoundary(t *testing.T) { bothWays(t, testIntakeConvertsToBoundary) }

func testIntakeConvertsToBoundary(t *testing.T, byRef bool) {
	opened := policy.NewDate(2026, 3, 10)
	h := newIntakeHarness(t, opened.Start().Add(9*time.Hour))
	h.byRef = byRef
	number := "（2026）阿边调1号"
	parties := []BoundaryConversionParty{
		{ID: intakeApplicant.Subject, Jurisdiction: "CN-15-ALS", Representative: "李四（村委会主任）"},
		{ID: intakeNeighbour.Subject, Jurisdiction: "CN-62-ZY", Representative: "王五（村支书）"},
	}
	cmd := func(actor casefile.Actor, ps []BoundaryConversionParty) ConvertBoundaryCommand {
		return ConvertBoundaryCommand{CaseNumber: number, Court: "阿拉善左旗人民法院", Organiser: "mediator-bao", CaseLeader: intakeLeader.Subject, Since: 1985, Parties: ps, Actor: actor}
	}
	h.onHour(opened, 10, UpdateIntakeDispatch, DispatchCommand{Handler: courtUnit, Actor: intakeWindow})
	h.onHour(opened, 11, UpdateIntakeAccept, AcceptCommand{Actor: intakeCourt})
	h.onHour(opened, 11, UpdateIntakeCaseLeader, CaseLeaderCommand{LeadDepartment: "旗委政法委", Leader: intakeLeader.Subject, Measures: "跨省协调", Actor: intakeWindow})
	early := h.onHour(opened, 12, UpdateIntakeConvertBoundary, cmd(intakeCourt, parties))
	h.onHour(opened.AddDays(1), 10, UpdateIntakeOutcome, IntakeOutcomeCommand{Outcome: IntakeNeedsCourt, Note: "跨省草场边界，需三二一协商", Actor: intakeCourt})
	byWindow := h.onHour(opened.AddDays(1), 11, UpdateIntakeConvertBoundary, cmd(intakeWindow, parties))
	byOtherSupervisor := h.onHour(opened.AddDays(1), 11, UpdateIntakeConvertBoundary, cmd(casefile.Actor{Subject: "leader-zhou", Role: casefile.RoleSupervisor}, parties))
	oneParty := h.onHour(opened.AddDays(1), 11, UpdateIntakeConvertBoundary, cmd(intakeCourt, parties[:1]))
	stranger := h.onHour(opened.AddDays(1), 11, UpdateIntakeConvertBoundary, cmd(intakeCourt, []BoundaryConversionParty{parties[0], {ID: "zhao-liu", Jurisdiction: "CN-15", Representative: "赵六"}}))
	noRep := h.onHour(opened.AddDays(1), 11, UpdateIntakeConvertBoundary, cmd(intakeCourt, []BoundaryConversionParty{parties[0], {ID: intakeNeighbour.Subject, Jurisdiction: "CN-62"}}))
	converted := h.onHour(opened.AddDays(1), 12, UpdateIntakeConvertBoundary, cmd(intakeLeader, parties))
	h.execute(intakeInput("priority", policy.RiskRed))
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	var end IntakeEnd
	require.NoError(t, h.env.GetWorkflowResult(&end))
	require.Equal(t, IntakeEnd{Stage: IntakeConverted, Outcome: IntakeConvertedBoundaryOutcome}, end)

	requireIntakeRejected(t, "conversion before the outcome", early, RejectConflict)
	requireIntakeRejected(t, "conversion by the window", byWindow, RejectForbidden)
	requireIntakeRejected(t, "conversion by a supervisor not leading the dispute", byOtherSupervisor, RejectForbidden)
	requireIntakeRejected(t, "conversion naming one party of two", oneParty, RejectInvalid)
	requireIntakeRejected(t, "conversion naming a stranger", stranger, RejectInvalid)
	if byRef {
		// The names come from the staged list, read by the conversion
		// naming a stranger (refused) and by the one made.
		require.Equal(t, [][]string{nil, nil}, h.asked)
	}
	requireIntakeRejected(t, "a party without a representative", noRep, RejectInvalid)
	v := requireIntakeOK(t, "conversion by the case leader", converted)
	id := CaseID(number)
	require.Equal(t, IntakeConversion{
		Process: "boundary", CaseID: id, CaseNumber: number, WorkflowID: BoundaryWorkflowID(id), Court: "阿拉善左旗人民法院",
		Mediator: "mediator-bao", CaseLeader: intakeLeader.Subject, ConvertedOn: opened.AddDays(1), By: intakeLeader.Subject,
	}, *v.Conversion)
	require.NotNil(t, h.boundary, "the boundary case was started")
	require.Nil(t, h.mediation)
	require.Equal(t, BoundaryInput{
		CaseID: id, CaseNumber: number, Court: "阿拉善左旗人民法院", Jurisdiction: "CN", Title: "邻里宅基地排水纠纷",
		Parties: []BoundaryParty{
			{ID: intakeApplicant.Subject, Name: "李四", Jurisdiction: "CN-15-ALS", Representative: "李四（村委会主任）"},
			{ID: intakeNeighbour.Subject, Name: "王五", Jurisdiction: "CN-62-ZY", Representative: "王五（村支书）"},
		},
		Since: 1985, Organiser: "mediator-bao", CaseLeader: intakeLeader.Subject, OpenedBy: intakeLeader,
		Clock: casetime.Clock{Scale: 1}, SourceCaseID: "ci1", // the dispute's scale
	}, *h.boundary)
	require.Equal(t, casefile.StatusClosed, h.summary.Status)
	require.Equal(t, IntakeConvertedBoundaryOutcome, h.summary.Outcome)
	require.Equal(t, "converted_to_boundary", h.kinds()[len(h.kinds())-1])
}
