package activities

import (
	"context"
	"errors"

	"github.com/casework/casework/db"
)

// RecordPlanInput is an installment plan's ledger after a change (its
// totals and the lines changed since the last write), and its certificate
// of automatic performance once issued. Version orders the writes of one
// plan.
type RecordPlanInput struct {
	Plan        db.Plan                    `json:"plan"`
	Certificate *db.PerformanceCertificate `json:"certificate,omitempty"`
}

// RecordPlan writes the plan's ledger to the read model. It is an upsert
// keyed by case, plan and version, so a retry writes nothing twice and an
// older version never overwrites a newer one.
func (r *Recorder) RecordPlan(ctx context.Context, in RecordPlanInput) error {
	return r.Store.RecordPlan(ctx, in.Plan, in.Certificate)
}

// RecordCertificate stores a certificate of automatic performance issued
// on application; a retry stores nothing twice.
func (r *Recorder) RecordCertificate(ctx context.Context, c db.PerformanceCertificate) error {
	return r.Store.IssueCertificate(ctx, c)
}

// PlanLedgerInput names a plan whose stored ledger is wanted.
type PlanLedgerInput struct {
	CaseID string `json:"case_id"`
	PlanID string `json:"plan_id"`
	// NoticeStream, when set, also asks for the notices the plan enqueued
	// under that audit stream (its own, "plan/"+PlanID): which reminders
	// and default notices it sent, for a restart that must send none of
	// them again and lose none it decided but had not sent.
	NoticeStream string `json:"notice_stream,omitempty"`
}

// PlanLedgerResult is a plan's ledger as the read model last stored it;
// Found is false when the plan never stored one.
type PlanLedgerResult struct {
	Found bool    `json:"found"`
	Plan  db.Plan `json:"plan"`
	// Notices are the keys of the notices enqueued under NoticeStream,
	// when it was asked for.
	Notices []db.NoticeKey `json:"notices,omitempty"`
}

// PlanLedger reads a plan's last stored ledger, for a case restarting
// supervision after its plan workflow failed. A plan stores its ledger in
// the same flush that answers a payment command, so every payment it
// acknowledged is in it.
func (r *Recorder) PlanLedger(ctx context.Context, in PlanLedgerInput) (PlanLedgerResult, error) {
	p, err := r.Store.Plan(ctx, in.CaseID, in.PlanID)
	if errors.Is(err, db.ErrNotFound) {
		return PlanLedgerResult{}, nil
	}
	if err != nil {
		return PlanLedgerResult{}, err
	}
	res := PlanLedgerResult{Found: true, Plan: p}
	if in.NoticeStream != "" {
		ns, err := r.Store.Notices(ctx, in.CaseID)
		if err != nil {
			return PlanLedgerResult{}, err
		}
		for _, n := range ns {
			if n.Stream == in.NoticeStream {
				res.Notices = append(res.Notices, n.NoticeKey)
			}
		}
	}
	return res, nil
}
