package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
)

// operations lists every operation the API declares, sorted for stable
// subtest names.
func operations(t *testing.T) []*huma.Operation {
	t.Helper()
	_, a := api.New(&api.Server{})
	var ops []*huma.Operation
	for _, item := range a.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op != nil {
				ops = append(ops, op)
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].OperationID < ops[j].OperationID })
	require.NotEmpty(t, ops)
	return ops
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// fill puts the case id into {id} and a plausible value into any other
// path parameter: access is decided before the rest of the path matters.
func fill(path, id string) string {
	return pathParam.ReplaceAllStringFunc(path, func(p string) string {
		if p == "{id}" {
			return id
		}
		return "performance"
	})
}

// outsiders are, per role, a caller with that role but without this case
// in their scope.
var outsiders = map[casefile.Role]auth.Principal{
	casefile.RoleCourt:      otherCourt,
	casefile.RoleMediator:   otherMed,
	casefile.RoleParty:      stranger,
	casefile.RoleAuditor:    {Subject: "auditor-bj", Role: casefile.RoleAuditor, Jurisdiction: "CN-11"},
	casefile.RoleSupervisor: {Subject: "leader-bj", Role: casefile.RoleSupervisor, Jurisdiction: "CN-11"},
	casefile.RoleDispatcher: {Subject: "window-bj", Role: casefile.RoleDispatcher, Jurisdiction: "CN-11"},
	casefile.RoleIntakeClerk: {Subject: "clerk-bj", Role: casefile.RoleIntakeClerk, Court: "北京市某区人民法院",
		Jurisdiction: "CN-11", Organisation: "某银行股份有限公司北京分行"},
}

// insiders are, per role, a caller with that role within this case's scope.
var insiders = map[casefile.Role]auth.Principal{
	casefile.RoleCourt: court, casefile.RoleMediator: mediator, casefile.RoleParty: applicant,
	casefile.RoleAuditor: auditor, casefile.RoleSupervisor: supervisor, casefile.RoleCourtAdmin: courtAdmin,
	casefile.RoleDispatcher:  {Subject: "window-sun", Role: casefile.RoleDispatcher, Jurisdiction: "CN-52"},
	casefile.RoleIntakeClerk: clerk,
}

// TestAccessMatrix sends every operation as every role: a role the
// operation does not name is refused (403), a caller outside the case is
// refused (403), no token is refused (401), auditors can write nothing and
// supervisors only on a case they lead; and after all of it the case is
// exactly as it was.
func TestAccessMatrix(t *testing.T) {
	c := startCase(t, realTime)
	id := c.Summary.ID
	before := timeline(t, realTime, id)

	for _, op := range operations(t) {
		rule, ok := api.RuleOf(op)
		require.True(t, ok, "operation %s declares no access rule", op.OperationID)
		path := fill(op.Path, id)
		t.Run(op.OperationID, func(t *testing.T) {
			res := do(t, realTime, nil, op.Method, path, []byte(`{}`))
			require.Equal(t, http.StatusUnauthorized, res.Status, "no token: body %s", res.Body)
			res.problem(t)

			if rule.Writes {
				require.NotContains(t, rule.Roles, casefile.RoleAuditor, "auditors change nothing")
				if slices.Contains(rule.Roles, casefile.RoleSupervisor) {
					// A supervisor changes only a case they lead (authorize
					// checks it), or opens one as its leader.
					require.True(t, rule.OnCase || op.OperationID == "start-boundary",
						"%s lets a supervisor write beyond the cases they lead", op.OperationID)
				}
			}
			for _, role := range []casefile.Role{casefile.RoleCourt, casefile.RoleMediator, casefile.RoleParty, casefile.RoleAuditor, casefile.RoleSupervisor, casefile.RoleDispatcher} {
				if !slices.Contains(rule.Roles, role) {
					p := insiders[role]
					res := do(t, realTime, &p, op.Method, path, []byte(`{}`))
					require.Equal(t, http.StatusForbidden, res.Status, "%s as %s: body %s", op.OperationID, role, res.Body)
					res.problem(t)
					continue
				}
				if rule.OnCase && rule.Writes && role == casefile.RoleSupervisor {
					// Within the jurisdiction but not the case leader.
					p := insiders[role]
					res := do(t, realTime, &p, op.Method, path, []byte(`{}`))
					require.Equal(t, http.StatusForbidden, res.Status, "%s as a supervisor not leading the case: body %s", op.OperationID, res.Body)
					res.problem(t)
				}
				if rule.OnCase {
					// Outside the caller's cases, the case is answered as one
					// that does not exist: the same status and detail.
					p := outsiders[role]
					res := do(t, realTime, &p, op.Method, path, []byte(`{}`))
					require.Equal(t, http.StatusNotFound, res.Status, "%s as outside %s: body %s", op.OperationID, role, res.Body)
					require.Equal(t, "no case with id "+id, res.problem(t)["detail"])
				}
			}
		})
	}
	after := timeline(t, realTime, id)
	require.Equal(t, kinds(before), kinds(after), "refused requests changed nothing")
	res := do(t, realTime, &auditor, http.MethodGet, "/cases/"+id, nil)
	require.Equal(t, http.StatusOK, res.Status)
	var now api.CaseBody
	res.json(t, &now)
	require.Equal(t, "mediating", now.Summary.Stage)
	require.Equal(t, 0, now.Mediation.ExtensionsUsed)
	require.True(t, strings.HasPrefix(id, "c"))
}

// TestRevokedTokenIsRefused cuts off a leaked token, then every token of a
// subject: each is answered 401 from then on, and other tokens still work.
func TestRevokedTokenIsRefused(t *testing.T) {
	get := func(tok string) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, fast.URL+"/ledger", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	me := auth.Principal{Subject: fmt.Sprintf("auditor-%d", time.Now().UnixNano()), Role: casefile.RoleAuditor, Jurisdiction: "CN-52"}
	leaked, kept := token(t, me), token(t, me)
	require.Equal(t, http.StatusOK, get(leaked))

	lt, err := keys.VerifyToken(leaked)
	require.NoError(t, err)
	require.NoError(t, store.RevokeTokens(t.Context(), db.Revocation{ID: lt.ID, Reason: "leaked in a chat"}))
	require.Equal(t, http.StatusUnauthorized, get(leaked), "the revoked token")
	require.Equal(t, http.StatusOK, get(kept), "another token of the same subject")

	require.NoError(t, store.RevokeTokens(t.Context(), db.Revocation{Subject: me.Subject, IssuedBefore: time.Now().Add(time.Second)}))
	require.Equal(t, http.StatusUnauthorized, get(kept), "every token of the subject")
	require.Equal(t, http.StatusOK, get(token(t, auditor)), "someone else's token")
}
