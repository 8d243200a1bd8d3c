package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// boundaryScale runs 120 legal days per real second: three years of
// follow-up visits pass in about nine seconds.
const boundaryScale = 120 * 86400

// Users of the boundary story: two villages in two prefectures, the
// mediator organising the talks, the case leader and another supervisor
// of the same region who does not lead the case.
var (
	gachaA      = auth.Principal{Subject: "gacha-a", Role: casefile.RoleParty}
	villageB    = auth.Principal{Subject: "village-b", Role: casefile.RoleParty}
	bOrganiser  = auth.Principal{Subject: "mediator-bao", Role: casefile.RoleMediator}
	bLeader     = auth.Principal{Subject: "leader-gao", Role: casefile.RoleSupervisor, Jurisdiction: "CN-15"}
	bSupervisor = auth.Principal{Subject: "leader-wu", Role: casefile.RoleSupervisor, Jurisdiction: "CN-15"}
	bAuditor    = auth.Principal{Subject: "auditor-nm", Role: casefile.RoleAuditor, Jurisdiction: "CN-15"}
)

func newBoundaryNumber() string {
	return fmt.Sprintf("（2026）内2921调%d号", time.Now().UnixNano()%1_000_000_000+caseSeq.Add(1))
}

func boundaryStartBody(number string) api.StartBoundaryBody {
	return api.StartBoundaryBody{
		CaseNumber: number, Jurisdiction: "CN-15-ALS", Title: "甲嘎查与乙村草场边界纠纷", Since: 1985,
		CaseLeader: bLeader.Subject, Organiser: bOrganiser.Subject,
		Parties: []api.BoundaryPartyBody{
			{ID: gachaA.Subject, Name: "甲嘎查村民委员会", Jurisdiction: "CN-15-ALS", Representative: "巴特尔"},
			{ID: villageB.Subject, Name: "乙村村民委员会", Jurisdiction: "CN-62-ZY", Representative: "王建国"},
		},
	}
}

func startBoundary(t *testing.T, srv *httptest.Server, body api.StartBoundaryBody) api.CaseBody {
	t.Helper()
	res := do(t, srv, &bLeader, http.MethodPost, "/cases/boundary", body)
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	require.NotNil(t, c.Boundary)
	return c
}

// bpost sends a boundary command as p and returns the case after it.
func bpost(t *testing.T, srv *httptest.Server, p auth.Principal, path string, body any) workflows.BoundaryView {
	t.Helper()
	res := do(t, srv, &p, http.MethodPost, path, body)
	require.Equal(t, http.StatusOK, res.Status, "POST %s as %s: body %s", path, p.Subject, res.Body)
	var c api.CaseBody
	res.json(t, &c)
	require.NotNil(t, c.Boundary)
	return *c.Boundary
}

// boundaryState reads the case's live state as the auditor.
func boundaryState(t *testing.T, srv *httptest.Server, id string) api.CaseBody {
	t.Helper()
	res := do(t, srv, &bAuditor, http.MethodGet, "/cases/"+id, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	return c
}

// caseToday is the case's legal date now, from its clock (a query's
// case_today is as of the workflow's last step, which stands still while
// the case waits).
func caseToday(t *testing.T, srv *httptest.Server, id string) policy.Date {
	t.Helper()
	clock := boundaryState(t, srv, id).Summary.Clock
	return policy.DateOf(clock.CaseTime(time.Now()))
}

// awaitCaseDay waits until the case's clock has reached day.
func awaitCaseDay(t *testing.T, srv *httptest.Server, id string, day policy.Date) {
	t.Helper()
	clock := boundaryState(t, srv, id).Summary.Clock
	require.Eventually(t, func() bool {
		return !policy.DateOf(clock.CaseTime(time.Now())).Before(day)
	}, 20*time.Second, 5*time.Millisecond, "case day %s never came", day)
}

// holdRound schedules a round 15 days ahead (125 ms at this scale, so the
// date is not past by the time the request arrives even on a loaded
// machine; 5 days, 42 ms, was not), waits for its day and records it.
func holdRound(t *testing.T, srv *httptest.Server, id string, as auth.Principal, venue, outcome string) workflows.BoundaryView {
	t.Helper()
	on := caseToday(t, srv, id).AddDays(15)
	v := bpost(t, srv, as, "/cases/"+id+"/boundary/rounds", map[string]any{"on": on, "venue": venue})
	r := v.Rounds[len(v.Rounds)-1]
	require.Equal(t, on, r.ScheduledOn)
	awaitCaseDay(t, srv, id, on)
	return bpost(t, srv, as, "/cases/"+id+"/boundary/rounds/"+r.ID+"/record", map[string]any{"outcome": outcome, "note": "双方陈述意见"})
}

// peopleSteps are the case's boundary steps taken by people, not by the
// passing of time, which goes on under compressed time.
func peopleSteps(t *testing.T, id string) []string {
	t.Helper()
	entries, err := store.Timeline(t.Context(), id)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if e.Stream == "boundary" && e.Actor.Role != casefile.RoleSystem {
			out = append(out, fmt.Sprintf("%d:%s", e.Seq, e.Kind))
		}
	}
	return out
}

// requireRefused sends a hostile request and checks it was answered with
// status as problem+json and changed nothing.
func requireRefused(t *testing.T, srv *httptest.Server, id string, p auth.Principal, path string, body any, status int) {
	t.Helper()
	before := peopleSteps(t, id)
	res := do(t, srv, &p, http.MethodPost, path, body)
	require.Equal(t, status, res.Status, "POST %s as %s: body %s", path, p.Subject, res.Body)
	res.problem(t)
	require.Equal(t, before, peopleSteps(t, id), "a refused request changed nothing")
}

// TestBoundaryStory runs seed 000's boundary dispute through the API under
// compressed time: a June flare-up stabilised, three village rounds, two at
// the township, the county, a settlement signed by both villages, then
// follow-ups every six months for three years, and hostile requests
// refused along the way.
func TestBoundaryStory(t *testing.T) {
	srv := newServer(t, boundaryScale)
	number := newBoundaryNumber()
	c := startBoundary(t, srv, boundaryStartBody(number))
	id := c.Summary.ID
	base := "/cases/" + id + "/boundary"
	require.Equal(t, casefile.ProcessBoundary, c.Summary.Process)
	require.Equal(t, []string{gachaA.Subject, villageB.Subject}, c.Summary.Parties)
	require.Equal(t, bLeader.Subject, c.Summary.CaseLeader)
	require.Equal(t, workflows.TierVillage, c.Boundary.Tier)
	require.False(t, c.Boundary.ResolveBy.IsZero())

	// The same request again answers with the same case; another dispute
	// under the number is refused.
	res := do(t, srv, &bLeader, http.MethodPost, "/cases/boundary", boundaryStartBody(number))
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	other := boundaryStartBody(number)
	other.Organiser = "mediator-other"
	res = do(t, srv, &bLeader, http.MethodPost, "/cases/boundary", other)
	require.Equal(t, http.StatusConflict, res.Status, "body: %s", res.Body)
	res.problem(t)

	// The June flare-up, stabilised by the case leader.
	today := c.Boundary.CaseToday
	v := bpost(t, srv, bLeader, base+"/stabilisation", map[string]any{
		"incident": "6月两村牧民在争议草场发生冲突", "measure": "双方牲畜撤出争议区，派驻工作组",
		"responsible_unit": "苏木镇派出所", "review_on": today.AddDays(30),
	})
	require.Len(t, v.Stabilisations, 1)

	// Village tier: escalation is refused until three rounds are held.
	for i := range 3 {
		if i == 2 {
			requireRefused(t, srv, id, bOrganiser, base+"/escalation", map[string]any{"reason": "too soon"}, http.StatusConflict)
		}
		holdRound(t, srv, id, bOrganiser, "嘎查会议室", workflows.RoundProgress)
	}
	v = bpost(t, srv, bLeader, base+"/escalation", map[string]any{"to": "township", "reason": "村级三轮未果"})
	require.Equal(t, workflows.TierTownship, v.Tier)
	for range 2 {
		holdRound(t, srv, id, bOrganiser, "苏木镇政府", workflows.RoundNoProgress)
	}
	v = bpost(t, srv, bOrganiser, base+"/escalation", map[string]any{"reason": "乡级两轮未果"})
	require.Equal(t, workflows.TierCounty, v.Tier)
	requireRefused(t, srv, id, bOrganiser, base+"/escalation", map[string]any{}, http.StatusConflict)

	// The county round reaches agreement ("7 August").
	v = holdRound(t, srv, id, bLeader, "旗联合党组织", workflows.RoundAgreementInPrinciple)
	require.Equal(t, map[string]int{"village": 3, "township": 2, "county": 1}, v.HeldRounds)

	// Hostile requests: each refused with a problem, nothing changed.
	requireRefused(t, srv, id, gachaA, base+"/settlement/signatures", map[string]any{}, http.StatusConflict)
	requireRefused(t, srv, id, bOrganiser, base+"/rounds/r99/record", map[string]any{"outcome": "progress"}, http.StatusUnprocessableEntity)
	requireRefused(t, srv, id, bOrganiser, base+"/rounds/r1/record", map[string]any{"outcome": "progress"}, http.StatusConflict)
	requireRefused(t, srv, id, bSupervisor, base+"/rounds", map[string]any{"on": today.AddDays(400), "venue": "x"}, http.StatusForbidden)
	requireRefused(t, srv, id, bAuditor, base+"/settlement", map[string]any{}, http.StatusForbidden)
	requireRefused(t, srv, id, otherMed, base+"/follow-ups", map[string]any{"holds": true}, http.StatusNotFound)
	settlement := map[string]any{
		"terms": "以J1-J2连线为界，双方共同维护界桩", "grazing_rules": "界线两侧各留500米缓冲区，禁牧期互不越界",
		"markers": []map[string]any{
			{"id": "J1", "description": "北界桩，山口", "coordinates": "E101.2041,N38.9120"},
			{"id": "J2", "description": "南界桩，河湾", "coordinates": "E101.2233,N38.8815"},
		},
	}
	v = bpost(t, srv, bOrganiser, base+"/settlement", settlement)
	require.Equal(t, workflows.BoundarySigning, v.Stage)

	v = bpost(t, srv, gachaA, base+"/settlement/signatures", map[string]any{})
	require.Len(t, v.Settlement.Signatures, 1)
	require.Equal(t, "巴特尔", v.Settlement.Signatures[0].SignedBy)
	requireRefused(t, srv, id, gachaA, base+"/settlement/signatures", map[string]any{}, http.StatusConflict)
	requireRefused(t, srv, id, stranger, base+"/settlement/signatures", map[string]any{}, http.StatusNotFound)
	v = bpost(t, srv, villageB, base+"/settlement/signatures", map[string]any{})
	require.Equal(t, workflows.BoundaryMonitoring, v.Stage)
	effective := v.Settlement.EffectiveOn
	require.False(t, effective.IsZero())
	require.Len(t, v.FollowUps, 6, "every 6 months for 3 years")

	c = boundaryState(t, srv, id)
	require.Equal(t, casefile.Resolved, c.Summary.Resolution)
	require.NotNil(t, c.Summary.NextDeadline)
	require.Equal(t, v.FollowUps[0].DueOn, c.Summary.NextDeadline.On)

	// A visit before its day is refused; then each on its day, checking
	// the markers.
	requireRefused(t, srv, id, bOrganiser, base+"/follow-ups", map[string]any{"holds": true}, http.StatusConflict)
	for i, f := range v.FollowUps {
		awaitCaseDay(t, srv, id, f.DueOn)
		status := workflows.MarkerIntact
		if i == 0 {
			status = workflows.MarkerInstalled
		}
		got := bpost(t, srv, bOrganiser, base+"/follow-ups", map[string]any{
			"holds": true, "note": "协议履行良好",
			"checks": []map[string]any{{"marker": "J1", "status": status}, {"marker": "J2", "status": status}},
		})
		require.Equal(t, f.DueOn, got.FollowUps[i].DueOn)
		require.False(t, got.FollowUps[i].RecordedOn.IsZero())
	}

	// Closed out: the workflow ended, the ledger has the case closed and
	// resolved, and the audit trail holds the whole story.
	awaitClosed(t, workflows.BoundaryWorkflowID(id))
	c = boundaryState(t, srv, id)
	require.Equal(t, casefile.StatusClosed, c.Summary.Status)
	require.Equal(t, workflows.BoundaryClosed, c.Summary.Stage)
	require.Equal(t, workflows.BoundarySettled, c.Summary.Outcome)
	require.Nil(t, c.Summary.NextDeadline)
	kinds := streamKinds(t, id, "boundary")
	count := map[string]int{}
	for _, k := range kinds {
		count[k]++
	}
	require.Equal(t, 6, count["round_held"])
	require.Equal(t, 2, count["escalated"])
	require.Equal(t, 2, count["settlement_signed"])
	require.Equal(t, 6, count["follow_up_visit"])
	require.Equal(t, "boundary_closed", kinds[len(kinds)-1])
	require.Equal(t, 1, count["stabilisation_review_due"])
	require.Equal(t, len(kinds), c.Summary.LastSeq)
}

// TestBoundaryOverdueInLedger opens a case whose case leader's deadline
// passes without a settlement: the case lists as overdue under its leader.
func TestBoundaryOverdueInLedger(t *testing.T) {
	c := startBoundary(t, fast, boundaryStartBody(newBoundaryNumber()))
	id := c.Summary.ID
	// The other supervisor of the region reads the case but may not act on it.
	res := do(t, fast, &bSupervisor, http.MethodGet, "/cases/"+id, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	requireRefused(t, fast, id, bSupervisor, "/cases/"+id+"/boundary/case-leader", map[string]any{"case_leader": bSupervisor.Subject}, http.StatusForbidden)

	require.Eventually(t, func() bool {
		res := do(t, fast, &bLeader, http.MethodGet, "/ledger?state=overdue&process=boundary&case_leader="+bLeader.Subject, nil)
		if res.Status != http.StatusOK {
			return false
		}
		var page api.LedgerBody
		res.json(t, &page)
		for _, e := range page.Cases {
			if e.ID == id {
				return e.Overdue
			}
		}
		return false
	}, 20*time.Second, 50*time.Millisecond, "the case never listed as overdue")
	require.Eventually(t, func() bool {
		for _, k := range streamKinds(t, id, "boundary") {
			if k == "resolution_deadline_passed" {
				return true
			}
		}
		return false
	}, 10*time.Second, 50*time.Millisecond)
	v := boundaryState(t, fast, id).Boundary
	require.True(t, v.Overdue)
	require.Equal(t, "resolution_deadline", boundaryState(t, fast, id).Summary.NextDeadline.Kind)
}

// negotiatedBoundary runs a boundary case to a signed settlement and
// returns its workflow ID, for the replay histories.
func negotiatedBoundary(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	c := startBoundary(t, srv, boundaryStartBody(newBoundaryNumber()))
	id := c.Summary.ID
	base := "/cases/" + id + "/boundary"
	bpost(t, srv, bLeader, base+"/stabilisation", map[string]any{
		"incident": "草场冲突", "measure": "牲畜撤出争议区", "responsible_unit": "苏木镇派出所",
		"review_on": c.Boundary.CaseToday.AddDays(30),
	})
	for range 3 {
		holdRound(t, srv, id, bOrganiser, "嘎查会议室", workflows.RoundProgress)
	}
	bpost(t, srv, bOrganiser, base+"/escalation", map[string]any{})
	holdRound(t, srv, id, bOrganiser, "苏木镇政府", workflows.RoundAgreementInPrinciple)
	bpost(t, srv, bOrganiser, base+"/settlement", map[string]any{
		"terms": "以J1为界", "grazing_rules": "互不越界",
		"markers": []map[string]any{{"id": "J1", "description": "界桩", "coordinates": "E101.2,N38.9"}},
	})
	bpost(t, srv, gachaA, base+"/settlement/signatures", map[string]any{})
	v := bpost(t, srv, villageB, base+"/settlement/signatures", map[string]any{})
	require.Equal(t, workflows.BoundaryMonitoring, v.Stage)
	return workflows.BoundaryWorkflowID(id)
}
