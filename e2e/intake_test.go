package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/workflows"
)

// The window of a dispute-resolution centre in the sample court's
// jurisdiction.
var window = auth.Principal{Subject: "window-sun", Role: casefile.RoleDispatcher, Jurisdiction: "CN-52"}

func newIntakeNumber() string {
	return fmt.Sprintf("兴义矛调登〔2026〕%d号", time.Now().UnixNano()%1_000_000_000+caseSeq.Add(1))
}

func intakeStartBody(number string) api.StartIntakeBody {
	return api.StartIntakeBody{
		CaseNumber: number, Jurisdiction: "CN-52", Channel: "visit", Summary: "拖欠装修工程款纠纷",
		Risk: "yellow", Urgency: "ordinary",
		Parties: []api.IntakePartyBody{
			{ID: applicant.Subject, Name: "张三", Side: "applicant"},
			{ID: obligor.Subject, Name: "某建筑公司", Side: "respondent"},
		},
	}
}

func startIntake(t *testing.T, number string) api.CaseBody {
	t.Helper()
	res := do(t, realTime, &window, http.MethodPost, "/cases/intake", intakeStartBody(number))
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	require.NotNil(t, c.Intake)
	return c
}

// ipost sends an intake command as p and returns the case after it.
func ipost(t *testing.T, p auth.Principal, id, cmd string, body any) workflows.IntakeView {
	t.Helper()
	res := do(t, realTime, &p, http.MethodPost, "/cases/"+id+"/intake/"+cmd, body)
	require.Equal(t, http.StatusOK, res.Status, "POST %s as %s: body %s", cmd, p.Subject, res.Body)
	var c api.CaseBody
	res.json(t, &c)
	require.NotNil(t, c.Intake)
	return *c.Intake
}

func stepKinds(t *testing.T, id string) (own []string, linked map[string][]string) {
	t.Helper()
	res := do(t, realTime, &auditor, http.MethodGet, "/cases/"+id+"/timeline", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var tl api.TimelineBody
	res.json(t, &tl)
	linked = map[string][]string{}
	for _, e := range tl.Timeline {
		if e.Source != api.SourceCase {
			continue
		}
		if e.CaseID == id {
			own = append(own, e.Kind)
		} else {
			linked[e.CaseID] = append(linked[e.CaseID], e.Kind)
		}
	}
	return own, linked
}

// TestIntakeToMediationThroughTheAPI registers a dispute at the window,
// dispatches it to the court, which finds it needs a court process and
// converts it into a Process 1 mediation case, linked both ways.
func TestIntakeToMediationThroughTheAPI(t *testing.T) {
	number := newIntakeNumber()
	c := startIntake(t, number)
	id := c.Summary.ID
	require.Equal(t, workflows.CaseID(number), id)
	require.Equal(t, casefile.ProcessIntake, c.Summary.Process)
	require.Equal(t, workflows.IntakeRegistered, c.Intake.Stage)
	// The same registration again answers with the same case.
	res := do(t, realTime, &window, http.MethodPost, "/cases/intake", intakeStartBody(number))
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)

	v := ipost(t, window, id, "dispatch", map[string]any{"kind": "court", "unit": "兴义市人民法院", "handler": court.Subject})
	require.Equal(t, workflows.IntakeDispatched, v.Stage)
	require.False(t, v.HandleBy.IsZero())
	ipost(t, court, id, "accept", map[string]any{})
	v = ipost(t, court, id, "outcome", map[string]any{"outcome": "needs_court", "note": "涉及工程价款结算，需诉前调解"})
	require.Equal(t, workflows.IntakeAwaitingConversion, v.Stage)

	mnumber := newCaseNumber()
	conv := map[string]any{"case_number": mnumber, "organisation": "兴义市人民调解委员会", "mediator": mediator.Subject, "claim_fen": 1_302_700}
	v = ipost(t, court, id, "convert", conv)
	require.Equal(t, workflows.IntakeConverted, v.Stage)
	mid := workflows.CaseID(mnumber)
	require.Equal(t, mid, v.Conversion.CaseID)

	// The mediation case runs on its own, delegated to the mediator, and
	// names the dispute it came from.
	var m api.CaseBody
	require.Eventually(t, func() bool {
		res := do(t, realTime, &court, http.MethodGet, "/cases/"+mid, nil)
		if res.Status != http.StatusOK {
			return false
		}
		res.json(t, &m)
		return m.Mediation != nil
	}, 15*time.Second, 100*time.Millisecond)
	require.Equal(t, id, m.Summary.SourceCaseID)
	require.Equal(t, workflows.StageMediating, m.Mediation.Stage)
	require.Equal(t, mediator.Subject, m.Summary.Mediator)
	require.Equal(t, court.Court, m.Summary.Court)
	// The dispute's parties travel by reference, and the mediation case
	// refers to the same staged list: both show them, read from it.
	require.NotNil(t, c.Intake.PartyList)
	require.Equal(t, c.Intake.PartyList, m.Mediation.PartyList)
	require.Equal(t, c.Intake.Parties, m.Mediation.Parties)
	require.Len(t, m.Mediation.Parties, c.Intake.PartyList.Parties)
	require.ElementsMatch(t, c.Summary.Parties, m.Summary.Parties)
	res = do(t, realTime, &mediator, http.MethodGet, "/cases/"+mid, nil)
	require.Equal(t, http.StatusOK, res.Status, "the mediator reads the case delegated to them")

	// A second conversion is refused, and changes nothing.
	res = do(t, realTime, &court, http.MethodPost, "/cases/"+id+"/intake/convert", conv)
	require.Equal(t, http.StatusConflict, res.Status, "body: %s", res.Body)
	res.problem(t)

	// The intake case is closed, its timeline holds its steps and those of
	// the mediation case it became.
	res = do(t, realTime, &window, http.MethodGet, "/cases/"+id, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	res.json(t, &c)
	require.Equal(t, casefile.StatusClosed, c.Summary.Status)
	require.Equal(t, workflows.IntakeConvertedOutcome, c.Summary.Outcome)
	own, linked := stepKinds(t, id)
	require.Equal(t, []string{"intake_registered", "intake_dispatched", "intake_accepted", "intake_outcome_recorded", "converted_to_mediation"}, own)
	require.Contains(t, linked[mid], "delegated")

	// The window lists it in the ledger, and lists only intake cases.
	res = do(t, realTime, &window, http.MethodGet, "/ledger?process=intake&limit=500", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var page api.LedgerBody
	res.json(t, &page)
	found := false
	for _, e := range page.Cases {
		found = found || e.Summary.ID == id
	}
	require.True(t, found, "the ledger lists the intake case")
	res = do(t, realTime, &window, http.MethodGet, "/ledger?process=mediation", nil)
	require.Equal(t, http.StatusForbidden, res.Status, "body: %s", res.Body)
	res = do(t, realTime, &window, http.MethodGet, "/cases/"+mid, nil)
	require.Equal(t, http.StatusNotFound, res.Status, "the window does not read mediation cases")

	var stats api.StatisticsBody
	res = do(t, realTime, &auditor, http.MethodGet, "/statistics", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	res.json(t, &stats)
	require.GreaterOrEqual(t, stats.Intake.Received, int64(1))
	require.GreaterOrEqual(t, stats.Intake.Converted, int64(1))
	require.GreaterOrEqual(t, stats.Intake.Dispatched, int64(1))

	// Its history replays with today's code (and, with
	// CASEWORK_UPDATE_TESTDATA=1, is kept in workflows/testdata).
	require.NoError(t, temporal.GetWorkflow(t.Context(), workflows.IntakeWorkflowID(id), "").Get(t.Context(), nil))
	replayAndKeep(t, "v5_intake_converted", workflows.IntakeWorkflowID(id))
	// v7: registered since, with its parties by reference.
	replayAndKeep(t, "v7_intake_parties_by_reference_converted", workflows.IntakeWorkflowID(id))
}

// TestIntakeRatingThroughTheAPI takes a dispute to a mediator who resolves
// it; a party rates the handling once, and the statistics count it.
func TestIntakeRatingThroughTheAPI(t *testing.T) {
	c := startIntake(t, newIntakeNumber())
	id := c.Summary.ID
	ipost(t, window, id, "dispatch", map[string]any{"kind": "mediation_committee", "unit": "兴义市人民调解委员会", "handler": mediator.Subject})
	res := do(t, realTime, &otherMed, http.MethodPost, "/cases/"+id+"/intake/accept", map[string]any{})
	require.Equal(t, http.StatusNotFound, res.Status, "another mediator does not see the case: %s", res.Body)
	ipost(t, mediator, id, "accept", map[string]any{})
	v := ipost(t, mediator, id, "regrade", map[string]any{"risk": "red", "reason": "一方扬言上访"})
	require.Equal(t, "urgent", v.Urgency)
	require.True(t, v.CaseLeaderRequired)
	v = ipost(t, window, id, "case-leader", map[string]any{
		"lead_department": "兴义市委政法委", "leader": supervisor.Subject, "cooperating_units": []string{"司法局", "住建局"},
		"measures": "一案一档，包案化解",
	})
	require.Equal(t, supervisor.Subject, v.CaseLeader.Leader)
	require.False(t, v.CaseLeader.ResolveBy.IsZero())
	v = ipost(t, mediator, id, "outcome", map[string]any{"outcome": "resolved", "note": "当场达成还款协议"})
	require.Equal(t, workflows.IntakeFollowingUp, v.Stage)
	require.True(t, v.Result.OnTime)
	require.Len(t, v.FollowUps, 2)

	v = ipost(t, applicant, id, "rating", map[string]any{"score": 4, "comment": "调解员很耐心"})
	require.Len(t, v.Ratings, 1)
	require.Equal(t, 4, v.Ratings[0].Score)
	res = do(t, realTime, &applicant, http.MethodPost, "/cases/"+id+"/intake/rating", map[string]any{"score": 5})
	require.Equal(t, http.StatusConflict, res.Status, "body: %s", res.Body)
	res.problem(t)

	res = do(t, realTime, &supervisor, http.MethodGet, "/statistics", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var stats api.StatisticsBody
	res.json(t, &stats)
	require.GreaterOrEqual(t, stats.Intake.Ratings, int64(1))
	require.GreaterOrEqual(t, stats.Intake.Resolved, int64(1))
	require.GreaterOrEqual(t, stats.Intake.HandledOnTime, int64(1))
	require.NotEmpty(t, stats.Intake.AverageRating.Value)

	own, _ := stepKinds(t, id)
	require.Equal(t, []string{"intake_registered", "intake_dispatched", "intake_accepted", "risk_regraded", "case_leader_recorded", "intake_outcome_recorded", "intake_rated"}, own)

	// This week's list (the case runs in real time, so its case dates are
	// today's) holds it among the new disputes, with the steps it took.
	y, w := c.Intake.OpenedOn.Start().ISOWeek()
	week := fmt.Sprintf("%04d-W%02d", y, w)
	res = do(t, realTime, &window, http.MethodGet, "/intake/weekly?week="+week, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var weekly api.WeeklyBody
	res.json(t, &weekly)
	require.Equal(t, week, weekly.Week)
	require.Equal(t, "CN-52", weekly.Jurisdiction)
	var listed *db.WeeklyCase
	for i := range weekly.New {
		if weekly.New[i].ID == id {
			listed = &weekly.New[i]
		}
	}
	require.NotNil(t, listed, "the dispute is among the week's new ones")
	require.Contains(t, listed.Steps, "intake_rated")
	for _, bad := range []string{"2026-W54", "2026-11", "x"} {
		res = do(t, realTime, &window, http.MethodGet, "/intake/weekly?week="+bad, nil)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "week %s: body %s", bad, res.Body)
		res.problem(t)
	}
	res = do(t, realTime, &window, http.MethodGet, "/intake/weekly?jurisdiction=CN-11", nil)
	require.Equal(t, http.StatusForbidden, res.Status, "body: %s", res.Body)

	// The audit trail verifies, checked against the workflow's history.
	vb := verify(t, realTime, &auditor, id)
	require.Equal(t, "intact", vb.State, "breaks: %+v", vb.Breaks)
	require.Equal(t, 7, vb.Entries)

	// A history need not be complete to replay: this one waits for its
	// follow-up visits.
	replayAndKeep(t, "v5_intake_rated", workflows.IntakeWorkflowID(id))
	// v7: registered since, with its parties by reference.
	replayAndKeep(t, "v7_intake_parties_by_reference_rated", workflows.IntakeWorkflowID(id))
}

// TestIntakeHostileInput sends what the API must refuse, each answered
// with a 4xx problem+json that says why; the case is still usable after.
func TestIntakeHostileInput(t *testing.T) {
	opens := []struct {
		name   string
		as     auth.Principal
		mutate func(*api.StartIntakeBody)
		want   int
	}{
		{"unknown channel", window, func(b *api.StartIntakeBody) { b.Channel = "fax" }, http.StatusUnprocessableEntity},
		{"unknown urgency tier", window, func(b *api.StartIntakeBody) { b.Urgency = "asap" }, http.StatusUnprocessableEntity},
		{"unknown risk grade", window, func(b *api.StartIntakeBody) { b.Risk = "purple" }, http.StatusUnprocessableEntity},
		{"no parties", window, func(b *api.StartIntakeBody) { b.Parties = nil }, http.StatusUnprocessableEntity},
		{"party listed twice", window, func(b *api.StartIntakeBody) { b.Parties[1].ID = b.Parties[0].ID }, http.StatusUnprocessableEntity},
		{"blank summary", window, func(b *api.StartIntakeBody) { b.Summary = "" }, http.StatusUnprocessableEntity},
		{"outside the window's jurisdiction", window, func(b *api.StartIntakeBody) { b.Jurisdiction = "CN-11" }, http.StatusForbidden},
		{"opened by a mediator", mediator, func(*api.StartIntakeBody) {}, http.StatusForbidden},
	}
	for _, tt := range opens {
		t.Run("open/"+tt.name, func(t *testing.T) {
			b := intakeStartBody(newIntakeNumber())
			tt.mutate(&b)
			res := do(t, realTime, &tt.as, http.MethodPost, "/cases/intake", b)
			require.Equal(t, tt.want, res.Status, "body: %s", res.Body)
			res.problem(t)
		})
	}

	c := startIntake(t, newIntakeNumber())
	id := c.Summary.ID
	cmds := []struct {
		name string
		as   auth.Principal
		cmd  string
		body any
		want int
	}{
		{"dispatch by a mediator", mediator, "dispatch", map[string]any{"kind": "township", "unit": "u", "handler": mediator.Subject}, http.StatusForbidden},
		{"dispatch to an unknown kind", window, "dispatch", map[string]any{"kind": "police", "unit": "u", "handler": mediator.Subject}, http.StatusUnprocessableEntity},
		{"dispatch with no unit", window, "dispatch", map[string]any{"kind": "township", "handler": mediator.Subject}, http.StatusUnprocessableEntity},
		{"accept before dispatch", court, "accept", map[string]any{}, http.StatusConflict},
		{"return without a reason", court, "return", map[string]any{}, http.StatusUnprocessableEntity},
		{"outcome before dispatch", court, "outcome", map[string]any{"outcome": "resolved"}, http.StatusConflict},
		{"unknown outcome", court, "outcome", map[string]any{"outcome": "maybe"}, http.StatusUnprocessableEntity},
		{"re-grade with no reason", window, "regrade", map[string]any{"risk": "red", "reason": ""}, http.StatusUnprocessableEntity},
		{"re-grade to the same grade", window, "regrade", map[string]any{"risk": "yellow", "reason": "x"}, http.StatusConflict},
		{"case leader for a yellow dispute", window, "case-leader", map[string]any{"lead_department": "d", "leader": supervisor.Subject, "measures": "m"}, http.StatusConflict},
		{"case leader by a mediator", mediator, "case-leader", map[string]any{"lead_department": "d", "leader": supervisor.Subject, "measures": "m"}, http.StatusForbidden},
		{"rating of 9", applicant, "rating", map[string]any{"score": 9}, http.StatusUnprocessableEntity},
		{"rating before the outcome", applicant, "rating", map[string]any{"score": 3}, http.StatusConflict},
		{"rating by a stranger", stranger, "rating", map[string]any{"score": 3}, http.StatusNotFound},
		{"conversion by the window", window, "convert", map[string]any{"case_number": "x", "organisation": "o", "mediator": "m"}, http.StatusForbidden},
		{"conversion before the outcome", court, "convert", map[string]any{"case_number": newCaseNumber(), "organisation": "o", "mediator": "m", "claim_fen": 0}, http.StatusConflict},
		{"conversion without its claim", court, "convert", map[string]any{"case_number": newCaseNumber(), "organisation": "o", "mediator": "m"}, http.StatusUnprocessableEntity},
		{"follow-up before the outcome", window, "follow-ups", map[string]any{"holds": true}, http.StatusConflict},
		{"not JSON", window, "dispatch", []byte("{kind: township"), http.StatusBadRequest},
	}
	for _, tt := range cmds {
		t.Run("command/"+tt.name, func(t *testing.T) {
			res := do(t, realTime, &tt.as, http.MethodPost, "/cases/"+id+"/intake/"+tt.cmd, tt.body)
			if tt.want == http.StatusBadRequest {
				require.True(t, res.Status >= 400 && res.Status < 500, "got %d: %s", res.Status, res.Body)
			} else {
				require.Equal(t, tt.want, res.Status, "body: %s", res.Body)
			}
			res.problem(t)
		})
	}
	res := do(t, realTime, &window, http.MethodPost, "/cases/cnosuchcase2345aa/intake/dispatch", map[string]any{"kind": "township", "unit": "u", "handler": "h"})
	require.Equal(t, http.StatusNotFound, res.Status, "body: %s", res.Body)
	res.problem(t)

	// Nothing was recorded, and the case still takes a good command.
	own, _ := stepKinds(t, id)
	require.Equal(t, []string{"intake_registered"}, own)
	v := ipost(t, window, id, "dispatch", map[string]any{"kind": "township", "unit": "兴义市桔山街道综治中心", "handler": mediator.Subject})
	require.Equal(t, workflows.IntakeDispatched, v.Stage)
}

// TestIntakeToBoundaryThroughTheAPI converts a dispute the court found
// needs more than the window into a boundary negotiation, linked both ways.
func TestIntakeToBoundaryThroughTheAPI(t *testing.T) {
	c := startIntake(t, newIntakeNumber())
	id := c.Summary.ID
	ipost(t, window, id, "dispatch", map[string]any{"kind": "court", "unit": "兴义市人民法院", "handler": court.Subject})
	ipost(t, court, id, "accept", map[string]any{})
	ipost(t, court, id, "outcome", map[string]any{"outcome": "needs_court", "note": "跨村草场边界，需三二一协商"})

	bnumber := newCaseNumber()
	parties := []map[string]any{
		{"id": applicant.Subject, "jurisdiction": "CN-52-XY", "representative": "张三"},
		{"id": obligor.Subject, "jurisdiction": "CN-52-AL", "representative": "李经理"},
	}
	body := map[string]any{"case_number": bnumber, "organiser": mediator.Subject, "since": 1998, "parties": parties}
	for _, bad := range []struct {
		name string
		as   auth.Principal
		body map[string]any
		want int
	}{
		{"by the window", window, body, http.StatusForbidden},
		{"by a supervisor not leading it", supervisor, body, http.StatusForbidden},
		{"one party", court, map[string]any{"case_number": bnumber, "organiser": mediator.Subject, "parties": parties[:1]}, http.StatusUnprocessableEntity},
		{"a stranger", court, map[string]any{"case_number": bnumber, "organiser": mediator.Subject, "parties": []map[string]any{parties[0], {"id": "nobody", "jurisdiction": "CN-52", "representative": "x"}}}, http.StatusUnprocessableEntity},
		{"the dispute's own number, in use", court, map[string]any{"case_number": c.Summary.CaseNumber, "organiser": mediator.Subject, "parties": parties}, http.StatusConflict},
	} {
		res := do(t, realTime, &bad.as, http.MethodPost, "/cases/"+id+"/intake/convert-boundary", bad.body)
		require.Equal(t, bad.want, res.Status, "%s: body %s", bad.name, res.Body)
		res.problem(t)
	}
	v := ipost(t, court, id, "convert-boundary", body)
	bid := workflows.CaseID(bnumber)
	require.Equal(t, workflows.IntakeConverted, v.Stage)
	require.Equal(t, "boundary", v.Conversion.Process)
	require.Equal(t, bid, v.Conversion.CaseID)

	var b api.CaseBody
	require.Eventually(t, func() bool {
		res := do(t, realTime, &court, http.MethodGet, "/cases/"+bid, nil)
		if res.Status != http.StatusOK {
			return false
		}
		res.json(t, &b)
		return b.Boundary != nil
	}, 15*time.Second, 100*time.Millisecond)
	require.Equal(t, id, b.Summary.SourceCaseID)
	require.Equal(t, casefile.ProcessBoundary, b.Summary.Process)
	require.Equal(t, id, b.Boundary.SourceCaseID)
	require.Equal(t, mediator.Subject, b.Boundary.Organiser)
	require.Equal(t, "某建筑公司", b.Boundary.Parties[1].Name)

	res := do(t, realTime, &court, http.MethodPost, "/cases/"+id+"/intake/convert-boundary", body)
	require.Equal(t, http.StatusConflict, res.Status, "body: %s", res.Body)
	res.problem(t)
	own, linked := stepKinds(t, id)
	require.Equal(t, "converted_to_boundary", own[len(own)-1])
	require.Contains(t, linked[bid], "boundary_opened")

	require.NoError(t, temporal.GetWorkflow(t.Context(), workflows.IntakeWorkflowID(id), "").Get(t.Context(), nil))
	replayAndKeep(t, "v5_intake_converted_boundary", workflows.IntakeWorkflowID(id))
	// v7: registered since, with its parties by reference.
	replayAndKeep(t, "v7_intake_parties_by_reference_boundary", workflows.IntakeWorkflowID(id))
}

// TestIntakeMonthlyJointReviewThroughTheAPI lets an urgent dispute's
// handling go overdue in compressed time, records the joint meeting's
// review of it and finds it reviewed in the month's list.
func TestIntakeMonthlyJointReviewThroughTheAPI(t *testing.T) {
	b := intakeStartBody(newIntakeNumber())
	b.Urgency = "urgent"
	res := do(t, fast, &window, http.MethodPost, "/cases/intake", b)
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	id := c.Summary.ID
	send := func(p auth.Principal, cmd string, body any) response {
		return do(t, fast, &p, http.MethodPost, "/cases/"+id+"/intake/"+cmd, body)
	}
	res = send(window, "dispatch", map[string]any{"kind": "township", "unit": "兴义市桔山街道综治中心", "handler": mediator.Subject})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	review := map[string]any{"meeting_on": "2026-01-05", "participants": []string{"市委政法委", "桔山街道"}, "decision": "redispatch", "reason": "超期未办结"}
	res = send(window, "joint-review", review)
	require.Equal(t, http.StatusConflict, res.Status, "never overdue yet: %s", res.Body)
	res.problem(t)

	var v workflows.IntakeView
	require.Eventually(t, func() bool {
		r := do(t, fast, &window, http.MethodGet, "/cases/"+id, nil)
		var cb api.CaseBody
		r.json(t, &cb)
		v = *cb.Intake
		return v.Overdue
	}, 15*time.Second, 50*time.Millisecond)
	month := v.HandleBy.AddDays(1).String()[:7]
	review["month"], review["meeting_on"] = month, v.CaseToday.String()
	for _, bad := range []struct {
		name  string
		as    auth.Principal
		patch map[string]any
		want  int
	}{
		{"by a mediator", mediator, nil, http.StatusForbidden},
		{"no participants", window, map[string]any{"participants": []string{}}, http.StatusUnprocessableEntity},
		{"unknown decision", window, map[string]any{"decision": "wait"}, http.StatusUnprocessableEntity},
		{"not a date", window, map[string]any{"meeting_on": "2026-02-30"}, http.StatusUnprocessableEntity},
		{"a new date after 2199", window, map[string]any{"decision": "new_resolution_date", "resolve_by": "2300-01-01"}, http.StatusUnprocessableEntity},
		{"a meeting not yet held", window, map[string]any{"meeting_on": "2199-12-31"}, http.StatusUnprocessableEntity},
		{"month 13", window, map[string]any{"month": "2026-13"}, http.StatusUnprocessableEntity},
	} {
		body := map[string]any{}
		for k, x := range review {
			body[k] = x
		}
		for k, x := range bad.patch {
			body[k] = x
		}
		res := send(bad.as, "joint-review", body)
		require.Equal(t, bad.want, res.Status, "%s: body %s", bad.name, res.Body)
		res.problem(t)
	}
	res = send(window, "joint-review", review)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	own, _ := stepKinds(t, id)
	require.Contains(t, own, "joint_meeting_reviewed")

	res = do(t, fast, &window, http.MethodGet, "/intake/monthly?month="+month, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var m api.MonthlyBody
	res.json(t, &m)
	require.Equal(t, month, m.Month)
	require.Equal(t, "CN-52", m.Jurisdiction)
	var listed *db.MonthlyCase
	for i := range m.Cases {
		if m.Cases[i].ID == id {
			listed = &m.Cases[i]
		}
	}
	require.NotNil(t, listed, "the overdue dispute is in its month's list")
	require.True(t, listed.Reviewed)
	require.Equal(t, "redispatch", listed.ReviewDecision)
	require.Equal(t, v.HandleBy, listed.HandleBy)
	require.Equal(t, "urgent", listed.Urgency)
	require.Equal(t, "yellow", listed.Risk)
	require.False(t, listed.HasCaseLeader)
	require.GreaterOrEqual(t, m.Counts.Reviewed, int64(1))
	require.Equal(t, m.Counts.Overdue, m.Counts.Reviewed+m.Counts.NotReviewed)
	// The dispute is still open; its history so far replays.
	replayAndKeep(t, "v5_intake_joint_review", workflows.IntakeWorkflowID(id))

	for _, q := range []struct {
		as   auth.Principal
		q    string
		want int
	}{
		{auditor, "month=" + month, http.StatusOK}, {supervisor, "month=" + month, http.StatusOK}, {court, "month=" + month, http.StatusOK},
		{mediator, "month=" + month, http.StatusForbidden}, {window, "month=2026-13", http.StatusUnprocessableEntity},
		{window, "month=1899-12", http.StatusUnprocessableEntity}, {window, "jurisdiction=CN-11", http.StatusForbidden},
	} {
		res = do(t, fast, &q.as, http.MethodGet, "/intake/monthly?"+q.q, nil)
		require.Equal(t, q.want, res.Status, "%s %s: body %s", q.as.Role, q.q, res.Body)
		if q.want != http.StatusOK {
			res.problem(t)
		}
	}
}
