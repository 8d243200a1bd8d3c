package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/documents"
	"github.com/casework/casework/internal/payload"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// BatchColumns is the header a batch file starts with, in this order.
var BatchColumns = []string{"debtor_name", "id_number", "phone", "contract_no", "principal", "interest", "fees"}

// maxBatchFen bounds each amount of a row (10^12 yuan), as every amount
// the API takes.
const maxBatchFen = 100_000_000_000_000

var (
	idNumber = regexp.MustCompile(`^[0-9]{17}[0-9X]$`)
	yuanText = regexp.MustCompile(`^([0-9]{1,15})(\.[0-9]{1,2})?$`)
)

// ParseYuan turns a decimal yuan string ("1234.56", "12.5", "300") into
// integer fen without floating point; a sign, an exponent, a separator or
// more than two decimals is refused.
func ParseYuan(s string) (int64, error) {
	m := yuanText.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not an amount in yuan like 1234.56", s)
	}
	whole, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", s)
	}
	cents := int64(0)
	if m[2] != "" {
		frac := m[2][1:]
		if len(frac) == 1 {
			frac += "0"
		}
		cents, _ = strconv.ParseInt(frac, 10, 64)
	}
	if whole > maxBatchFen/100 {
		return 0, fmt.Errorf("%q is over the largest amount, %d yuan", s, int64(maxBatchFen/100))
	}
	fen := whole*100 + cents
	if fen > maxBatchFen {
		return 0, fmt.Errorf("%q is over the largest amount, %d yuan", s, int64(maxBatchFen/100))
	}
	return fen, nil
}

// RowError is one thing wrong with one row of a batch file; row 0 is the
// file as a whole, row 1 the first row after the header.
type RowError struct {
	Row     int
	Field   string
	Message string
}

func (e RowError) detail() *huma.ErrorDetail {
	loc := "body"
	if e.Row > 0 {
		loc = fmt.Sprintf("body.rows[%d]", e.Row)
		if e.Field != "" {
			loc += "." + e.Field
		}
	}
	msg := e.Message
	if e.Row > 0 {
		msg = fmt.Sprintf("row %d: %s", e.Row, e.Message)
	}
	return &huma.ErrorDetail{Location: loc, Message: msg}
}

// ParseBatch decodes and checks a batch file: UTF-8 (a BOM is skipped),
// or GBK when charset says so; the header BatchColumns; one row a debtor
// with the amounts in yuan. It returns the rows, or every error found.
func ParseBatch(body []byte, charset string) ([]db.BulkRow, []RowError) {
	if len(body) > payload.MaxBatchBytes {
		return nil, []RowError{{Message: fmt.Sprintf("the file is %d bytes, over the limit of %d", len(body), payload.MaxBatchBytes)}}
	}
	switch strings.ToLower(charset) {
	case "", "utf-8", "utf8":
	case "gbk", "gb2312", "gb18030":
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(body)
		if err != nil {
			return nil, []RowError{{Message: "the file is not valid " + charset + ": " + err.Error()}}
		}
		body = dec
	default:
		return nil, []RowError{{Message: "charset " + strconv.Quote(charset) + " is not taken: send UTF-8, or GBK with charset=gbk"}}
	}
	body = bytes.TrimPrefix(body, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	var errs []RowError
	header, err := r.Read()
	if err != nil {
		return nil, []RowError{{Message: "the file has no header line: " + err.Error()}}
	}
	if strings.Join(header, ",") != strings.Join(BatchColumns, ",") {
		if !utf8.ValidString(strings.Join(header, ",")) {
			return nil, []RowError{{Message: "the file is not UTF-8; a GBK file (common from banks) is taken with Content-Type: text/csv; charset=gbk"}}
		}
		return nil, []RowError{{Message: "the header must be " + strings.Join(BatchColumns, ",")}}
	}
	var rows []db.BulkRow
	seen := map[string]int{}
	for no := 1; ; no++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if no > payload.MaxBatchRows {
			return nil, append(errs, RowError{Message: fmt.Sprintf("the file has more than %d rows, the limit of one batch", payload.MaxBatchRows)})
		}
		if err != nil {
			errs = append(errs, RowError{Row: no, Message: "not a CSV line: " + err.Error()})
			continue
		}
		row, rowErrs := parseBatchRow(no, rec)
		if prior, dup := seen[row.ContractNo]; dup && row.ContractNo != "" {
			rowErrs = append(rowErrs, RowError{Row: no, Field: "contract_no", Message: fmt.Sprintf("contract %s is also row %d", row.ContractNo, prior)})
		} else if row.ContractNo != "" {
			seen[row.ContractNo] = no
		}
		errs = append(errs, rowErrs...)
		rows = append(rows, row)
	}
	if len(rows) == 0 && len(errs) == 0 {
		errs = append(errs, RowError{Message: "the file has no rows"})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return rows, nil
}

func parseBatchRow(no int, rec []string) (db.BulkRow, []RowError) {
	row := db.BulkRow{No: no}
	if len(rec) != len(BatchColumns) {
		return row, []RowError{{Row: no, Message: fmt.Sprintf("%d fields, want %d (%s)", len(rec), len(BatchColumns), strings.Join(BatchColumns, ","))}}
	}
	var errs []RowError
	text := func(i int, required bool) string {
		v := strings.TrimSpace(rec[i])
		switch {
		case !utf8.ValidString(v):
			errs = append(errs, RowError{Row: no, Field: BatchColumns[i], Message: "not UTF-8; a GBK file is taken with Content-Type: text/csv; charset=gbk"})
		case required && v == "":
			errs = append(errs, RowError{Row: no, Field: BatchColumns[i], Message: "missing"})
		case utf8.RuneCountInString(v) > 200:
			errs = append(errs, RowError{Row: no, Field: BatchColumns[i], Message: "longer than 200 characters"})
		case strings.ContainsFunc(v, unicode.IsControl):
			errs = append(errs, RowError{Row: no, Field: BatchColumns[i], Message: "holds control characters"})
		}
		return v
	}
	amount := func(i int, positive bool) int64 {
		v := text(i, true)
		if v == "" {
			return 0
		}
		fen, err := ParseYuan(v)
		switch {
		case err != nil:
			errs = append(errs, RowError{Row: no, Field: BatchColumns[i], Message: err.Error()})
		case positive && fen == 0:
			errs = append(errs, RowError{Row: no, Field: BatchColumns[i], Message: "must be more than zero"})
		}
		return fen
	}
	row.DebtorName = text(0, true)
	row.DebtorIDNo = strings.ToUpper(text(1, true))
	if row.DebtorIDNo != "" && !idNumber.MatchString(row.DebtorIDNo) {
		errs = append(errs, RowError{Row: no, Field: "id_number", Message: "not an 18-character resident ID number"})
	}
	row.Phone = text(2, false)
	row.ContractNo = text(3, true)
	row.PrincipalFen = amount(4, true)
	row.InterestFen = amount(5, false)
	row.FeesFen = amount(6, false)
	if row.PrincipalFen+row.InterestFen+row.FeesFen > maxBatchFen {
		errs = append(errs, RowError{Row: no, Message: "principal, interest and fees together are over the largest amount"})
	}
	return row, errs
}

// BatchID is a batch's id, derived from its file: the same file never
// opens two batches.
func BatchID(file []byte) string {
	sum := sha256.Sum256(file)
	return "b" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10]))
}

var batchIDPattern = regexp.MustCompile(`^b[a-z2-7]{16}$`)

var (
	intakeClerks = []casefile.Role{casefile.RoleIntakeClerk}
	batchReaders = []casefile.Role{casefile.RoleIntakeClerk, casefile.RoleCourt, casefile.RoleAuditor, casefile.RoleSupervisor}
)

type fileBatchInput struct {
	ContentType string `header:"Content-Type"`
	RawBody     []byte `contentType:"text/csv"`
}

// BatchBody is a batch and its progress.
type BatchBody struct {
	db.BulkBatch
	Progress db.BulkProgress     `json:"progress"`
	Live     *workflows.BulkView `json:"live,omitempty" doc:"The batch workflow's phase and periods, when Temporal answers"`
}

type batchOutput struct {
	Status int
	Body   BatchBody
}

type batchInput struct {
	ID string `path:"id" maxLength:"17"`
}

type batchRowInput struct {
	ID  string `path:"id" maxLength:"17"`
	Row int    `path:"row" minimum:"1" maximum:"5000"`
}

type batchMediationInput struct {
	ID             string `path:"id" maxLength:"17"`
	Row            int    `path:"row" minimum:"1" maximum:"5000"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"A retried request with the same key takes effect once and is answered again"`
	Body           struct {
		Outcome string `json:"outcome" enum:"resolved,failed" doc:"resolved: settled before filing; failed: a payment order follows when mediation ends"`
		Reason  string `json:"reason,omitempty" maxLength:"2000"`
	}
}

type batchRepairInput struct {
	ID             string `path:"id" maxLength:"17"`
	Row            int    `path:"row" minimum:"1" maximum:"5000"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Phone   string `json:"phone" minLength:"1" maxLength:"50" pattern:"^[^\\x00-\\x1f\\x7f]+$"`
		Address string `json:"address,omitempty" maxLength:"500" pattern:"^[^\\x00-\\x1f\\x7f]*$"`
	}
}

type batchObjectionInput struct {
	ID             string `path:"id" maxLength:"17"`
	Row            int    `path:"row" minimum:"1" maximum:"5000"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Reason string `json:"reason" minLength:"1" maxLength:"2000" doc:"The debtor's grounds for objecting to the payment order"`
	}
}

// BatchRowBody is one row and its steps.
type BatchRowBody struct {
	db.BulkRow
	Steps []db.BulkStep `json:"steps"`
}

type batchRowOutput struct {
	Body BatchRowBody
}

type documentInput struct {
	ID   string `path:"id" maxLength:"17"`
	Row  int    `path:"row" minimum:"1" maximum:"5000"`
	Kind string `path:"kind" enum:"notice,agreement,payment_order,write_off"`
}

type documentOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// documentStep is the step a row must have taken for a document to exist.
var documentStep = map[string]string{
	documents.Notice:       "mediation_notice",
	documents.Agreement:    "mediation_resolved",
	documents.PaymentOrder: "payment_order_issued",
	documents.WriteOff:     "write_off_certificate",
}

func (s *Server) registerBatches(api huma.API) {
	op := operation("file-batch", http.MethodPost, "/batches",
		"File a batch of financial disputes (批量金融纠纷) from one CSV file", access{Roles: intakeClerks})
	op.DefaultStatus = http.StatusCreated
	op.Description += " The body is the file itself, Content-Type text/csv (UTF-8, or GBK with charset=gbk), " +
		"header " + strings.Join(BatchColumns, ",") + ", one row a debtor, amounts in yuan with at most two decimals " +
		"(1234.56), stored as integer fen. A file with any bad row is refused as a whole (422, every row's errors in errors[]) and nothing is stored. " +
		"The same file again answers 200 with its batch."
	op.Errors = append(op.Errors, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity, http.StatusConflict)
	huma.Register(api, op, s.fileBatch)

	op = operation("get-batch", http.MethodGet, "/batches/{id}", "Read a batch and its progress: rows total, screened, by route, done",
		access{Roles: batchReaders})
	op.Errors = append(op.Errors, http.StatusNotFound)
	huma.Register(api, op, s.getBatch)

	op = operation("get-batch-row", http.MethodGet, "/batches/{id}/rows/{row}", "Read one row of a batch and every step it took",
		access{Roles: batchReaders})
	op.Errors = append(op.Errors, http.StatusNotFound)
	huma.Register(api, op, s.getBatchRow)

	op = operation("record-batch-mediation", http.MethodPost, "/batches/{id}/rows/{row}/mediation",
		"Record the outcome of a row's mediation before filing", access{Roles: courts})
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.batchMediation)

	op = operation("repair-batch-contact", http.MethodPost, "/batches/{id}/rows/{row}/contact",
		"Repair an unreachable debtor's contact (失联修复); the row goes to mediation", access{Roles: courts})
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.batchRepair)

	op = operation("record-batch-objection", http.MethodPost, "/batches/{id}/rows/{row}/objection",
		"Record a debtor's objection to the payment order within the objection period; the row is filed", access{Roles: courts})
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.batchObjection)

	op = operation("get-batch-document", http.MethodGet, "/batches/{id}/documents/{row}/{kind}",
		"A row's document as DOCX: notice, agreement, payment_order or write_off, once the row has taken its step",
		access{Roles: batchReaders})
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict)
	op.Responses = map[string]*huma.Response{"200": {Description: "The DOCX file", Content: map[string]*huma.MediaType{documents.ContentType: {}}}}
	huma.Register(api, op, s.getBatchDocument)
}

func (s *Server) fileBatch(ctx context.Context, in *fileBatchInput) (*batchOutput, error) {
	p := principalFrom(ctx)
	mt, params, err := mime.ParseMediaType(in.ContentType)
	if err != nil || mt != "text/csv" {
		return nil, huma.Error415UnsupportedMediaType("a batch is a CSV file: Content-Type: text/csv (charset=gbk for a GBK file)")
	}
	rows, bad := ParseBatch(in.RawBody, params["charset"])
	if len(bad) > 0 {
		return nil, batchRefused(bad)
	}
	id := BatchID(in.RawBody)
	contracts := make([]string, len(rows))
	for i, r := range rows {
		contracts[i] = r.ContractNo
	}
	imported, err := s.Store.BulkImported(ctx, contracts)
	if err != nil {
		return nil, s.problem(ctx, "file a batch", err)
	}
	status := http.StatusCreated
	if len(imported) > 0 {
		if b, err := s.Store.BulkBatch(ctx, id); err == nil && len(imported) == len(rows) && imported[0].BatchID == id {
			// The same file again: its batch, started if it was not.
			if !canSeeBatch(ctx, b) {
				return nil, huma.Error409Conflict("this file was filed by another filer")
			}
			status = http.StatusOK
		} else {
			pos := map[string]int{}
			for _, r := range rows {
				pos[r.ContractNo] = r.No
			}
			var errs []RowError
			for _, c := range imported {
				errs = append(errs, RowError{Row: pos[c.ContractNo], Field: "contract_no", Message: "contract " + c.ContractNo + " is already imported"})
			}
			return nil, batchRefused(errs)
		}
	}
	if err := s.checkJurisdictions([]string{p.Jurisdiction}); err != nil {
		return nil, err
	}
	b := db.BulkBatch{BatchID: id, Filer: p.Subject, Court: p.Court, Jurisdiction: p.Jurisdiction, Creditor: p.Organisation,
		FileSHA256: hex.EncodeToString(sha(in.RawBody)), RowsTotal: len(rows)}
	if status == http.StatusCreated {
		// The rows go to PostgreSQL here, in one transaction, rather than
		// through an activity: an activity's input is kept in the
		// workflow's history, and 2,000 rows must never be.
		if _, err := s.Store.StoreBulkBatch(ctx, b, rows); err != nil {
			return nil, s.problem(ctx, "file a batch", err)
		}
	}
	_, err = s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.BulkWorkflowID(id), TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.Bulk, workflows.BulkInput{BatchID: id, Jurisdiction: p.Jurisdiction, Rows: len(rows), Clock: casetime.Clock{Scale: s.TimeScale}})
	// The conflict policy answers with the running batch when a retry
	// finds it started; a finished one is left as it ended.
	var done *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &done) {
		return nil, s.problem(ctx, "start the batch", err)
	}
	out, err := s.batch(ctx, id)
	if err != nil {
		return nil, err
	}
	out.Status = status
	return out, nil
}

func sha(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// batchRefused is the 422 of a refused file, with every row's errors.
func batchRefused(errs []RowError) error {
	details := make([]error, 0, len(errs))
	for _, e := range errs {
		details = append(details, e.detail())
	}
	msg := fmt.Sprintf("the file is refused: %d errors; nothing was stored", len(errs))
	return huma.Error422UnprocessableEntity(msg, details...)
}

func (s *Server) loadBatch(ctx context.Context, id string) (db.BulkBatch, error) {
	if !batchIDPattern.MatchString(id) {
		return db.BulkBatch{}, huma.Error404NotFound("no batch with id " + strconv.Quote(id))
	}
	b, err := s.Store.BulkBatch(ctx, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !canSeeBatch(ctx, b)) {
		return db.BulkBatch{}, huma.Error404NotFound("no batch with id " + id)
	}
	if err != nil {
		return db.BulkBatch{}, s.problem(ctx, "read the batch", err)
	}
	return b, nil
}

// canSeeBatch: an intake clerk sees the batches its organisation filed
// with its court; a court its own court's; an auditor or supervisor those
// of their jurisdiction. Any other batch is answered 404, as one that
// does not exist.
func canSeeBatch(ctx context.Context, b db.BulkBatch) bool {
	p := principalFrom(ctx)
	switch p.Role {
	case casefile.RoleIntakeClerk:
		return p.Organisation == b.Creditor && p.Court == b.Court
	case casefile.RoleCourt:
		return p.Court == b.Court && p.Covers(b.Jurisdiction)
	case casefile.RoleAuditor, casefile.RoleSupervisor:
		return p.Covers(b.Jurisdiction)
	}
	return false
}

func (s *Server) batch(ctx context.Context, id string) (*batchOutput, error) {
	b, err := s.loadBatch(ctx, id)
	if err != nil {
		return nil, err
	}
	prog, err := s.Store.BulkProgress(ctx, id)
	if err != nil {
		return nil, s.problem(ctx, "read the batch", err)
	}
	out := &batchOutput{Status: http.StatusOK, Body: BatchBody{BulkBatch: b, Progress: prog}}
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if v, err := s.Temporal.QueryWorkflow(qctx, workflows.BulkWorkflowID(id), "", workflows.QueryState); err == nil {
		var view workflows.BulkView
		if err := v.Get(&view); err == nil {
			out.Body.Live = &view
		}
	}
	return out, nil
}

func (s *Server) getBatch(ctx context.Context, in *batchInput) (*batchOutput, error) {
	return s.batch(ctx, in.ID)
}

func (s *Server) getBatchRow(ctx context.Context, in *batchRowInput) (*batchRowOutput, error) {
	if _, err := s.loadBatch(ctx, in.ID); err != nil {
		return nil, err
	}
	r, err := s.Store.BulkRow(ctx, in.ID, in.Row)
	if errors.Is(err, db.ErrNotFound) {
		return nil, huma.Error404NotFound(fmt.Sprintf("batch %s has no row %d", in.ID, in.Row))
	}
	if err != nil {
		return nil, s.problem(ctx, "read the row", err)
	}
	steps, err := s.Store.BulkSteps(ctx, in.ID, in.Row)
	if err != nil {
		return nil, s.problem(ctx, "read the row", err)
	}
	return &batchRowOutput{Body: BatchRowBody{BulkRow: r, Steps: steps}}, nil
}

// batchUpdate sends a row command to the batch's workflow as an update,
// keyed as a case's commands are: an Idempotency-Key is scoped to the
// caller, the operation and the row, bound to the body it first carried
// (another body under it is 422), and its outcome is kept in PostgreSQL,
// so a retry takes effect once and is answered 200 with the row, where
// the same command without a key is refused 409 once the row moved on.
func (s *Server) batchUpdate(ctx context.Context, id string, row int, name, key string, cmd any) (*batchRowOutput, error) {
	if _, err := s.loadBatch(ctx, id); err != nil {
		return nil, err
	}
	wf := workflows.BulkWorkflowID(id)
	_, err := keyedUpdateOn[activities.BulkRowResult](ctx, s, keyTarget{workflowID: wf, scope: fmt.Sprintf("%s/rows/%d", wf, row), record: id}, name, key, cmd)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		// The batch exists (PostgreSQL has it), so its workflow has finished.
		return nil, huma.Error409Conflict("batch " + id + " is done: its rows take no more commands")
	}
	if err != nil {
		return nil, err
	}
	return s.getBatchRow(ctx, &batchRowInput{ID: id, Row: row})
}

func (s *Server) batchMediation(ctx context.Context, in *batchMediationInput) (*batchRowOutput, error) {
	return s.batchUpdate(ctx, in.ID, in.Row, workflows.UpdateBulkMediation, in.IdempotencyKey, workflows.BulkMediationCommand{
		Row: in.Row, Outcome: in.Body.Outcome, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()})
}

func (s *Server) batchRepair(ctx context.Context, in *batchRepairInput) (*batchRowOutput, error) {
	return s.batchUpdate(ctx, in.ID, in.Row, workflows.UpdateBulkRepair, in.IdempotencyKey, workflows.BulkRepairCommand{
		Row: in.Row, Phone: in.Body.Phone, Address: in.Body.Address, Actor: principalFrom(ctx).Actor()})
}

func (s *Server) batchObjection(ctx context.Context, in *batchObjectionInput) (*batchRowOutput, error) {
	return s.batchUpdate(ctx, in.ID, in.Row, workflows.UpdateBulkObjection, in.IdempotencyKey, workflows.BulkObjectionCommand{
		Row: in.Row, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()})
}

func (s *Server) getBatchDocument(ctx context.Context, in *documentInput) (*documentOutput, error) {
	b, err := s.loadBatch(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	r, err := s.getBatchRow(ctx, &batchRowInput{ID: in.ID, Row: in.Row})
	if err != nil {
		return nil, err
	}
	var on policy.Date
	for _, st := range r.Body.Steps {
		if st.Kind == documentStep[in.Kind] {
			on = st.CaseOn
		}
	}
	if on.IsZero() {
		return nil, huma.Error409Conflict(fmt.Sprintf("row %d has no %s: it is %s", in.Row, in.Kind, r.Body.Stage))
	}
	row := r.Body.BulkRow
	doc, err := documents.DOCX(in.Kind, documents.Fields{BatchID: b.BatchID, Row: row.No, Court: b.Court, Creditor: b.Creditor,
		DebtorName: row.DebtorName, DebtorIDNo: row.DebtorIDNo, ContractNo: row.ContractNo, PrincipalFen: row.PrincipalFen,
		InterestFen: row.InterestFen, FeesFen: row.FeesFen, TotalFen: row.PrincipalFen + row.InterestFen + row.FeesFen, Date: on.String()})
	if err != nil {
		return nil, s.problem(ctx, "make the document", err)
	}
	return &documentOutput{ContentType: documents.ContentType,
		ContentDisposition: fmt.Sprintf(`attachment; filename="%s-%d-%s.docx"`, b.BatchID, row.No, in.Kind), Body: doc}, nil
}
