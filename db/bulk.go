package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/casework/casework/db/dbq"
	"github.com/casework/casework/policy"
)

// BulkBatch is one filing of many financial disputes (批量金融纠纷).
type BulkBatch struct {
	BatchID      string    `json:"batch_id"`
	Filer        string    `json:"filer"`
	Court        string    `json:"court"`
	Jurisdiction string    `json:"jurisdiction"`
	Creditor     string    `json:"creditor"`
	FileSHA256   string    `json:"file_sha256"`
	RowsTotal    int       `json:"rows_total"`
	CreatedAt    time.Time `json:"created_at"`
}

// BulkRow is one dispute of a batch: one debtor, one contract, amounts in fen.
type BulkRow struct {
	No           int    `json:"no"`
	DebtorName   string `json:"debtor_name"`
	DebtorIDNo   string `json:"debtor_id_no"`
	Phone        string `json:"phone"`
	Address      string `json:"address,omitempty"`
	ContractNo   string `json:"contract_no"`
	PrincipalFen int64  `json:"principal_fen"`
	InterestFen  int64  `json:"interest_fen"`
	FeesFen      int64  `json:"fees_fen"`
	Stage        string `json:"stage"`
	Screened     bool   `json:"screened"`
	Preserved    bool   `json:"preserved"`
}

// BulkStep is one step a row took.
type BulkStep struct {
	Kind   string      `json:"kind"`
	Actor  string      `json:"actor"`
	Reason string      `json:"reason,omitempty"`
	CaseOn policy.Date `json:"case_on"`
	RealAt time.Time   `json:"real_at"`
}

// BulkProgress counts a batch's rows by route.
type BulkProgress struct {
	Total           int `json:"total"`
	Screened        int `json:"screened"`
	Preserved       int `json:"preserved"`
	Received        int `json:"received"`
	WrittenOff      int `json:"written_off"`
	Mediating       int `json:"mediating"`
	MediationFailed int `json:"mediation_failed"`
	Unreachable     int `json:"unreachable"`
	Resolved        int `json:"resolved"`
	PaymentOrder    int `json:"payment_order"`
	Objected        int `json:"objected"`
	Effective       int `json:"effective"`
	Filed           int `json:"filed"`
	// Done counts rows at the end of their route: written off, resolved,
	// payment order effective, or filed.
	Done int `json:"done"`
}

// BulkFunnel is the funnel of bulk disputes; Received is the denominator.
type BulkFunnel struct {
	Received             int `json:"received"`
	ScreenedOut          int `json:"screened_out"`
	ResolvedBeforeFiling int `json:"resolved_before_filing"`
	ByPaymentOrder       int `json:"by_payment_order"`
	Filed                int `json:"filed"`
}

// ErrImported is returned when a batch's contract numbers are already stored.
var ErrImported = errors.New("already imported")

// ImportedContract is a contract number already stored in a batch.
type ImportedContract struct {
	ContractNo string `json:"contract_no"`
	BatchID    string `json:"batch_id"`
	No         int    `json:"no"`
}

// BulkImported returns which of the contract numbers are already stored.
func (s *Store) BulkImported(ctx context.Context, contracts []string) ([]ImportedContract, error) {
	rows, err := dbq.New(s.pool).BulkContractsImported(ctx, contracts)
	if err != nil {
		return nil, fmt.Errorf("imported contracts: %w", err)
	}
	out := make([]ImportedContract, 0, len(rows))
	for _, r := range rows {
		out = append(out, ImportedContract{ContractNo: r.ContractNo, BatchID: r.BatchID, No: int(r.RowNo)})
	}
	return out, nil
}

// StoreBulkBatch writes a batch and all its rows in one transaction; a
// batch already stored (a retry) writes nothing. It returns whether it
// stored the batch now.
func (s *Store) StoreBulkBatch(ctx context.Context, b BulkBatch, rows []BulkRow) (bool, error) {
	stored := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		q := dbq.New(tx)
		n, err := q.BulkBatchInsert(ctx, dbq.BulkBatchInsertParams{
			BatchID: b.BatchID, Filer: b.Filer, Court: b.Court, Jurisdiction: b.Jurisdiction,
			Creditor: b.Creditor, FileSha256: b.FileSHA256, RowsTotal: int32(b.RowsTotal),
		})
		if err != nil || n == 0 {
			return err
		}
		p := dbq.BulkRowsInsertParams{BatchID: b.BatchID}
		for _, r := range rows {
			p.RowNos = append(p.RowNos, int32(r.No))
			p.DebtorNames = append(p.DebtorNames, r.DebtorName)
			p.DebtorIDNos = append(p.DebtorIDNos, r.DebtorIDNo)
			p.Phones = append(p.Phones, r.Phone)
			p.ContractNos = append(p.ContractNos, r.ContractNo)
			p.PrincipalFen = append(p.PrincipalFen, r.PrincipalFen)
			p.InterestFen = append(p.InterestFen, r.InterestFen)
			p.FeesFen = append(p.FeesFen, r.FeesFen)
		}
		if _, err := q.BulkRowsInsert(ctx, p); err != nil {
			return err
		}
		stored = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store batch %s: %w", b.BatchID, err)
	}
	return stored, nil
}

// BulkBatch returns a stored batch.
func (s *Store) BulkBatch(ctx context.Context, id string) (BulkBatch, error) {
	r, err := dbq.New(s.pool).BulkBatchGet(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return BulkBatch{}, fmt.Errorf("batch %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return BulkBatch{}, fmt.Errorf("batch %s: %w", id, err)
	}
	return BulkBatch{BatchID: r.BatchID, Filer: r.Filer, Court: r.Court, Jurisdiction: r.Jurisdiction, Creditor: r.Creditor,
		FileSHA256: r.FileSha256, RowsTotal: int(r.RowsTotal), CreatedAt: r.CreatedAt}, nil
}

// BulkRow returns one row of a batch.
func (s *Store) BulkRow(ctx context.Context, batch string, no int) (BulkRow, error) {
	r, err := dbq.New(s.pool).BulkRowGet(ctx, dbq.BulkRowGetParams{BatchID: batch, RowNo: int32(no)})
	if errors.Is(err, pgx.ErrNoRows) {
		return BulkRow{}, fmt.Errorf("batch %s row %d: %w", batch, no, ErrNotFound)
	}
	if err != nil {
		return BulkRow{}, fmt.Errorf("batch %s row %d: %w", batch, no, err)
	}
	return BulkRow{No: int(r.RowNo), DebtorName: r.DebtorName, DebtorIDNo: r.DebtorIDNo, Phone: r.Phone, Address: r.Address,
		ContractNo: r.ContractNo, PrincipalFen: r.PrincipalFen, InterestFen: r.InterestFen, FeesFen: r.FeesFen,
		Stage: r.Stage, Screened: r.Screened, Preserved: r.Preserved}, nil
}

// BulkSteps returns the steps a row took, in order.
func (s *Store) BulkSteps(ctx context.Context, batch string, no int) ([]BulkStep, error) {
	rows, err := dbq.New(s.pool).BulkRowSteps(ctx, dbq.BulkRowStepsParams{BatchID: batch, RowNo: int32(no)})
	if err != nil {
		return nil, fmt.Errorf("steps of batch %s row %d: %w", batch, no, err)
	}
	out := make([]BulkStep, 0, len(rows))
	for _, r := range rows {
		out = append(out, BulkStep{Kind: r.Kind, Actor: r.Actor, Reason: r.Reason, CaseOn: dateOf(r.CaseOn), RealAt: r.RealAt})
	}
	return out, nil
}

// BulkProgress counts a batch's rows by route.
func (s *Store) BulkProgress(ctx context.Context, batch string) (BulkProgress, error) {
	r, err := dbq.New(s.pool).BulkProgress(ctx, batch)
	if err != nil {
		return BulkProgress{}, fmt.Errorf("progress of batch %s: %w", batch, err)
	}
	p := BulkProgress{Total: int(r.Total), Screened: int(r.Screened), Preserved: int(r.Preserved), Received: int(r.Received),
		WrittenOff: int(r.WrittenOff), Mediating: int(r.Mediating), MediationFailed: int(r.MediationFailed),
		Unreachable: int(r.Unreachable), Resolved: int(r.Resolved), PaymentOrder: int(r.PaymentOrder),
		Objected: int(r.Objected), Effective: int(r.Effective), Filed: int(r.Filed)}
	p.Done = p.WrittenOff + p.Resolved + p.Effective + p.Filed
	return p, nil
}

// BulkScreened is what one screening chunk did.
type BulkScreened struct {
	Moved       int `json:"moved"`
	WrittenOff  int `json:"written_off"`
	Unreachable int `json:"unreachable"`
	Mediating   int `json:"mediating"`
}

// BulkScreenChunk screens up to limit received rows (查废) on the legal day on.
func (s *Store) BulkScreenChunk(ctx context.Context, batch string, limit int, on policy.Date) (BulkScreened, error) {
	r, err := dbq.New(s.pool).BulkScreenChunk(ctx, dbq.BulkScreenChunkParams{BatchID: batch, Max: int32(limit), CaseOn: pgDate(on)})
	if err != nil {
		return BulkScreened{}, fmt.Errorf("screen batch %s: %w", batch, err)
	}
	return BulkScreened{Moved: int(r.Moved), WrittenOff: int(r.WrittenOff), Unreachable: int(r.Unreachable), Mediating: int(r.Mediating)}, nil
}

// BulkPreserveChunk applies preservation to up to limit screened rows.
func (s *Store) BulkPreserveChunk(ctx context.Context, batch string, limit int, on policy.Date) (int, error) {
	n, err := dbq.New(s.pool).BulkPreserveChunk(ctx, dbq.BulkPreserveChunkParams{BatchID: batch, Max: int32(limit), CaseOn: pgDate(on)})
	if err != nil {
		return 0, fmt.Errorf("preserve batch %s: %w", batch, err)
	}
	return int(n), nil
}

// BulkAdvanceChunk moves up to limit rows from one of from to to, recording kind.
func (s *Store) BulkAdvanceChunk(ctx context.Context, batch string, from []string, to, kind string, limit int, on policy.Date) (int, error) {
	n, err := dbq.New(s.pool).BulkAdvanceChunk(ctx, dbq.BulkAdvanceChunkParams{
		BatchID: batch, FromStages: from, ToStage: to, Kind: kind, Max: int32(limit), CaseOn: pgDate(on)})
	if err != nil {
		return 0, fmt.Errorf("advance batch %s to %s: %w", batch, to, err)
	}
	return int(n), nil
}

// BulkRowCommand is one command on one row: move it from From to To (for
// a repair, with the new phone and address) and record the step Kind.
type BulkRowCommand struct {
	Batch   string      `json:"batch"`
	No      int         `json:"no"`
	From    string      `json:"from"`
	To      string      `json:"to"`
	Kind    string      `json:"kind"`
	Actor   string      `json:"actor"`
	Reason  string      `json:"reason,omitempty"`
	Phone   string      `json:"phone,omitempty"`
	Address string      `json:"address,omitempty"`
	On      policy.Date `json:"on"`
}

// BulkRowApply applies a command to a row in one transaction. It reports
// false, with the row's stage, when the row is not in From (and not
// already in To by this very step, which a retry finds).
func (s *Store) BulkRowApply(ctx context.Context, c BulkRowCommand) (applied bool, stage string, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		q := dbq.New(tx)
		var n int64
		var err error
		if c.Kind == "contact_repaired" {
			n, err = q.BulkRowRepair(ctx, dbq.BulkRowRepairParams{BatchID: c.Batch, RowNo: int32(c.No), Phone: c.Phone, Address: c.Address})
		} else {
			n, err = q.BulkRowMove(ctx, dbq.BulkRowMoveParams{BatchID: c.Batch, RowNo: int32(c.No), FromStage: c.From, ToStage: c.To})
		}
		if err != nil {
			return err
		}
		r, err := q.BulkRowGet(ctx, dbq.BulkRowGetParams{BatchID: c.Batch, RowNo: int32(c.No)})
		if err != nil {
			return err
		}
		stage = r.Stage
		if n == 0 {
			return nil
		}
		applied = true
		_, err = q.BulkStepInsert(ctx, dbq.BulkStepInsertParams{BatchID: c.Batch, RowNo: int32(c.No), Kind: c.Kind,
			Actor: c.Actor, Reason: c.Reason, CaseOn: pgDate(c.On)})
		return err
	})
	if err != nil {
		return false, "", fmt.Errorf("command %s on batch %s row %d: %w", c.Kind, c.Batch, c.No, err)
	}
	return applied, stage, nil
}

// BulkFunnel returns the funnel of the batches filed in jurisdiction (and
// its subdivisions), of one court when court is set.
func (s *Store) BulkFunnel(ctx context.Context, jurisdiction, court string) (BulkFunnel, error) {
	r, err := dbq.New(s.pool).BulkFunnel(ctx, dbq.BulkFunnelParams{Jurisdiction: jurisdiction, Court: court})
	if err != nil {
		return BulkFunnel{}, fmt.Errorf("bulk funnel: %w", err)
	}
	return BulkFunnel{Received: int(r.Received), ScreenedOut: int(r.ScreenedOut), ResolvedBeforeFiling: int(r.ResolvedBeforeFiling),
		ByPaymentOrder: int(r.ByPaymentOrder), Filed: int(r.Filed)}, nil
}
