package metrics

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// dueWindow is how many legal days ahead the deadlines-due figure looks.
const dueWindow = 7

var (
	noticesPendingDesc = prometheus.NewDesc("casework_notices_pending",
		"Notices in the outbox not yet delivered and still being tried.", nil, nil)
	noticesUndeliverableDesc = prometheus.NewDesc("casework_notices_undeliverable",
		"Notices given up after every delivery attempt, for a clerk to serve another way.", nil, nil)
	oldestPendingDesc = prometheus.NewDesc("casework_notices_oldest_pending_seconds",
		"How long the oldest notice still being delivered has waited.", nil, nil)
	openCasesDesc = prometheus.NewDesc("casework_cases_open",
		"Cases not closed out (销号).", nil, nil)
	overdueCasesDesc = prometheus.NewDesc("casework_cases_overdue",
		"Open cases with a deadline passed without its step, as the ledger's overdue.", nil, nil)
	deadlinesDueDesc = prometheus.NewDesc("casework_deadlines_due",
		"Open cases whose pending deadline falls in_days legal days from today (China Standard Time); 0 is today.", []string{"in_days"}, nil)
	scrapeErrorDesc = prometheus.NewDesc("casework_case_state_up",
		"1 when the case figures could be read from PostgreSQL at this scrape, 0 when not.", nil, nil)
)

// Cases collects the state of the cases from the read model at each
// scrape, bounded in time so a slow database cannot stall the scrape.
type Cases struct {
	Store *db.Store
	Log   *slog.Logger
	// Now is the clock (tests set it); nil means time.Now.
	Now func() time.Time
}

func (c *Cases) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{noticesPendingDesc, noticesUndeliverableDesc, oldestPendingDesc, openCasesDesc, overdueCasesDesc, deadlinesDueDesc, scrapeErrorDesc} {
		ch <- d
	}
}

func (c *Cases) Collect(ch chan<- prometheus.Metric) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.Store.CaseState(ctx, policy.DateOf(now()), dueWindow)
	if err != nil {
		if c.Log != nil {
			c.Log.Warn("read case figures for metrics", "err", err)
		}
		ch <- prometheus.MustNewConstMetric(scrapeErrorDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrorDesc, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(noticesPendingDesc, prometheus.GaugeValue, float64(st.NoticesPending))
	ch <- prometheus.MustNewConstMetric(noticesUndeliverableDesc, prometheus.GaugeValue, float64(st.NoticesUndeliverable))
	ch <- prometheus.MustNewConstMetric(oldestPendingDesc, prometheus.GaugeValue, st.OldestPendingSeconds)
	ch <- prometheus.MustNewConstMetric(openCasesDesc, prometheus.GaugeValue, float64(st.OpenCases))
	ch <- prometheus.MustNewConstMetric(overdueCasesDesc, prometheus.GaugeValue, float64(st.OverdueCases))
	for i, n := range st.DueIn {
		ch <- prometheus.MustNewConstMetric(deadlinesDueDesc, prometheus.GaugeValue, float64(n), strconv.Itoa(i))
	}
}
