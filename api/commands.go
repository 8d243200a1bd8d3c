package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/internal/payload"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// liveView says where a process's live state goes in a CaseBody.
type liveView[V any] struct {
	process casefile.Process
	set     func(*CaseBody, *V)
	// load, when set, adds to a view what the workflow keeps in the store
	// rather than in its state (a mediation case's parties and an
	// enforcement case's applicants, by reference).
	load func(ctx context.Context, s *Server, caseID string, view *V) error
}

// setFor puts view into the body as p may see it: a party of a case with
// several claimants sees only its own claim's line (ForParty).
func (lv liveView[V]) setFor(ctx context.Context, s *Server, p auth.Principal, b *CaseBody, view *V) error {
	if lv.load != nil {
		if err := lv.load(ctx, s, b.Summary.ID, view); err != nil {
			return s.problem(ctx, "read case state", err)
		}
	}
	if f, ok := any(view).(interface{ ForParty(string) }); ok && p.Role == casefile.RoleParty {
		f.ForParty(p.Subject)
	}
	lv.set(b, view)
	return nil
}

// The live views of each process's main workflow.
var (
	mediationView   = liveView[workflows.MediationView]{casefile.ProcessMediation, func(b *CaseBody, v *workflows.MediationView) { b.Mediation = v }, withParties}
	enforcementView = liveView[workflows.EnforcementView]{casefile.ProcessEnforcement, func(b *CaseBody, v *workflows.EnforcementView) { b.Enforcement = v }, withApplicants}
	boundaryView    = liveView[workflows.BoundaryView]{casefile.ProcessBoundary, func(b *CaseBody, v *workflows.BoundaryView) { b.Boundary = v }, nil}
	wageView        = liveView[workflows.WageView]{casefile.ProcessWage, func(b *CaseBody, v *workflows.WageView) { b.Wage = v }, nil}
	intakeView      = liveView[workflows.IntakeView]{casefile.ProcessIntake, func(b *CaseBody, v *workflows.IntakeView) { b.Intake = v }, withIntakeParties}
)

// defaultCommandTimeout is how long the API waits for a command's outcome
// before answering 503: well past what a command takes on a loaded system,
// well inside what a client or proxy waits for an answer.
const defaultCommandTimeout = 30 * time.Second

func (s *Server) commandTimeout() time.Duration {
	if s.CommandTimeout > 0 {
		return s.CommandTimeout
	}
	return defaultCommandTimeout
}

// sendCommand sends a command to the case's workflow as a Temporal update
// and answers with the case after it. The workflow's validator decides; a
// refused command leaves no trace. The command must be one for the case's
// own process.
func sendCommand[V any](ctx context.Context, s *Server, lv liveView[V], name, key string, cmd any) (*caseOutput, error) {
	c := caseFrom(ctx)
	if c.Process != lv.process {
		return nil, huma.Error409Conflict("case " + c.ID + " is a " + string(c.Process) + " case, not a " + string(lv.process) + " case")
	}
	view, err := keyedUpdate[V](ctx, s, c.WorkflowID, name, key, cmd)
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		// The case exists (the ledger has it), so its workflow has finished.
		return nil, huma.Error409Conflict("case " + c.ID + " is closed: " + c.Stage)
	case err != nil:
		return nil, err
	}
	return commandOutput(ctx, s, name, lv, c.ID, view)
}

// keyedUpdate is the one way a command reaches a workflow: it checks the
// command's dates and size, sends it as an update whose ID is the caller's
// key, and waits for its outcome for at most the command timeout. A
// finished workflow's NotFound is returned as it is, for the caller to say
// what it means; every other error is already a problem.
//
// An Idempotency-Key is the caller's own: it is scoped to the caller, the
// operation and the workflow, and bound to the command it first carried, so
// another caller's key never answers for this one and the same key with
// another body is refused. The outcome is kept with the key, so a retry is
// answered even after the workflow has continued as new.
func keyedUpdate[V any](ctx context.Context, s *Server, workflowID, name, key string, cmd any) (*V, error) {
	return keyedUpdateOn[V](ctx, s, keyTarget{workflowID: workflowID, scope: workflowID, record: caseFrom(ctx).ID}, name, key, cmd)
}

// keyTarget is where a keyed command goes: the workflow it is an update
// of, what its key is scoped to (the workflow, or one row of a batch's
// workflow) and the id its idempotency row is filed under (the case, or
// the batch).
type keyTarget struct {
	workflowID, scope, record string
}

// keyedUpdateOn is keyedUpdate for a command on target.
func keyedUpdateOn[V any](ctx context.Context, s *Server, target keyTarget, name, key string, cmd any) (*V, error) {
	workflowID := target.workflowID
	if err := checkDates(cmd); err != nil {
		return nil, err
	}
	if err := checkPayload("the command", cmd, payload.MaxCommandBytes); err != nil {
		return nil, err
	}
	keyed := key != ""
	if !keyed {
		// A key of the API's own, handed back with a 503, lets a client
		// that sent none still learn the outcome of a command that is slow.
		key = randomKey()
	}
	scope := keyScope(principalFrom(ctx), name, target.scope, key)
	if keyed {
		hash, err := commandHash(cmd)
		if err != nil {
			return nil, s.problem(ctx, name, err)
		}
		prior, err := s.Store.ClaimIdempotencyKey(ctx, scope, target.record, name, hash)
		if err != nil {
			return nil, s.problem(ctx, name, err)
		}
		if !bytes.Equal(prior.RequestHash, hash) {
			return nil, huma.Error422UnprocessableEntity("Idempotency-Key " + strconv.Quote(key) +
				" was already used for a different " + name + " request on this " + target.noun() + "; a new request needs a new key")
		}
		if prior.Outcome != nil {
			var view V
			if err := json.Unmarshal(prior.Outcome, &view); err == nil {
				return &view, nil
			}
		}
	}

	wctx, cancel := context.WithTimeout(ctx, s.commandTimeout())
	defer cancel()
	h, err := s.Temporal.UpdateWorkflow(wctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: name, UpdateID: name + ":" + scope, Args: []any{cmd},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var view V
	if err == nil {
		err = h.Get(wctx, &view)
	}
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		if keyed {
			if b, err := payload.Encode(view); err == nil {
				// The caller may have gone; the outcome is still kept.
				if err := s.Store.CompleteIdempotencyKey(context.WithoutCancel(ctx), scope, b); err != nil {
					s.Log.WarnContext(ctx, "keep command outcome", "workflow", workflowID, "command", name, "err", err)
				}
			}
		}
		return &view, nil
	case timedOut(ctx, wctx, err):
		return nil, huma.ErrorWithHeaders(huma.NewError(http.StatusServiceUnavailable,
			fmt.Sprintf("%s: the case has not finished taking the command within %s; it may still take effect. "+
				"Retry with the header Idempotency-Key: %s to learn its outcome without doing it twice", name, s.commandTimeout(), key)),
			http.Header{"Retry-After": {strconv.Itoa(retryAfterSeconds)}, "Idempotency-Key": {key}})
	case errors.As(err, &notFound):
		return nil, err
	}
	return nil, s.problem(ctx, name, err)
}

func (t keyTarget) noun() string {
	if t.scope != t.workflowID {
		return "row"
	}
	return "case"
}

// timedOut reports whether err ended a wait under bound (derived from ctx)
// because the bound passed while the caller was still there. gRPC runs its
// own timer for a deadline, so its DeadlineExceeded can come a moment
// before bound's own Err is set.
func timedOut(ctx, bound context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if bound.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var deadline *serviceerror.DeadlineExceeded
	if errors.As(err, &deadline) {
		return true
	}
	st, ok := status.FromError(err)
	return ok && st.Code() == codes.DeadlineExceeded
}

// commandOutput is the answer to a command: the case's summary now and the
// live state the command left.
func commandOutput[V any](ctx context.Context, s *Server, name string, lv liveView[V], caseID string, view *V) (*caseOutput, error) {
	sum, err := s.Store.Case(ctx, caseID)
	if err != nil {
		return nil, s.problem(ctx, name, err)
	}
	p := principalFrom(ctx)
	out := &caseOutput{Body: CaseBody{Summary: visibleTo(p, sum)}}
	if d, ok := any(view).(interface{ Deadlines() []casefile.Deadline }); ok {
		out.Body.Deadlines = s.withCalendars(ctx, sum.Jurisdiction, d.Deadlines())
	}
	if err := lv.setFor(ctx, s, p, &out.Body, view); err != nil {
		return nil, err
	}
	return out, nil
}

// keyScope is the digest naming one caller's key for one operation on one
// workflow; it is the update ID's suffix and the idempotency row's key.
func keyScope(p auth.Principal, operation, workflowID, key string) string {
	h := sha256.New()
	for _, part := range []string{string(p.Role), p.Subject, operation, workflowID, key} {
		_, _ = fmt.Fprintf(h, "%d:%s|", len(part), part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// commandHash is the digest binding a key to its command.
func commandHash(cmd any) ([]byte, error) {
	b, err := payload.Encode(cmd)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}

func randomKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// checkPayload refuses what would encode to more than limit bytes: Temporal
// would otherwise fail or terminate the workflow that carries it.
func checkPayload(what string, v any, limit int) error {
	size, over, err := payload.TooLarge(v, limit)
	if err != nil {
		return huma.Error422UnprocessableEntity(what + " cannot be encoded: " + err.Error())
	}
	if over {
		return huma.Error422UnprocessableEntity(fmt.Sprintf("%s is %d bytes encoded, over the limit of %d bytes a case can carry; "+
			"split it or shorten its texts", what, size, limit))
	}
	return nil
}

// queryTimeout bounds asking a workflow for its live state: a read of one
// case must answer promptly even when Temporal cannot.
const queryTimeout = 3 * time.Second

// queryView adds the case's live state to out, when its workflow can still
// be asked; a case whose history has been archived is answered from the
// ledger alone, and so, marked, is one whose workflow cannot be reached
// now.
func queryView[V any](ctx context.Context, s *Server, lv liveView[V], out *caseOutput) (*caseOutput, error) {
	qctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	res, err := s.Temporal.QueryWorkflow(qctx, out.Body.Summary.WorkflowID, "", workflows.QueryState)
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return out, nil
	case err != nil && ctx.Err() == nil:
		// However Temporal fails to answer (down, no worker polling after
		// a crash, a query timeout), the ledger still can.
		s.Log.WarnContext(ctx, "live state unavailable", "case", out.Body.Summary.ID, "err", err)
		out.Body.LiveStateUnavailable = "the case's live state cannot be read now (the workflow service or worker does not answer); " +
			"the summary is the ledger's as last recorded"
		return out, nil
	case err != nil:
		return nil, s.problem(ctx, "read case state", err)
	}
	var view V
	if err := res.Get(&view); err != nil {
		return nil, s.problem(ctx, "read case state", err)
	}
	if r, ok := any(&view).(interface{ Refresh(time.Time) }); ok {
		r.Refresh(time.Now())
	}
	if d, ok := any(&view).(interface{ Deadlines() []casefile.Deadline }); ok {
		out.Body.Deadlines = s.withCalendars(ctx, out.Body.Summary.Jurisdiction, d.Deadlines())
	}
	if err := lv.setFor(ctx, s, principalFrom(ctx), &out.Body, &view); err != nil {
		return nil, err
	}
	return out, nil
}

// maxBackfillYears bounds how far back a case entered after the fact may
// have opened.
const maxBackfillYears = 10

// checkOpenedOn accepts the legal date a case entered after the fact was
// opened: not in the future, not more than maxBackfillYears back. The
// case's clock still runs from now; only its deadlines count from then.
func checkOpenedOn(openedOn policy.Date) error {
	if openedOn.IsZero() {
		return nil
	}
	today := policy.DateOf(time.Now())
	switch {
	case openedOn.After(today):
		return huma.Error422UnprocessableEntity("opened_on " + openedOn.String() + " is in the future")
	case openedOn.Before(today.AddMonths(-12 * maxBackfillYears)):
		return huma.Error422UnprocessableEntity(fmt.Sprintf("opened_on %s is more than %d years ago", openedOn, maxBackfillYears))
	}
	return nil
}

// opening is how a new case of a process is started.
type opening struct {
	caseID, caseNumber, workflowID string
	// jurisdictions are those whose legal policy the case will apply.
	jurisdictions []string
	workflow      any // the workflow function
	input         any
	// sameCase says whether an existing case with this number is the one
	// being opened again (a retry), not another dispute under its number.
	sameCase func(casefile.Summary) bool
}

// openCase opens a case idempotently: a case number already open answers
// 200 with that case (409 if it is another dispute, or one the caller may
// not see); otherwise the workflow is started together with an "opened"
// update, which returns once the first step is recorded, so the answer
// (201) already shows it. Two different disputes opened at once under one
// number both reach the one workflow; the one whose dispute it holds gets
// 201 and the other 409.
func openCase[V any](ctx context.Context, s *Server, lv liveView[V], o opening) (*startOutput, error) {
	p := principalFrom(ctx)
	location := "/cases/" + o.caseID
	if err := checkDates(o.input); err != nil {
		return nil, err
	}
	if err := s.checkJurisdictions(o.jurisdictions); err != nil {
		return nil, err
	}
	if err := checkPayload("the case", o.input, payload.MaxStartBytes); err != nil {
		return nil, err
	}
	taken := func() error {
		return huma.Error409Conflict("case number " + o.caseNumber + " is already used by another case")
	}
	if existing, err := s.Store.Case(ctx, o.caseID); err == nil {
		if !mayAccess(p, existing) {
			return nil, taken()
		}
		if existing.Process != lv.process || !o.sameCase(existing) {
			return nil, huma.Error409Conflict("case number " + o.caseNumber + " is already used by another case (" + o.caseID + ")")
		}
		out, err := s.caseOutput(ctx, existing)
		if err != nil {
			return nil, err
		}
		return &startOutput{Status: http.StatusOK, Location: location, Body: out.Body}, nil
	} else if !errors.Is(err, db.ErrNotFound) {
		return nil, s.problem(ctx, "open case", err)
	}

	what := "open " + string(lv.process) + " case"
	start := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: o.workflowID, TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// A number whose first run failed before its case was recorded
		// (an outage, a refused application) may be opened again; one
		// whose case ran to its end may not.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
	}, o.workflow, o.input)
	wctx, cancel := context.WithTimeout(ctx, s.commandTimeout())
	defer cancel()
	h, err := s.Temporal.UpdateWithStartWorkflow(wctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			// Each open is its own update, so a concurrent open of another
			// dispute is not answered with this one's result.
			WorkflowID: o.workflowID, UpdateName: workflows.UpdateOpened, UpdateID: "opened:" + randomKey(),
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var view V
	if err == nil {
		err = h.Get(wctx, &view)
	}
	if err != nil {
		if timedOut(ctx, wctx, err) {
			return nil, unavailableError(what + ": the case has not been recorded within " + s.commandTimeout().String() +
				"; it may still open. Send the same request again: a case number never opens two cases")
		}
		return nil, s.problem(ctx, what, err)
	}
	sum, err := s.Store.Case(ctx, o.caseID)
	if err != nil {
		return nil, s.problem(ctx, what, err)
	}
	if sum.Process != lv.process || !o.sameCase(sum) || !mayAccess(p, sum) {
		// Another dispute under this number opened at the same moment.
		return nil, taken()
	}
	out := &startOutput{Status: http.StatusCreated, Location: location, Body: CaseBody{Summary: visibleTo(p, sum)}}
	if err := lv.setFor(ctx, s, p, &out.Body, &view); err != nil {
		return nil, err
	}
	return out, nil
}

// checkJurisdictions refuses a case whose jurisdiction has no legal policy:
// its workflow could compute no deadline.
func (s *Server) checkJurisdictions(js []string) error {
	reg, err := s.registry()
	if err != nil {
		return s.problem(context.Background(), "load policies", err)
	}
	for _, j := range js {
		if strings.TrimSpace(j) == "" {
			return huma.Error422UnprocessableEntity("the case needs a jurisdiction (the court user's, or jurisdiction in the body)")
		}
		if _, err := reg.Policy(j); err != nil {
			return huma.Error422UnprocessableEntity("jurisdiction " + strconv.Quote(j) + " has no legal policy in casework; known: " +
				strings.Join(reg.Jurisdictions(), ", "))
		}
	}
	return nil
}

// withCalendars marks each counted deadline with the status of its year's
// holiday calendar in force for the jurisdiction; a provisional one may
// still move. Without the registry the deadlines go unmarked.
func (s *Server) withCalendars(ctx context.Context, jurisdiction string, ds []casefile.Deadline) []casefile.Deadline {
	if len(ds) == 0 {
		return nil
	}
	reg, err := s.registryInForce(ctx)
	if err != nil {
		return ds
	}
	cal, err := reg.Calendar(jurisdiction)
	if err != nil {
		return ds
	}
	for i := range ds {
		if workflows.AgreedDeadlines[ds[i].Kind] {
			continue
		}
		ds[i].Calendar = cal.Status(ds[i].On.Year())
		ds[i].MayMove = ds[i].Calendar == policy.Provisional
	}
	return ds
}
