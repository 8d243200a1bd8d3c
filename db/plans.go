package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db/dbq"
	"github.com/casework/casework/policy"
)

// Plan is the stored state of an installment plan: its totals, outcome and
// performance ledger (自动履行跟踪台账). As a plan is read, Installments
// are its whole ledger; as one is written, the lines to write: a workflow
// sends those changed since its last write, and RecordPlan leaves the
// others as stored.
type Plan struct {
	CaseID       string            `json:"case_id"`
	PlanID       string            `json:"plan_id"`
	Obligor      string            `json:"obligor"`
	Stage        string            `json:"stage"`
	OnTime       bool              `json:"on_time"`
	TotalFen     int64             `json:"total_fen"`
	PaidFen      int64             `json:"paid_fen"`
	OverpaidFen  int64             `json:"overpaid_fen"`
	StartedOn    policy.Date       `json:"started_on"`
	ClosedOn     policy.Date       `json:"closed_on"`
	Version      int               `json:"version"`
	Installments []PlanInstallment `json:"installments"`
	// Settlements are the pre-enforcement settlements (执前和解) the plan
	// recorded, in order; none in a ledger stored before they were kept.
	Settlements []PlanSettlement `json:"settlements,omitempty"`
	UpdatedAt   time.Time        `json:"updated_at"`
}

// PlanSettlement is a pre-enforcement settlement (执前和解) a plan recorded:
// what it took over from the installments numbered Superseded, and the
// numbers of the installments it scheduled instead.
type PlanSettlement struct {
	No             int            `json:"no"`
	AgreedOn       policy.Date    `json:"agreed_on"`
	RecordedBy     casefile.Actor `json:"recorded_by"`
	ConsentedBy    []string       `json:"consented_by"`
	OutstandingFen int64          `json:"outstanding_fen"`
	Superseded     []int          `json:"superseded"`
	Installments   []int          `json:"installments"`
}

// PlanInstallment is one line of the performance ledger.
type PlanInstallment struct {
	No            int         `json:"no"`
	DueOn         policy.Date `json:"due_on"`
	AmountFen     int64       `json:"amount_fen"`
	PaidFen       int64       `json:"paid_fen"`
	State         string      `json:"state"`
	PaidOn        policy.Date `json:"paid_on"`
	RemindersSent int         `json:"reminders_sent"`
	GraceEndsOn   policy.Date `json:"grace_ends_on"`
	// SupersededFen is what the pre-enforcement settlement SupersededBy
	// took over from the line; Settlement names the settlement that
	// scheduled it (zero for the document's own installments).
	SupersededFen int64 `json:"superseded_fen,omitempty"`
	SupersededBy  int   `json:"superseded_by,omitempty"`
	Settlement    int   `json:"settlement,omitempty"`
}

// PerformanceCertificate is a certificate of automatic performance (自动履行证明).
type PerformanceCertificate struct {
	CaseID   string      `json:"case_id"`
	PlanID   string      `json:"plan_id"`
	Obligor  string      `json:"obligor"`
	TotalFen int64       `json:"total_fen"`
	IssuedOn policy.Date `json:"issued_on"`
	Body     string      `json:"body"`
}

// RecordPlan writes a plan's totals, the ledger lines p carries and, when
// issued, certificate in one transaction. Lines p leaves out stay as
// stored, so p may carry only those changed since the last write (a
// delta). A version already stored (a retried activity) or older than the
// stored one writes nothing, header or lines, so a retried delta changes
// nothing and a stale one never overwrites newer lines; a certificate is
// issued once.
func (s *Store) RecordPlan(ctx context.Context, p Plan, cert *PerformanceCertificate) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return recordPlan(ctx, dbq.New(tx), p, cert) })
}

// recordPlan is RecordPlan within a transaction.
func recordPlan(ctx context.Context, q *dbq.Queries, p Plan, cert *PerformanceCertificate) error {
	{
		settlements, err := json.Marshal(p.Settlements)
		if err != nil {
			return fmt.Errorf("record plan %s/%s settlements: %w", p.CaseID, p.PlanID, err)
		}
		if p.Settlements == nil {
			settlements = []byte("[]")
		}
		n, err := q.PlanUpsert(ctx, dbq.PlanUpsertParams{
			CaseID: p.CaseID, PlanID: p.PlanID, Obligor: p.Obligor, Stage: p.Stage, OnTime: p.OnTime,
			TotalFen: p.TotalFen, PaidFen: p.PaidFen, OverpaidFen: p.OverpaidFen,
			StartedOn: pgDate(p.StartedOn), ClosedOn: pgDate(p.ClosedOn), Version: int32(p.Version),
			Settlements: settlements,
		})
		if err != nil {
			return fmt.Errorf("record plan %s/%s: %w", p.CaseID, p.PlanID, err)
		}
		if n == 0 {
			return nil
		}
		for _, l := range p.Installments {
			if _, err := q.PlanInstallmentUpsert(ctx, dbq.PlanInstallmentUpsertParams{
				CaseID: p.CaseID, PlanID: p.PlanID, No: int32(l.No), DueOn: pgDate(l.DueOn),
				AmountFen: l.AmountFen, PaidFen: l.PaidFen, State: l.State, PaidOn: pgDate(l.PaidOn),
				RemindersSent: int32(l.RemindersSent), GraceEndsOn: pgDate(l.GraceEndsOn), Version: int32(p.Version),
				SupersededFen: l.SupersededFen, SupersededBy: int32(l.SupersededBy), Settlement: int32(l.Settlement),
			}); err != nil {
				return fmt.Errorf("record plan %s/%s installment %d: %w", p.CaseID, p.PlanID, l.No, err)
			}
		}
		if cert == nil {
			return nil
		}
		if _, err := q.CertificateInsert(ctx, dbq.CertificateInsertParams{
			CaseID: cert.CaseID, PlanID: cert.PlanID, Obligor: cert.Obligor, TotalFen: cert.TotalFen,
			IssuedOn: pgDate(cert.IssuedOn), Body: cert.Body,
		}); err != nil {
			return fmt.Errorf("record plan %s/%s certificate: %w", p.CaseID, p.PlanID, err)
		}
		return nil
	}
}

// IssueCertificate stores a certificate issued on application, once per
// case and plan.
func (s *Store) IssueCertificate(ctx context.Context, c PerformanceCertificate) error {
	if _, err := dbq.New(s.pool).CertificateInsert(ctx, dbq.CertificateInsertParams{
		CaseID: c.CaseID, PlanID: c.PlanID, Obligor: c.Obligor, TotalFen: c.TotalFen,
		IssuedOn: pgDate(c.IssuedOn), Body: c.Body,
	}); err != nil {
		return fmt.Errorf("issue certificate %s/%s: %w", c.CaseID, c.PlanID, err)
	}
	return nil
}

// Plan returns a stored plan with its ledger.
func (s *Store) Plan(ctx context.Context, caseID, planID string) (Plan, error) {
	q := dbq.New(s.pool)
	r, err := q.PlanGet(ctx, dbq.PlanGetParams{CaseID: caseID, PlanID: planID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Plan{}, fmt.Errorf("plan %s/%s: %w", caseID, planID, ErrNotFound)
	}
	if err != nil {
		return Plan{}, fmt.Errorf("plan %s/%s: %w", caseID, planID, err)
	}
	rows, err := q.PlanInstallmentList(ctx, dbq.PlanInstallmentListParams{CaseID: caseID, PlanID: planID})
	if err != nil {
		return Plan{}, fmt.Errorf("plan %s/%s ledger: %w", caseID, planID, err)
	}
	p := Plan{
		CaseID: r.CaseID, PlanID: r.PlanID, Obligor: r.Obligor, Stage: r.Stage, OnTime: r.OnTime,
		TotalFen: r.TotalFen, PaidFen: r.PaidFen, OverpaidFen: r.OverpaidFen,
		StartedOn: dateOf(r.StartedOn), ClosedOn: dateOf(r.ClosedOn), Version: int(r.Version), UpdatedAt: r.UpdatedAt,
		Installments: make([]PlanInstallment, 0, len(rows)),
	}
	if len(r.Settlements) > 0 {
		if err := json.Unmarshal(r.Settlements, &p.Settlements); err != nil {
			return Plan{}, fmt.Errorf("plan %s/%s settlements: %w", caseID, planID, err)
		}
		if len(p.Settlements) == 0 {
			p.Settlements = nil
		}
	}
	for _, l := range rows {
		p.Installments = append(p.Installments, PlanInstallment{
			No: int(l.No), DueOn: dateOf(l.DueOn), AmountFen: l.AmountFen, PaidFen: l.PaidFen, State: l.State,
			PaidOn: dateOf(l.PaidOn), RemindersSent: int(l.RemindersSent), GraceEndsOn: dateOf(l.GraceEndsOn),
			SupersededFen: l.SupersededFen, SupersededBy: int(l.SupersededBy), Settlement: int(l.Settlement),
		})
	}
	return p, nil
}

// Certificates returns the certificates of automatic performance issued in
// a case.
func (s *Store) Certificates(ctx context.Context, caseID string) ([]PerformanceCertificate, error) {
	rows, err := dbq.New(s.pool).CertificateListByCase(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("certificates of %s: %w", caseID, err)
	}
	out := make([]PerformanceCertificate, 0, len(rows))
	for _, r := range rows {
		out = append(out, PerformanceCertificate{
			CaseID: r.CaseID, PlanID: r.PlanID, Obligor: r.Obligor, TotalFen: r.TotalFen,
			IssuedOn: dateOf(r.IssuedOn), Body: r.Body,
		})
	}
	return out, nil
}
