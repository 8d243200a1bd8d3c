package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/workflows"
)

type reasonInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Reason string `json:"reason,omitempty" maxLength:"2000"`
	}
}

type decisionInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Decision string `json:"decision" enum:"confirmed,rejected"`
		Reason   string `json:"reason,omitempty" maxLength:"2000" doc:"Required for a rejection"`
	}
}

type followUpInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Holds bool   `json:"holds" doc:"Whether the agreement holds"`
		Note  string `json:"note,omitempty" maxLength:"2000"`
	}
}

type restartPlanInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"A retried request with the same key takes effect once"`
	Body           struct {
		Reason string `json:"reason" minLength:"1" maxLength:"2000" doc:"Why supervision is restarted, e.g. what the failure was and who approved the restart"`
	}
}

var parties = []casefile.Role{casefile.RoleParty}

// command adds the answers every case command can give besides success.
func command(op huma.Operation) huma.Operation {
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	return op
}

func (s *Server) registerConfirmation(api huma.API) {
	huma.Register(api, command(operation("apply-confirmation", http.MethodPost, "/cases/{id}/confirmation/applications",
		"Apply for judicial confirmation of the agreement (司法确认); joint once every party to it has applied",
		access{Roles: parties, Case: writeCase})),
		func(ctx context.Context, in *reasonInput) (*caseOutput, error) {
			return s.mediationUpdate(ctx, workflows.UpdateApplyConfirmation, in.IdempotencyKey,
				workflows.ApplyConfirmationCommand{Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()})
		})
	huma.Register(api, command(operation("accept-confirmation", http.MethodPost, "/cases/{id}/confirmation/acceptance",
		"Accept the joint application; the decision period starts", access{Roles: courts, Case: writeCase})),
		func(ctx context.Context, in *reasonInput) (*caseOutput, error) {
			return s.mediationUpdate(ctx, workflows.UpdateAcceptConfirmation, in.IdempotencyKey,
				workflows.CourtCommand{Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()})
		})
	huma.Register(api, command(operation("extend-confirmation-decision", http.MethodPost, "/cases/{id}/confirmation/extensions",
		"Extend the decision period once", access{Roles: courts, Case: writeCase})),
		func(ctx context.Context, in *reasonInput) (*caseOutput, error) {
			return s.mediationUpdate(ctx, workflows.UpdateExtendDecision, in.IdempotencyKey,
				workflows.CourtCommand{Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()})
		})
	huma.Register(api, command(operation("decide-confirmation", http.MethodPost, "/cases/{id}/confirmation/decision",
		"Confirm the agreement (it becomes enforceable and its performance is supervised) or reject it",
		access{Roles: courts, Case: writeCase})),
		func(ctx context.Context, in *decisionInput) (*caseOutput, error) {
			return s.mediationUpdate(ctx, workflows.UpdateDecideConfirmation, in.IdempotencyKey,
				workflows.DecideConfirmationCommand{Decision: in.Body.Decision, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()})
		})
	huma.Register(api, command(operation("apply-certificate", http.MethodPost, "/cases/{id}/certificate/applications",
		"Apply for the certificate of automatic performance (自动履行证明): the obligor applies, or the court takes the obligor's application; "+
			"it is issued at once, in the court's name, only when every installment was paid in full by its due date",
		access{Roles: append(append([]casefile.Role{}, courts...), parties...), Case: writeCase})),
		func(ctx context.Context, in *reasonInput) (*caseOutput, error) {
			return s.mediationUpdate(ctx, workflows.UpdateApplyCertificate, in.IdempotencyKey,
				workflows.CertificateCommand{Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()})
		})
	op := command(operation("restart-performance-plan", http.MethodPost, "/cases/{id}/performance/restart",
		"Restart performance supervision after the plan's workflow failed", access{Roles: courts, Case: writeCase}))
	op.Description += " Only a case in performance_plan_failed takes it. A new plan, performance-2 for the first restart " +
		"(performance-3 for the next), runs the schedule the failed plan was running, the agreement's installments and any " +
		"pre-enforcement settlement it had recorded (the superseded amounts, the settlement's installments with their due dates), " +
		"with what the failed plan had credited to each line already paid, read from its last stored ledger, so nothing paid " +
		"is lost or credited twice and the settlement's remaining installments are still supervised; the failed plan's " +
		"ledger and steps stay as they were. The case is performing again (in default, if it was when its plan failed)."
	huma.Register(api, op,
		func(ctx context.Context, in *restartPlanInput) (*caseOutput, error) {
			return s.mediationUpdate(ctx, workflows.UpdateRestartPerformance, in.IdempotencyKey,
				workflows.RestartPlanCommand{Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()})
		})
	huma.Register(api, command(operation("record-follow-up", http.MethodPost, "/cases/{id}/follow-ups",
		"Record a follow-up visit (回访): whether the agreement holds", access{Roles: mediators, Case: writeCase})),
		func(ctx context.Context, in *followUpInput) (*caseOutput, error) {
			return s.mediationUpdate(ctx, workflows.UpdateRecordFollowUp, in.IdempotencyKey,
				workflows.FollowUpCommand{Holds: in.Body.Holds, Note: in.Body.Note, Actor: principalFrom(ctx).Actor()})
		})
}
