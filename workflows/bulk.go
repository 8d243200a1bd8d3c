package workflows

import (
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// BulkWorkflowID is the workflow of a batch of financial disputes.
func BulkWorkflowID(batchID string) string { return "batch/" + batchID }

// Update names of the batch workflow; it answers QueryState too.
const (
	UpdateBulkMediation = "bulk-mediation"
	UpdateBulkRepair    = "bulk-repair"
	UpdateBulkObjection = "bulk-objection"
)

// Phases of a batch.
const (
	BulkScreening = "screening"
	BulkMediation = "mediation"
	BulkObjection = "objection"
	BulkClosing   = "closing"
	BulkDone      = "done"
)

// Stages of a row (bulk_rows.stage).
const (
	RowWrittenOff      = "written_off"
	RowMediating       = "mediating"
	RowMediationFailed = "mediation_failed"
	RowUnreachable     = "unreachable"
	RowResolved        = "resolved"
	RowPaymentOrder    = "payment_order"
	RowObjected        = "objected"
	RowEffective       = "effective"
	RowFiled           = "filed"
)

// Mediation outcomes of one row.
const (
	BulkResolved = "resolved"
	BulkFailed   = "failed"
)

// bulkChunkRows bounds the rows one activity moves: a batch of 2,000
// takes ten calls per phase, and no call holds its rows' locks for long.
const bulkChunkRows = 200

// BulkInput starts the workflow of a batch whose rows are already in
// PostgreSQL (bulk_rows): the workflow carries the batch's id and counts,
// never its rows. State carries a run's progress to the next.
type BulkInput struct {
	BatchID      string         `json:"batch_id"`
	Jurisdiction string         `json:"jurisdiction"`
	Rows         int            `json:"rows"`
	Clock        casetime.Clock `json:"clock"`
	// ChunkRows overrides bulkChunkRows (tests).
	ChunkRows int        `json:"chunk_rows,omitempty"`
	State     *BulkState `json:"state,omitempty"`
}

// BulkState is where a batch stands.
type BulkState struct {
	Phase          string      `json:"phase"`
	MediationUntil policy.Date `json:"mediation_until,omitzero"`
	ObjectionUntil policy.Date `json:"objection_until,omitzero"`
	// Pending counts the rows whose mediation is still undecided
	// (mediating or unreachable); none left ends mediation early.
	Pending int `json:"pending"`
}

// BulkView is the live state of a batch.
type BulkView struct {
	BatchID string `json:"batch_id"`
	BulkState
}

// BulkMediationCommand records the outcome of one row's mediation before
// filing: resolved (the debtor settles; the row closes) or failed (a
// payment order follows when mediation ends).
type BulkMediationCommand struct {
	Row     int            `json:"row"`
	Outcome string         `json:"outcome"`
	Reason  string         `json:"reason,omitempty"`
	Actor   casefile.Actor `json:"actor"`
}

// BulkRepairCommand gives an unreachable debtor a new phone and address
// (失联修复); the row goes to mediation.
type BulkRepairCommand struct {
	Row     int            `json:"row"`
	Phone   string         `json:"phone"`
	Address string         `json:"address,omitempty"`
	Actor   casefile.Actor `json:"actor"`
}

// BulkObjectionCommand is a debtor's objection to the payment order
// (支付令异议) within the objection period; the row is filed.
type BulkObjectionCommand struct {
	Row    int            `json:"row"`
	Reason string         `json:"reason"`
	Actor  casefile.Actor `json:"actor"`
}

// BulkResult is how a batch ended.
type BulkResult struct {
	Progress db.BulkProgress `json:"progress"`
}

type bulk struct {
	in   BulkInput
	s    *BulkState
	life lifetime
}

// Bulk processes every row of a batch exactly once: the pre-filing
// screen (查废), preservation (以保促调), mediation before filing with
// contact repair (失联修复), batch payment orders (督促程序) and filing.
// Each phase moves rows in chunks by idempotent activities keyed by
// (batch, row); commands on one row are updates.
func Bulk(ctx workflow.Context, in BulkInput) (BulkResult, error) {
	b := &bulk{in: in, s: in.State}
	if b.s == nil {
		b.in.Clock = b.in.Clock.Started(workflow.Now(ctx))
		if err := b.in.Clock.Validate(); err != nil {
			return BulkResult{}, temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
		}
		b.s = &BulkState{Phase: BulkScreening}
	}
	if err := b.register(ctx); err != nil {
		return BulkResult{}, err
	}
	b.life = newLifetime(ctx, nil, nil)
	pol, err := loadPolicy(ctx, b.in.Jurisdiction)
	if err != nil {
		return BulkResult{}, err
	}
	for b.s.Phase != BulkDone {
		if b.life.due(ctx) {
			next := b.in
			next.State = b.s
			return BulkResult{}, continueAsNew(ctx, noFlush, always, Bulk, next)
		}
		var err error
		switch b.s.Phase {
		case BulkScreening:
			err = b.screen(ctx, pol)
		case BulkMediation:
			err = b.mediate(ctx, pol)
		case BulkObjection:
			err = b.object(ctx)
		}
		if err != nil {
			return BulkResult{}, err
		}
	}
	if err := endRun(ctx, noFlush, always); err != nil {
		return BulkResult{}, err
	}
	p, err := b.progress(ctx)
	return BulkResult{Progress: p}, err
}

func noFlush(workflow.Context) error { return nil }
func always() bool                   { return true }

func (b *bulk) today(ctx workflow.Context) policy.Date {
	return policy.DateOf(b.in.Clock.CaseTime(workflow.Now(ctx)))
}

func (b *bulk) chunk() int {
	if b.in.ChunkRows > 0 {
		return b.in.ChunkRows
	}
	return bulkChunkRows
}

// drainChunks calls a chunk activity until it moves nothing.
func (b *bulk) drainChunks(ctx workflow.Context, act any, in activities.BulkChunkInput) error {
	ctx = workflow.WithActivityOptions(ctx, recordOptions)
	in.BatchID, in.Limit = b.in.BatchID, b.chunk()
	for {
		var moved int
		if err := workflow.ExecuteActivity(ctx, act, in).Get(ctx, &moved); err != nil {
			return err
		}
		if moved == 0 {
			return nil
		}
	}
}

func (b *bulk) progress(ctx workflow.Context) (db.BulkProgress, error) {
	ctx = workflow.WithActivityOptions(ctx, recordOptions)
	var rec *activities.Recorder
	var p db.BulkProgress
	err := workflow.ExecuteActivity(ctx, rec.BulkProgress, b.in.BatchID).Get(ctx, &p)
	return p, err
}

// screen screens and preserves every row, then opens mediation for the
// period the policy sets.
func (b *bulk) screen(ctx workflow.Context, pol policy.Policy) error {
	var rec *activities.Recorder
	on := b.today(ctx)
	if err := b.drainChunks(ctx, rec.BulkScreenChunk, activities.BulkChunkInput{On: on}); err != nil {
		return err
	}
	if err := b.drainChunks(ctx, rec.BulkPreserveChunk, activities.BulkChunkInput{On: on}); err != nil {
		return err
	}
	// Counted from the store, not from the chunks' answers: a chunk whose
	// answer a killed worker lost was still done.
	p, err := b.progress(ctx)
	if err != nil {
		return err
	}
	until, err := deadline(ctx, b.in.Jurisdiction, on, pol.Bulk.MediationPeriod)
	if err != nil {
		return err
	}
	b.s.Pending = p.Mediating + p.Unreachable
	b.s.MediationUntil = until
	b.s.Phase = BulkMediation
	return nil
}

// wait waits until the day until has run out or done holds, waking when
// the run is due to continue; it reports whether the period is over.
func (b *bulk) wait(ctx workflow.Context, until policy.Date, done func() bool) (bool, error) {
	passed, err := waitUntil(ctx, b.in.Clock, until.End(), func() bool { return done() || b.life.wakes(ctx) })
	if err != nil {
		return false, err
	}
	return passed || done() || !b.in.Clock.CaseTime(workflow.Now(ctx)).Before(until.End()), nil
}

// close refuses new commands and lets those running finish, so the
// phase's chunks see every row a command moved.
func (b *bulk) close(ctx workflow.Context) error {
	b.s.Phase = BulkClosing
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// mediate waits for the mediation period, or until every row's mediation
// is decided; then it issues the payment orders (batch 支付令) to those not
// resolved and files those still unreachable, whom no order can reach.
func (b *bulk) mediate(ctx workflow.Context, pol policy.Policy) error {
	over, err := b.wait(ctx, b.s.MediationUntil, func() bool { return b.s.Pending <= 0 })
	if err != nil || !over {
		return err
	}
	if err := b.close(ctx); err != nil {
		return err
	}
	var rec *activities.Recorder
	on := b.today(ctx)
	if err := b.drainChunks(ctx, rec.BulkAdvanceChunk, activities.BulkChunkInput{On: on,
		From: []string{RowMediating, RowMediationFailed}, To: RowPaymentOrder, Kind: "payment_order_issued"}); err != nil {
		return err
	}
	if err := b.drainChunks(ctx, rec.BulkAdvanceChunk, activities.BulkChunkInput{On: on,
		From: []string{RowUnreachable}, To: RowFiled, Kind: "filed"}); err != nil {
		return err
	}
	p, err := b.progress(ctx)
	if err != nil {
		return err
	}
	if p.PaymentOrder == 0 {
		// Every row was resolved, written off or filed: no order to wait on.
		b.s.Phase = BulkDone
		return nil
	}
	until, err := deadline(ctx, b.in.Jurisdiction, on, pol.PaymentOrder.ObjectionPeriod)
	if err != nil {
		return err
	}
	b.s.ObjectionUntil, b.s.Phase = until, BulkObjection
	return nil
}

// object waits out the objection period; then an order not objected to
// takes effect and an objected one is filed for litigation.
func (b *bulk) object(ctx workflow.Context) error {
	over, err := b.wait(ctx, b.s.ObjectionUntil, func() bool { return false })
	if err != nil || !over {
		return err
	}
	if err := b.close(ctx); err != nil {
		return err
	}
	var rec *activities.Recorder
	on := b.today(ctx)
	if err := b.drainChunks(ctx, rec.BulkAdvanceChunk, activities.BulkChunkInput{On: on,
		From: []string{RowPaymentOrder}, To: RowEffective, Kind: "payment_order_effective"}); err != nil {
		return err
	}
	if err := b.drainChunks(ctx, rec.BulkAdvanceChunk, activities.BulkChunkInput{On: on,
		From: []string{RowObjected}, To: RowFiled, Kind: "filed"}); err != nil {
		return err
	}
	b.s.Phase = BulkDone
	return nil
}

func (b *bulk) view() BulkView { return BulkView{BatchID: b.in.BatchID, BulkState: *b.s} }

func (b *bulk) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (BulkView, error) { return b.view(), nil }); err != nil {
		return err
	}
	return registerCommands(ctx, nil,
		command{UpdateBulkMediation, b.recordMediation, b.validateMediation},
		command{UpdateBulkRepair, b.repair, b.validateRepair},
		command{UpdateBulkObjection, b.objection, b.validateObjection},
	)
}

func (b *bulk) validRow(phase string, row int) error {
	if b.s.Phase != phase {
		return reject(RejectConflict, "the batch is in its %s phase, not %s", b.s.Phase, phase)
	}
	if row < 1 || row > b.in.Rows {
		return reject(RejectInvalid, "row %d is not in the batch (1 to %d)", row, b.in.Rows)
	}
	return nil
}

func (b *bulk) validateMediation(_ workflow.Context, c BulkMediationCommand) error {
	if err := b.validRow(BulkMediation, c.Row); err != nil {
		return err
	}
	if c.Outcome != BulkResolved && c.Outcome != BulkFailed {
		return reject(RejectInvalid, "outcome %q is neither %s nor %s", c.Outcome, BulkResolved, BulkFailed)
	}
	return nil
}

func (b *bulk) validateRepair(_ workflow.Context, c BulkRepairCommand) error {
	if err := b.validRow(BulkMediation, c.Row); err != nil {
		return err
	}
	if strings.TrimSpace(c.Phone) == "" {
		return reject(RejectInvalid, "a repaired contact needs a phone")
	}
	return nil
}

func (b *bulk) validateObjection(_ workflow.Context, c BulkObjectionCommand) error {
	if err := b.validRow(BulkObjection, c.Row); err != nil {
		return err
	}
	if strings.TrimSpace(c.Reason) == "" {
		return reject(RejectInvalid, "an objection needs its grounds")
	}
	return nil
}

// apply runs one row command; a row not in the stage the command needs
// refuses it (409) and changes nothing.
func (b *bulk) apply(ctx workflow.Context, c db.BulkRowCommand) (activities.BulkRowResult, error) {
	ctx = workflow.WithActivityOptions(ctx, recordOptions)
	var rec *activities.Recorder
	c.Batch, c.On = b.in.BatchID, b.today(ctx)
	var r activities.BulkRowResult
	if err := workflow.ExecuteActivity(ctx, rec.BulkRowApply, c).Get(ctx, &r); err != nil {
		return r, err
	}
	if !r.Applied {
		return r, reject(RejectConflict, "row %d is %s, not %s", c.No, r.Stage, c.From)
	}
	return r, nil
}

func (b *bulk) recordMediation(ctx workflow.Context, c BulkMediationCommand) (activities.BulkRowResult, error) {
	to, kind := RowResolved, "mediation_resolved"
	if c.Outcome == BulkFailed {
		to, kind = RowMediationFailed, "mediation_failed"
	}
	r, err := b.apply(ctx, db.BulkRowCommand{No: c.Row, From: RowMediating, To: to, Kind: kind, Actor: c.Actor.Subject, Reason: c.Reason})
	if err == nil {
		b.s.Pending--
	}
	return r, err
}

func (b *bulk) repair(ctx workflow.Context, c BulkRepairCommand) (activities.BulkRowResult, error) {
	return b.apply(ctx, db.BulkRowCommand{No: c.Row, From: RowUnreachable, To: RowMediating, Kind: "contact_repaired",
		Actor: c.Actor.Subject, Phone: strings.TrimSpace(c.Phone), Address: strings.TrimSpace(c.Address)})
}

func (b *bulk) objection(ctx workflow.Context, c BulkObjectionCommand) (activities.BulkRowResult, error) {
	return b.apply(ctx, db.BulkRowCommand{No: c.Row, From: RowPaymentOrder, To: RowObjected, Kind: "objection",
		Actor: c.Actor.Subject, Reason: c.Reason})
}
