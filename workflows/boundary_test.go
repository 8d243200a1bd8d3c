package workflows

import (
	"context"
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
	"github.com/casework/casework/policy"
)

var (
	boundaryOrganiser = casefile.Actor{Subject: "mediator-bao", Role: casefile.RoleMediator}
	boundaryLeader    = casefile.Actor{Subject: "leader-gao", Role: casefile.RoleSupervisor}
	boundaryCourt     = casefile.Actor{Subject: "judge-su", Role: casefile.RoleCourt}
	villageA          = casefile.Actor{Subject: "gacha-a", Role: casefile.RoleParty}
	villageB          = casefile.Actor{Subject: "village-b", Role: casefile.RoleParty}
	boundaryParties   = []BoundaryParty{
		{ID: villageA.Subject, Name: "甲嘎查村民委员会", Jurisdiction: "CN-15-ALS", Representative: "巴特尔"},
		{ID: villageB.Subject, Name: "乙村村民委员会", Jurisdiction: "CN-62-ZY", Representative: "王建国"},
	}
	boundaryMarkers = []BoundaryMarker{
		{ID: "J1", Description: "北界桩，山口", Coordinates: "E101.2041,N38.9120"},
		{ID: "J2", Description: "南界桩，河湾", Coordinates: "E101.2233,N38.8815"},
	}
)

// boundaryHarness runs the boundary workflow under the SDK's test
// environment with time skipping, one environment per workflow run, so a
// test can follow the case across continue-as-new.
type boundaryHarness struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	start   time.Time
	events  []casefile.Event
	summary *casefile.Summary
	updates int
}

func newBoundaryHarness(t *testing.T, start time.Time) *boundaryHarness {
	h := &boundaryHarness{t: t}
	h.newRun(start)
	return h
}

// newRun sets up a fresh environment starting at start; steps recorded so
// far are kept, so numbering is checked across runs.
func (h *boundaryHarness) newRun(start time.Time) {
	t := h.t
	t.Helper()
	reg, err := policy.Default()
	require.NoError(t, err)
	var ts testsuite.WorkflowTestSuite
	h.env, h.start = ts.NewTestWorkflowEnvironment(), start
	h.env.SetStartTime(start)
	h.env.RegisterActivity(&activities.Policies{Registry: reg})
	rec := &activities.Recorder{}
	h.env.RegisterActivity(rec)
	h.env.OnActivity(rec.RecordSteps, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordStepsInput) error {
			require.NotNil(t, in.Summary, "the boundary workflow owns the case summary")
			for _, e := range in.Events {
				require.Equal(t, len(h.events)+1, e.Seq, "steps are recorded in order, once")
				require.Equal(t, "boundary", e.Stream)
				h.events = append(h.events, e)
			}
			h.summary = in.Summary
			return nil
		})
}

func boundaryInput() BoundaryInput {
	return BoundaryInput{
		CaseID: "cb1", CaseNumber: "（2026）阿右调1号", Jurisdiction: "CN-15-ALS",
		Title: "甲嘎查与乙村草场边界纠纷", Parties: boundaryParties, Since: 1985,
		Organiser: boundaryOrganiser.Subject, OpenedBy: boundaryCourt,
	}
}

type boundaryResult struct {
	view BoundaryView
	err  error
	done bool
}

// at sends a command d after the run's start; cmd is built when it is sent.
func (h *boundaryHarness) at(d time.Duration, name string, cmd func() any) *boundaryResult {
	r := &boundaryResult{}
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
				r.view = v.(BoundaryView)
			},
		}, cmd())
	}, d)
	return r
}

// on sends cmd at 10:00 on case date d.
func (h *boundaryHarness) on(d policy.Date, name string, cmd any) *boundaryResult {
	return h.onHour(d, 10, name, cmd)
}

// onHour sends cmd at hour on case date d. Commands sent in the same
// instant are all validated before any of them runs, so a test that needs
// one to see another's effect sends them an hour apart.
func (h *boundaryHarness) onHour(d policy.Date, hour int, name string, cmd any) *boundaryResult {
	return h.at(d.Start().Add(time.Duration(hour)*time.Hour).Sub(h.start), name, func() any { return cmd })
}

// stateAt queries the case at d after the run's start.
func (h *boundaryHarness) stateAt(d time.Duration) *BoundaryView {
	v := &BoundaryView{}
	h.env.RegisterDelayedCallback(func() {
		res, err := h.env.QueryWorkflow(QueryState)
		require.NoError(h.t, err)
		require.NoError(h.t, res.Get(v))
	}, d)
	return v
}

func (h *boundaryHarness) kinds() []string {
	var out []string
	for _, e := range h.events {
		out = append(out, e.Kind)
	}
	return out
}

func requireBoundaryOK(t *testing.T, what string, r *boundaryResult) BoundaryView {
	t.Helper()
	require.True(t, r.done, "%s: command was never answered", what)
	require.NoError(t, r.err, what)
	return r.view
}

func requireBoundaryRejected(t *testing.T, what string, r *boundaryResult, kind string) {
	t.Helper()
	require.True(t, r.done, "%s: command was never answered", what)
	requireRejected(t, &updateResult{err: r.err}, kind)
}

func TestBoundaryFullStory(t *testing.T) {
	// The June flare-up: 2026-06-10, a Wednesday.
	opened := policy.NewDate(2026, 6, 10)
	h := newBoundaryHarness(t, opened.Start().Add(9*time.Hour))
	org := boundaryOrganiser

	leader := h.on(opened, UpdateBoundaryAssignLeader, AssignLeaderCommand{CaseLeader: boundaryLeader.Subject, Reason: "领导包案", Actor: boundaryCourt})
	stab := h.at(day(0)+2*time.Hour, UpdateBoundaryStabilise, func() any {
		return StabiliseCommand{Incident: "6月两村牧民在争议草场发生冲突", Measure: "双方牲畜撤出争议区，派驻工作组", ResponsibleUnit: "苏木镇派出所", ReviewOn: opened.AddDays(10), Actor: boundaryLeader}
	})
	var rounds []*boundaryResult
	// Village tier: three rounds, with an early escalation refused after two.
	for i, on := range []policy.Date{opened.AddDays(2), opened.AddDays(5), opened.AddDays(8)} {
		id := fmt.Sprintf("r%d", i+1)
		rounds = append(rounds, h.on(on.AddDays(-1), UpdateBoundaryScheduleRound, ScheduleRoundCommand{Tier: TierVillage, On: on, Venue: "嘎查会议室", Actor: org}))
		rounds = append(rounds, h.on(on, UpdateBoundaryRecordRound, RecordRoundCommand{Round: id, Outcome: RoundProgress, Note: "双方陈述", Actor: org}))
	}
	early := h.on(opened.AddDays(6), UpdateBoundaryEscalate, EscalateCommand{Reason: "too soon", Actor: org})
	toTownship := h.on(opened.AddDays(9), UpdateBoundaryEscalate, EscalateCommand{To: TierTownship, Reason: "村级三轮未果", Actor: boundaryLeader})
	// Township tier: two rounds.
	for i, on := range []policy.Date{opened.AddDays(15), opened.AddDays(22)} {
		id := fmt.Sprintf("r%d", i+4)
		rounds = append(rounds, h.on(on.AddDays(-1), UpdateBoundaryScheduleRound, ScheduleRoundCommand{On: on, Venue: "苏木镇政府", Actor: org}))
		rounds = append(rounds, h.on(on, UpdateBoundaryRecordRound, RecordRoundCommand{Round: id, Outcome: RoundNoProgress, Actor: org}))
	}
	toCounty := h.on(opened.AddDays(23), UpdateBoundaryEscalate, EscalateCommand{Reason: "乡级两轮未果", Actor: org})
	beyondCounty := h.on(opened.AddDays(24), UpdateBoundaryEscalate, EscalateCommand{Reason: "x", Actor: org})
	// County tier: agreement on 7 August.
	agreedOn := policy.NewDate(2026, 8, 7)
	rounds = append(rounds, h.on(agreedOn.AddDays(-3), UpdateBoundaryScheduleRound, ScheduleRoundCommand{On: agreedOn, Venue: "旗联合党组织", Actor: org}))
	signEarly := h.on(agreedOn.AddDays(-1), UpdateBoundarySign, SignCommand{Actor: villageA})
	rounds = append(rounds, h.on(agreedOn, UpdateBoundaryRecordRound, RecordRoundCommand{Round: "r6", Outcome: RoundAgreementInPrinciple, Actor: org}))
	terms := h.onHour(agreedOn, 11, UpdateBoundarySettlement, SettlementCommand{Terms: "以J1-J2连线为界", Markers: boundaryMarkers, GrazingRules: "界线两侧各留500米缓冲区，禁牧期互不越界", Actor: org})
	signA := h.onHour(agreedOn, 12, UpdateBoundarySign, SignCommand{Actor: villageA})
	signAAgain := h.onHour(agreedOn, 13, UpdateBoundarySign, SignCommand{Actor: villageA})
	signStranger := h.onHour(agreedOn, 13, UpdateBoundarySign, SignCommand{Actor: casefile.Actor{Subject: "village-c", Role: casefile.RoleParty}})
	signB := h.onHour(agreedOn, 14, UpdateBoundarySign, SignCommand{Actor: villageB})

	// Follow-ups every 6 months for 3 years, each recorded on its due day.
	reg, err := policy.Default()
	require.NoError(t, err)
	var dues []policy.Date
	var visits []*boundaryResult
	for k := 1; k <= 6; k++ {
		due, err := reg.Deadline("CN-15-ALS", agreedOn, policy.Months(6*k))
		require.NoError(t, err)
		dues = append(dues, due)
		visits = append(visits, h.on(due, UpdateBoundaryRecordFollowUp, BoundaryFollowUpCommand{
			Holds: true, Note: "界桩完好，协议履行良好", Actor: org,
			Checks: []BoundaryMarkerCheck{{Marker: "J1", Status: MarkerIntact}, {Marker: "J2", Status: MarkerIntact}},
		}))
	}
	require.Equal(t, policy.NewDate(2027, 2, 9), dues[0], "2027-02-07 is a Sunday, 8 February the third day of the Spring Festival by rule")
	// A visit before its day is refused.
	earlyVisit := h.on(dues[1].AddDays(-20), UpdateBoundaryRecordFollowUp, BoundaryFollowUpCommand{Holds: true, Actor: org})
	midway := h.stateAt(dues[0].Start().Add(12 * time.Hour).Sub(h.start))

	h.env.ExecuteWorkflow(Boundary, boundaryInput())
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	var res BoundaryResult
	require.NoError(t, h.env.GetWorkflowResult(&res))
	require.Equal(t, BoundaryResult{Stage: BoundaryClosed, Outcome: BoundarySettled}, res)

	v := requireBoundaryOK(t, "assign leader", leader)
	require.Equal(t, policy.NewDate(2026, 9, 10), v.ResolveBy, "3 months from 2026-06-10")
	v = requireBoundaryOK(t, "stabilise", stab)
	require.Equal(t, "苏木镇派出所", v.Stabilisations[0].ResponsibleUnit)
	for i, r := range rounds {
		requireBoundaryOK(t, fmt.Sprintf("round command %d", i), r)
	}
	requireBoundaryRejected(t, "escalation after two village rounds", early, RejectConflict)
	v = requireBoundaryOK(t, "escalate to township", toTownship)
	require.Equal(t, TierTownship, v.Tier)
	require.Equal(t, 3, v.HeldRounds[TierVillage])
	v = requireBoundaryOK(t, "escalate to county", toCounty)
	require.Equal(t, TierCounty, v.Tier)
	requireBoundaryRejected(t, "escalation beyond the county", beyondCounty, RejectConflict)
	requireBoundaryRejected(t, "signing before the terms", signEarly, RejectConflict)
	v = requireBoundaryOK(t, "terms", terms)
	require.Equal(t, BoundarySigning, v.Stage)
	requireBoundaryOK(t, "A signs", signA)
	requireBoundaryRejected(t, "A signs again", signAAgain, RejectConflict)
	requireBoundaryRejected(t, "a stranger signs", signStranger, RejectForbidden)
	v = requireBoundaryOK(t, "B signs", signB)
	require.Equal(t, BoundaryMonitoring, v.Stage)
	require.Equal(t, agreedOn, v.Settlement.EffectiveOn)
	require.Len(t, v.Settlement.Signatures, 2)
	require.Equal(t, "王建国", v.Settlement.Signatures[1].SignedBy)
	require.Len(t, v.FollowUps, 6)
	for i, f := range v.FollowUps {
		require.Equal(t, dues[i], f.DueOn, "visit %d", i+1)
	}
	requireBoundaryRejected(t, "a visit before its day", earlyVisit, RejectConflict)
	for i, r := range visits {
		requireBoundaryOK(t, fmt.Sprintf("visit %d", i+1), r)
	}

	require.Equal(t, BoundaryMonitoring, midway.Stage)
	require.Equal(t, boundaryLeader.Subject, midway.CaseLeader)
	require.False(t, midway.Overdue, "settled before the resolution deadline")
	require.Equal(t, MarkerIntact, midway.Settlement.Markers[0].Status)

	want := []string{"boundary_opened", "case_leader_assigned", "stabilisation_measure"}
	for range 3 {
		want = append(want, "round_scheduled", "round_held")
	}
	// The June measure comes up for review the day after the escalation.
	want = append(want, "escalated", "stabilisation_review_due")
	for range 2 {
		want = append(want, "round_scheduled", "round_held")
	}
	want = append(want, "escalated", "round_scheduled", "round_held",
		"settlement_terms_recorded", "settlement_signed", "settlement_signed", "settlement_effective")
	for range 6 {
		want = append(want, "follow_up_due", "follow_up_visit")
	}
	want = append(want, "boundary_closed")
	require.Equal(t, want, h.kinds())
	require.Equal(t, opened.AddDays(10), h.events[10].CaseOn)
	require.Equal(t, casefile.System, h.events[10].Actor)

	s := h.summary
	require.Equal(t, casefile.ProcessBoundary, s.Process)
	require.Equal(t, casefile.StatusClosed, s.Status)
	require.Equal(t, casefile.Resolved, s.Resolution)
	require.Equal(t, []string{villageA.Subject, villageB.Subject}, s.Parties)
	require.Equal(t, boundaryLeader.Subject, s.CaseLeader)
	require.Equal(t, boundaryOrganiser.Subject, s.Mediator)
	require.Equal(t, dues[5], s.ClosedOn)
	require.Nil(t, s.NextDeadline)
	require.Equal(t, len(h.events), s.LastSeq)
}

func TestBoundaryResolutionDeadlinePasses(t *testing.T) {
	opened := policy.NewDate(2026, 6, 10)
	h := newBoundaryHarness(t, opened.Start().Add(9*time.Hour))
	in := boundaryInput()
	in.CaseLeader = boundaryLeader.Subject
	before := h.stateAt(day(80))
	after := h.stateAt(day(100))
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, day(101))
	h.env.ExecuteWorkflow(Boundary, in)
	require.ErrorContains(t, h.env.GetWorkflowError(), "canceled")

	resolveBy := policy.NewDate(2026, 9, 10)
	require.Equal(t, resolveBy, before.ResolveBy)
	require.False(t, before.Overdue)
	require.True(t, after.Overdue)
	require.Equal(t, []string{"boundary_opened", "case_leader_assigned", "resolution_deadline_passed"}, h.kinds())
	require.Equal(t, casefile.System, h.events[2].Actor)
	require.Equal(t, resolveBy.AddDays(1), h.events[2].CaseOn, "the step is dated the day after the last day")
	// The ledger keeps the passed deadline, so it lists the case overdue
	// under its case leader.
	require.Equal(t, boundaryLeader.Subject, h.summary.CaseLeader)
	require.NotNil(t, h.summary.NextDeadline)
	require.Equal(t, "resolution_deadline", h.summary.NextDeadline.Kind)
	require.Equal(t, resolveBy, h.summary.NextDeadline.On)
	require.True(t, resolveBy.End().Equal(h.summary.NextDeadline.At), "got %s, want %s", h.summary.NextDeadline.At, resolveBy.End())
	require.Equal(t, casefile.StatusOpen, h.summary.Status)
}

func TestBoundaryRefusesBadCommands(t *testing.T) {
	opened := policy.NewDate(2026, 6, 10)
	outsider := casefile.Actor{Subject: "mediator-zhao", Role: casefile.RoleMediator}
	otherLeader := casefile.Actor{Subject: "leader-li", Role: casefile.RoleSupervisor}
	auditor := casefile.Actor{Subject: "auditor-chen", Role: casefile.RoleAuditor}
	tests := []struct {
		name string
		cmd  string
		body any
		kind string
	}{
		{"UnknownRound", UpdateBoundaryRecordRound, RecordRoundCommand{Round: "r9", Outcome: RoundProgress, Actor: boundaryOrganiser}, RejectInvalid},
		{"UnknownOutcome", UpdateBoundaryRecordRound, RecordRoundCommand{Round: "r1", Outcome: "settled-ish", Actor: boundaryOrganiser}, RejectInvalid},
		{"RoundBeforeItsDay", UpdateBoundaryRecordRound, RecordRoundCommand{Round: "r1", Outcome: RoundProgress, Actor: boundaryOrganiser}, RejectConflict},
		{"ScheduleInThePast", UpdateBoundaryScheduleRound, ScheduleRoundCommand{On: opened.AddDays(-1), Venue: "x", Actor: boundaryOrganiser}, RejectInvalid},
		{"ScheduleAtOtherTier", UpdateBoundaryScheduleRound, ScheduleRoundCommand{Tier: TierCounty, On: opened.AddDays(3), Venue: "x", Actor: boundaryOrganiser}, RejectConflict},
		{"ScheduleByOtherMediator", UpdateBoundaryScheduleRound, ScheduleRoundCommand{On: opened.AddDays(3), Venue: "x", Actor: outsider}, RejectForbidden},
		{"ScheduleBySupervisorNotLeader", UpdateBoundaryScheduleRound, ScheduleRoundCommand{On: opened.AddDays(3), Venue: "x", Actor: otherLeader}, RejectForbidden},
		{"ScheduleByAuditor", UpdateBoundaryScheduleRound, ScheduleRoundCommand{On: opened.AddDays(3), Venue: "x", Actor: auditor}, RejectForbidden},
		{"EscalateTooEarly", UpdateBoundaryEscalate, EscalateCommand{Actor: boundaryOrganiser}, RejectConflict},
		{"StabiliseWithoutIncident", UpdateBoundaryStabilise, StabiliseCommand{Measure: "m", ResponsibleUnit: "u", ReviewOn: opened.AddDays(5), Actor: boundaryOrganiser}, RejectInvalid},
		{"SettlementWithoutRounds", UpdateBoundarySettlement, SettlementCommand{Terms: "t", GrazingRules: "g", Markers: boundaryMarkers, Actor: boundaryOrganiser}, RejectConflict},
		{"SignByNonParty", UpdateBoundarySign, SignCommand{Actor: casefile.Actor{Subject: "village-c", Role: casefile.RoleParty}}, RejectForbidden},
		{"LeaderByMediator", UpdateBoundaryAssignLeader, AssignLeaderCommand{CaseLeader: "leader-x", Actor: boundaryOrganiser}, RejectForbidden},
		{"LeaderBySupervisorNotLeader", UpdateBoundaryAssignLeader, AssignLeaderCommand{CaseLeader: otherLeader.Subject, Actor: otherLeader}, RejectForbidden},
		{"FollowUpBeforeSettlement", UpdateBoundaryRecordFollowUp, BoundaryFollowUpCommand{Holds: true, Actor: boundaryOrganiser}, RejectConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newBoundaryHarness(t, opened.Start().Add(9*time.Hour))
			sched := h.on(opened, UpdateBoundaryScheduleRound, ScheduleRoundCommand{On: opened.AddDays(2), Venue: "嘎查会议室", Actor: boundaryOrganiser})
			r := h.at(day(0)+2*time.Hour, tt.cmd, func() any { return tt.body })
			after := h.stateAt(day(1))
			h.env.RegisterDelayedCallback(h.env.CancelWorkflow, day(1)+time.Hour)
			h.env.ExecuteWorkflow(Boundary, boundaryInput())
			requireBoundaryOK(t, "schedule", sched)
			requireBoundaryRejected(t, tt.name, r, tt.kind)
			// Nothing changed.
			require.Equal(t, []string{"boundary_opened", "round_scheduled"}, h.kinds())
			require.Equal(t, 2, after.Steps)
			require.Equal(t, BoundaryNegotiating, after.Stage)
			require.Equal(t, TierVillage, after.Tier)
		})
	}
}

// TestBoundaryContinueAsNewKeepsState runs many rounds with a tiny
// per-run step budget: the case continues as new several times, and each
// run starts from everything the last one knew.
func TestBoundaryContinueAsNewKeepsState(t *testing.T) {
	opened := policy.NewDate(2026, 6, 10)
	h := newBoundaryHarness(t, opened.Start().Add(9*time.Hour))
	in := boundaryInput()
	in.CaseLeader = boundaryLeader.Subject
	in.MaxStepsPerRun = 5

	// Eight rounds, scheduled and held on the same day, then an escalation
	// that needs the rounds held in earlier runs.
	type command struct {
		name string
		cmd  func(today policy.Date) any
	}
	var cmds []command
	for i := 1; i <= 8; i++ {
		id := fmt.Sprintf("r%d", i)
		cmds = append(cmds,
			command{UpdateBoundaryScheduleRound, func(today policy.Date) any {
				return ScheduleRoundCommand{On: today, Venue: "嘎查会议室", Actor: boundaryOrganiser}
			}},
			command{UpdateBoundaryRecordRound, func(policy.Date) any {
				return RecordRoundCommand{Round: id, Outcome: RoundNoProgress, Actor: boundaryOrganiser}
			}})
	}
	cmds = append(cmds, command{UpdateBoundaryEscalate, func(policy.Date) any {
		return EscalateCommand{Reason: "八轮未果", Actor: boundaryLeader}
	}})

	var final *BoundaryView
	next, runs := 0, 0
	for {
		runs++
		require.LessOrEqual(t, runs, 20, "the case keeps continuing as new")
		var sent []*boundaryResult
		for i := next; i < len(cmds); i++ {
			c := cmds[i]
			sent = append(sent, h.at(day(i-next+1), c.name, func() any {
				return c.cmd(policy.DateOf(h.env.Now().In(policy.CST)))
			}))
		}
		final = h.stateAt(day(len(cmds) - next + 2))
		h.env.RegisterDelayedCallback(h.env.CancelWorkflow, day(len(cmds)-next+3))
		h.env.ExecuteWorkflow(Boundary, in)
		for _, r := range sent {
			if !r.done {
				break
			}
			require.NoError(t, r.err, "command %d", next)
			next++
		}
		err := h.env.GetWorkflowError()
		var can *workflow.ContinueAsNewError
		if !errors.As(err, &can) {
			require.ErrorContains(t, err, "canceled")
			break
		}
		// The run handed over: start the next one from its input.
		in = BoundaryInput{}
		require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &in))
		require.NotNil(t, in.State)
		h.newRun(h.env.Now())
	}

	require.Equal(t, len(cmds), next, "every command was taken")
	require.GreaterOrEqual(t, runs, 4, "got %d runs, want the case to have continued as new at least 3 times", runs)
	require.Equal(t, runs, final.Runs)
	require.Len(t, final.Rounds, 8)
	require.Equal(t, 8, final.HeldRounds[TierVillage])
	require.Equal(t, TierTownship, final.Tier, "the escalation counted rounds held in earlier runs")
	require.Equal(t, boundaryLeader.Subject, final.CaseLeader)
	require.Equal(t, policy.NewDate(2026, 9, 10), final.ResolveBy)
	require.Equal(t, 3, final.VillageMinRounds, "the policy survived")
	// Opened, leader assigned, 16 round steps, the escalation: numbered
	// 1..19 without a gap or repeat across every run.
	require.Equal(t, 19, final.Steps)
	require.Len(t, h.events, 19)
	require.Equal(t, 19, h.summary.LastSeq)
	require.Equal(t, "escalated", h.events[18].Kind)
}
