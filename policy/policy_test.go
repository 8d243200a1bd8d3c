package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDefaultPolicy(t *testing.T) {
	pol, err := mustDefault(t).Policy("CN")
	require.NoError(t, err)
	require.NoError(t, pol.Validate())

	tests := []struct {
		field string
		got   Period
		want  string
	}{
		{"mediation.period", pol.Mediation.Period, "P30D"},
		{"mediation.extension", pol.Mediation.Extension, "P15D"},
		{"confirmation.apply_within", pol.Confirmation.ApplyWithin, "P30D"},
		{"confirmation.decide_within", pol.Confirmation.DecideWithin, "P15D"},
		{"confirmation.decision_extension", pol.Confirmation.DecisionExtension, "P10D"},
		{"performance.grace", pol.Performance.Grace, "P7D"},
		{"payment_order.objection_period", pol.PaymentOrder.ObjectionPeriod, "P15D"},
		{"enforcement.application_window", pol.Enforcement.ApplicationWindow, "P2Y"},
		{"enforcement.freeze_terms.bank_deposit", pol.Enforcement.FreezeTerms[AssetBankDeposit], "P1Y"},
		{"enforcement.freeze_terms.movable", pol.Enforcement.FreezeTerms[AssetMovable], "P2Y"},
		{"enforcement.freeze_terms.real_property", pol.Enforcement.FreezeTerms[AssetRealProperty], "P3Y"},
		{"enforcement.renewal_reminder", pol.Enforcement.RenewalReminder, "P30D"},
		{"enforcement.recheck_every", pol.Enforcement.RecheckEvery, "P6M"},
		{"enforcement.recheck_for", pol.Enforcement.RecheckFor, "P5Y"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.got.String(), "%s: got %s, want %s", tt.field, tt.got, tt.want)
	}
	require.Equal(t, 1, pol.Mediation.MaxExtensions)
	require.Equal(t, 1, pol.Confirmation.MaxDecisionExtensions)
	require.Equal(t, []Period{Days(7), Days(1)}, pol.Performance.ReminderOffsets)
	require.Equal(t, []Period{Days(30), Days(90)}, pol.FollowUps)
	require.Equal(t, []UrgencyTier{{"urgent", Days(3)}, {"priority", Days(7)}, {"ordinary", Days(15)}}, pol.Intake.Tiers)
	require.Equal(t, map[string]string{RiskRed: "urgent", RiskYellow: "priority"}, pol.Intake.RegradeTiers)
	require.Equal(t, []Period{Days(7), Days(30)}, pol.Intake.FollowUps)
	require.Equal(t, Days(15), pol.Intake.RatingWindow)
	require.Equal(t, Months(1), pol.Intake.CaseLeaderPeriod)
	require.True(t, pol.Intake.MoreUrgent("urgent", "ordinary"))
	require.False(t, pol.Intake.MoreUrgent("ordinary", "priority"))
	require.Equal(t, "2022-01-01", pol.Enforcement.LastInstallmentRuleFrom.String())
	require.Equal(t, NoticePolicy{Attempts: 16, FirstRetrySeconds: 30, MaxRetrySeconds: 3600, AttemptTimeoutSeconds: 30}, pol.Notices)
	require.Equal(t, 30*time.Second, pol.Notices.FirstRetry())
	require.Equal(t, time.Hour, pol.Notices.MaxRetry())
	require.Equal(t, 30*time.Second, pol.Notices.AttemptTimeout())
}

func TestPolicyValidate(t *testing.T) {
	base, err := mustDefault(t).Policy("CN")
	require.NoError(t, err)
	tests := []struct {
		name    string
		mutate  func(*Policy)
		wantErr string
	}{
		{"valid", func(*Policy) {}, ""},
		{"missing mediation period", func(p *Policy) { p.Mediation.Period = Period{} }, "mediation.period: required"},
		{"extension needed when extensions allowed", func(p *Policy) { p.Mediation.Extension = Period{} }, "mediation.extension: required"},
		{"no extension needed when none allowed", func(p *Policy) { p.Mediation.MaxExtensions, p.Mediation.Extension = 0, Period{} }, ""},
		{"negative count", func(p *Policy) { p.Confirmation.MaxDecisionExtensions = -1 }, "must not be negative"},
		{"negative period", func(p *Policy) { p.PaymentOrder.ObjectionPeriod = Days(-15) }, "negative component"},
		{"reminders not decreasing", func(p *Policy) { p.Performance.ReminderOffsets = []Period{Days(1), Days(7)} }, "strictly decreasing"},
		{"reminders equal", func(p *Policy) { p.Performance.ReminderOffsets = []Period{Days(7), Days(7)} }, "strictly decreasing"},
		{"reminders ambiguous month vs days", func(p *Policy) { p.Performance.ReminderOffsets = []Period{Months(1), Days(30)} }, "strictly decreasing"},
		{"no reminders", func(p *Policy) { p.Performance.ReminderOffsets = nil }, "reminder_offsets: required"},
		{"follow-ups not increasing", func(p *Policy) { p.FollowUps = []Period{Days(90), Days(30)} }, "strictly increasing"},
		{"missing freeze term", func(p *Policy) { delete(p.Enforcement.FreezeTerms, AssetMovable) }, "freeze_terms.movable: required"},
		{"unknown asset kind", func(p *Policy) { p.Enforcement.FreezeTerms["bank_deposits"] = Years(1) }, "unknown asset kind"},
		{"renewal reminder too long", func(p *Policy) { p.Enforcement.RenewalReminder = Years(1) }, "not shorter than"},
		{"recheck span shorter than interval", func(p *Policy) { p.Enforcement.RecheckFor = Months(3) }, "not longer than"},
		{"missing rule date", func(p *Policy) { p.Enforcement.LastInstallmentRuleFrom = Date{} }, "last_installment_rule_from: required"},
		{"no notice rule", func(p *Policy) { p.Notices = NoticePolicy{} }, "notices.attempts: must be from 1"},
		{"no notice attempts", func(p *Policy) { p.Notices.Attempts = 0 }, "notices.attempts: must be from 1"},
		{"too many notice attempts", func(p *Policy) { p.Notices.Attempts = MaxNoticeAttempts + 1 }, "notices.attempts: must be from 1"},
		{"negative first retry", func(p *Policy) { p.Notices.FirstRetrySeconds = -30 }, "notices.first_retry_seconds"},
		{"max retry below first", func(p *Policy) { p.Notices.MaxRetrySeconds = 10 }, "shorter than first_retry_seconds"},
		{"no attempt timeout", func(p *Policy) { p.Notices.AttemptTimeoutSeconds = 0 }, "notices.attempt_timeout_seconds"},
		{"attempt timeout too long", func(p *Policy) { p.Notices.AttemptTimeoutSeconds = MaxNoticeTimeoutSeconds + 1 }, "notices.attempt_timeout_seconds"},
		{"no urgency tiers", func(p *Policy) { p.Intake.Tiers = nil }, "intake.tiers: required"},
		{"less urgent tier shorter", func(p *Policy) { p.Intake.Tiers[2].Handling = Days(1) }, "intake.tiers[2].handling: a less urgent tier"},
		{"tier named twice", func(p *Policy) { p.Intake.Tiers[1].Name = p.Intake.Tiers[0].Name }, "intake.tiers[1].name"},
		{"re-grade to an unknown tier", func(p *Policy) { p.Intake.RegradeTiers[RiskRed] = "now" }, "intake.regrade_tiers.red: unknown tier"},
		{"re-grade of an unknown grade", func(p *Policy) { p.Intake.RegradeTiers["black"] = "urgent" }, "intake.regrade_tiers.black: unknown risk grade"},
		{"case leader for an unknown grade", func(p *Policy) { p.Intake.CaseLeaderGrades = []string{"orange"} }, "intake.case_leader_grades"},
		{"no rating window", func(p *Policy) { p.Intake.RatingWindow = Period{} }, "intake.rating_window: required"},
		{"intake follow-ups not increasing", func(p *Policy) { p.Intake.FollowUps = []Period{Days(30), Days(7)} }, "intake.follow_ups: must be strictly increasing"},
		{"bad jurisdiction", func(p *Policy) { p.Jurisdiction = "china" }, "want a code like"},
		{"own parent", func(p *Policy) { p.Parent = p.Jurisdiction }, "own parent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := base.clone()
			tt.mutate(&pol)
			err := pol.Validate()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidPolicy)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestEnforcementWindowStart(t *testing.T) {
	pol, err := mustDefault(t).Policy("CN")
	require.NoError(t, err)
	dates := func(ss ...string) []Date {
		var out []Date
		for _, s := range ss {
			out = append(out, d(t, s))
		}
		return out
	}
	tests := []struct {
		name     string
		document string
		due      []Date
		want     []Date
	}{
		{"new rule: one start at the last instalment", "2022-01-01", dates("2022-03-31", "2022-06-30", "2022-09-30"), dates("2022-09-30")},
		{"new rule: last by date, not by position", "2023-05-10", dates("2023-12-31", "2023-06-30"), dates("2023-12-31")},
		{"old rule: each instalment's own due date", "2021-12-31", dates("2022-03-31", "2022-06-30", "2022-09-30"), dates("2022-03-31", "2022-06-30", "2022-09-30")},
		{"old rule: sorted and deduplicated", "2020-06-01", dates("2020-12-31", "2020-09-30", "2020-12-31"), dates("2020-09-30", "2020-12-31")},
		{"single due date, new rule", "2024-01-01", dates("2024-02-01"), dates("2024-02-01")},
		{"single due date, old rule", "2019-01-01", dates("2019-02-01"), dates("2019-02-01")},
		{"no due dates", "2024-01-01", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pol.EnforcementWindowStart(d(t, tt.document), tt.due)
			require.Equal(t, tt.want, got, "got %v, want %v", got, tt.want)
		})
	}

	// The window itself then runs P2Y from each start and rolls off rest days.
	r := mustDefault(t)
	start := pol.EnforcementWindowStart(d(t, "2023-09-01"), dates("2023-10-01"))[0]
	end, err := r.Deadline("CN", start, pol.Enforcement.ApplicationWindow)
	require.NoError(t, err)
	require.Equal(t, "2025-10-09", end.String(), "got %s, want 2025-10-09", end)
}
