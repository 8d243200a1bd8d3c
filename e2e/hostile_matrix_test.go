package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/casefile"
)

// TestHostileBodiesToEveryCommand sends every command operation, as a
// caller allowed to use it, bodies no client should send: each is answered
// with a 4xx problem+json that says why — never a 5xx — and the case is
// exactly as it was.
func TestHostileBodiesToEveryCommand(t *testing.T) {
	c := startCase(t, realTime)
	id := c.Summary.ID
	before := timeline(t, realTime, id)
	bodies := map[string][]byte{
		"MalformedJSON": []byte(`{"amount_fen": 1,`),
		"NotAnObject":   []byte(`[1,2,3]`),
		"WrongTypes":    []byte(`{"amount_fen":"lots","paid_on":17,"outcome":false,"reason":{},"found":"yes","kind":[],"installments":"x","parties":{}}`),
		"Negative":      []byte(`{"amount_fen":-100,"claim_fen":-1,"total_fen":-5,"value_fen":-1,"days":-3}`),
		"Empty":         []byte(`{}`),
		"NULInText":     []byte(`{"reason":"a\u0000b","note":"\u0000"}`),
		"TooLarge":      []byte(`{"reason":"` + strings.Repeat("长", 400_000) + `"}`),
	}
	for _, op := range operations(t) {
		rule, _ := api.RuleOf(op)
		if !rule.Writes {
			continue
		}
		as := insiders[rule.Roles[0]]
		if slices.Contains(rule.Roles, casefile.RoleCourt) {
			as = court
		}
		path := fill(op.Path, id)
		for name, body := range bodies {
			t.Run(op.OperationID+"/"+name, func(t *testing.T) {
				res := do(t, realTime, &as, op.Method, path, body)
				require.True(t, res.Status >= 400 && res.Status < 500, "%s %s as %s: got %d %s", op.Method, path, as.Role, res.Status, res.Body)
				res.problem(t)
			})
		}
	}
	require.Equal(t, kinds(before), kinds(timeline(t, realTime, id)), "refused commands changed nothing")
}
