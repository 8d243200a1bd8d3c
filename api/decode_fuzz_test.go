package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/stretchr/testify/require"

	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// decoderAPI serves one operation whose handler only checks what it was
// given, behind the same body limit as the real API: it exercises the
// request decoding (size, UTF-8, JSON, schema validation, unmarshalling)
// without a workflow behind it.
func decoderAPI[I any](check func(*I) error) http.Handler {
	return decoderAt(http.MethodPost, "/cases/{id}/{plan}/{measure}", check)
}

// accept is a check for decoders whose rules all live in their schema.
func accept[I any](*I) error { return nil }

// fuzzQuery sends query as the request's query string.
func fuzzQuery(t *testing.T, h http.Handler, query string) {
	req := httptest.NewRequest(http.MethodGet, "/x", nil)
	req.URL.RawQuery = query
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code < 300 {
		return
	}
	require.True(t, rec.Code >= 400 && rec.Code < 500, "got status %d for %q: %s", rec.Code, query, rec.Body)
	require.Contains(t, rec.Header().Get("Content-Type"), "problem+json")
}

// decoderAt is decoderAPI for an operation at method and path; the path
// must name every path parameter of I.
func decoderAt[I any](method, path string, check func(*I) error) http.Handler {
	mux := http.NewServeMux()
	a := humago.New(mux, Config())
	huma.Register(a, huma.Operation{OperationID: "decode", Method: method, Path: path},
		func(_ context.Context, in *I) (*struct{}, error) { return nil, check(in) })
	return limitBody(mux, maxBodyBytes)
}

// fuzzDecoder sends body as the request and requires an answer that is
// either success or a 4xx problem+json: never a panic, never a 5xx.
func fuzzDecoder(t *testing.T, h http.Handler, body []byte) {
	req := httptest.NewRequest(http.MethodPost, "/cases/c1/performance/m1", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code < 300 {
		return
	}
	require.True(t, rec.Code >= 400 && rec.Code < 500, "got status %d for %q: %s", rec.Code, body, rec.Body)
	require.Contains(t, rec.Header().Get("Content-Type"), "problem+json")
	var p map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p), "problem body: %s", rec.Body)
}

func seeds(f *testing.F, bodies ...string) {
	for _, b := range bodies {
		f.Add([]byte(b))
	}
	f.Add([]byte(`{`))
	f.Add([]byte("{\"reason\":\"\xff\"}"))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
}

func FuzzDecodeStartMediation(f *testing.F) {
	seeds(f, `{"case_number":"（2026）黔2301民诉前调1号","organisation":"o","mediator":"m","claim_fen":100,`+
		`"parties":[{"id":"a","name":"甲","side":"applicant"},{"id":"b","name":"乙","side":"respondent"}]}`,
		`{"case_number":"x","organisation":"o","mediator":"m","claim_fen":-1,"parties":[]}`)
	h := decoderAPI(func(in *startMediationInput) error {
		if in.Body.ClaimFen < 0 {
			t := f
			t.Fatalf("a negative claim passed decoding: %d", in.Body.ClaimFen)
		}
		return checkParties(in.Body.Parties)
	})
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecoder(t, h, body) })
}

func FuzzDecodeOutcome(f *testing.F) {
	seeds(f, `{"outcome":"agreed","terms":{"obligor":"b","obligees":["a"],"total_fen":300,"installments":[`+
		`{"due_on":"2026-12-01","amount_fen":100},{"due_on":"2027-01-01","amount_fen":200}]}}`,
		`{"outcome":"failed","reason":"拒绝"}`, `{"outcome":"agreed","terms":{"installments":[{"due_on":"2026-02-30"}]}}`)
	parties := []workflows.Party{{ID: "a", Side: workflows.SideApplicant}, {ID: "b", Side: workflows.SideRespondent}}
	agreedOn := policy.NewDate(2026, 11, 25)
	h := decoderAPI(func(in *outcomeInput) error {
		tb := in.Body.Terms
		if tb == nil {
			return nil
		}
		terms := workflows.Terms{Obligor: tb.Obligor, Obligees: tb.Obligees, TotalFen: tb.TotalFen}
		for _, i := range tb.Installments {
			terms.Installments = append(terms.Installments, workflows.Installment{DueOn: i.DueOn, AmountFen: i.AmountFen})
		}
		if err := workflows.ValidateTerms(terms, parties, agreedOn); err != nil {
			return huma.Error422UnprocessableEntity(err.Error())
		}
		// Accepted terms keep the rules: positive amounts summing exactly
		// to the total, due dates after the agreement, in order.
		var sum int64
		prev := agreedOn
		for _, i := range terms.Installments {
			if i.AmountFen <= 0 || !i.DueOn.After(prev) {
				panic("invalid installment accepted")
			}
			sum += i.AmountFen
			prev = i.DueOn
		}
		if sum != terms.TotalFen {
			panic("installments accepted that do not sum to the total")
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecoder(t, h, body) })
}

func FuzzDecodeExtend(f *testing.F) {
	seeds(f, `{"reason":"双方同意"}`, `{"reason":""}`)
	h := decoderAPI(accept[extendInput])
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecoder(t, h, body) })
}

func FuzzDecodeDecision(f *testing.F) {
	seeds(f, `{"decision":"confirmed"}`, `{"decision":"rejected","reason":"违法"}`, `{"decision":"maybe"}`)
	h := decoderAPI(func(in *decisionInput) error {
		if in.Body.Decision != workflows.DecisionConfirmed && in.Body.Decision != workflows.DecisionRejected {
			panic("a decision outside the enum passed decoding: " + in.Body.Decision)
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecoder(t, h, body) })
}

func FuzzDecodeFollowUp(f *testing.F) {
	seeds(f, `{"holds":true,"note":"良好"}`, `{"holds":"yes"}`)
	h := decoderAPI(accept[followUpInput])
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecoder(t, h, body) })
}

func FuzzDecodeReason(f *testing.F) {
	seeds(f, `{"reason":"受理"}`, `{}`)
	h := decoderAPI(accept[reasonInput])
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecoder(t, h, body) })
}

func FuzzDecodePayment(f *testing.F) {
	seeds(f, `{"amount_fen":1435000,"paid_on":"2026-11-20","reason":"银行转账"}`, `{"amount_fen":0,"paid_on":"2026-11-20"}`)
	h := decoderAPI(func(in *paymentInput) error {
		if in.Body.AmountFen < 1 {
			panic("a payment below one fen passed decoding")
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecoder(t, h, body) })
}

func FuzzDecodeUrge(f *testing.F) {
	seeds(f, `{"reason":"电话督促"}`)
	h := decoderAPI(accept[urgeInput])
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecoder(t, h, body) })
}

func FuzzDecodePreSettlement(f *testing.F) {
	seeds(f, `{"installments":[{"due_on":"2026-12-01","amount_fen":1}],"consented_by":["zhang-san"],"reason":"执前和解"}`,
		`{"installments":[],"consented_by":[],"reason":""}`)
	h := decoderAPI(func(in *preSettlementInput) error {
		if len(in.Body.Installments) == 0 || len(in.Body.Installments) > 120 || len(in.Body.ConsentedBy) == 0 || in.Body.Reason == "" {
			panic("a settlement its schema refuses passed decoding")
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecoder(t, h, body) })
}

func FuzzDecodeStartEnforcement(f *testing.F) {
	seeds(f, `{"case_number":"（2026）黔2301执1号","title":{"kind":"judgment","document_number":"（2025）黔2301民初1号",`+
		`"document_date":"2025-06-01","due_dates":["2025-07-01"]},"applicant":"a","respondent":"b","amount_fen":100,`+
		`"parties":[{"id":"a","name":"甲","side":"applicant"},{"id":"b","name":"乙","side":"respondent"}]}`)
	h := decoderAPI(accept[startEnforcementInput])
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecoder(t, h, body) })
}

func FuzzDecodeEnforcementCommands(f *testing.F) {
	seeds(f, `{"found":true,"findings":[{"asset_kind":"bank_deposit","description":"存款","value_fen":100}]}`,
		`{"kind":"freeze","asset_kind":"bank_deposit"}`, `{"kind":"detention","days":16}`,
		`{"amount_fen":100,"paid_on":"2026-11-20"}`, `{"installments":[{"due_on":"2026-12-01","amount_fen":1}]}`,
		`{"reason":"未发现可供执行财产"}`,
		`{"until":"2027-01-31","reason":"申请执行人同意","agreed_by":["zhang-san"],"on_end":"resume"}`,
		`{"holds":true,"note":"回访"}`)
	handlers := []http.Handler{
		decoderAPI(accept[inquiryInput]), decoderAPI(accept[measureInput]), decoderAPI(accept[measureRefInput]),
		decoderAPI(accept[enforcementPaymentInput]), decoderAPI(accept[settlementInput]),
		decoderAPI(accept[terminationInput]), decoderAPI(accept[recheckInput]),
		decoderAPI(accept[standstillInput]), decoderAPI(accept[followUpInput]),
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, h := range handlers {
			fuzzDecoder(t, h, body)
		}
	})
}

func FuzzDecodeLedgerQuery(f *testing.F) {
	for _, q := range []string{"state=overdue&limit=10", "jurisdiction=CN-52&opened_from=2026-01-01", "group_by=month",
		"limit=-1", "cursor=%ff%00", "opened_to=2026-02-30", "state=%E2%80%AE"} {
		f.Add(q)
	}
	handlers := []http.Handler{
		decoderAt(http.MethodGet, "/x", accept[ledgerInput]),
		decoderAt(http.MethodGet, "/x", accept[statisticsInput]),
	}
	f.Fuzz(func(t *testing.T, query string) {
		for _, h := range handlers {
			fuzzQuery(t, h, query)
		}
	})
}
