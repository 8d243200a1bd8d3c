package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/workflows"
)

const bearerScheme = "bearer"

// caseAccess says whether an operation reads or changes one case.
type caseAccess int

const (
	noCase caseAccess = iota
	readCase
	writeCase
)

// access is who may call an operation: one of Roles, and, for an operation
// on one case (path parameter id), only within the caller's own cases.
type access struct {
	Roles []casefile.Role
	Case  caseAccess
}

var (
	everyone = []casefile.Role{casefile.RoleCourt, casefile.RoleMediator, casefile.RoleParty, casefile.RoleAuditor, casefile.RoleSupervisor, casefile.RoleDispatcher}
	courts   = []casefile.Role{casefile.RoleCourt}
	// mediators are the only ones who record mediation's steps.
	mediators = []casefile.Role{casefile.RoleMediator}
)

// operation declares an operation together with who may call it, so that no
// route exists without its access rule.
func operation(id, method, path, summary string, a access) huma.Operation {
	tag := "cases"
	if i := strings.Index(strings.TrimPrefix(path, "/"), "/"); i > 0 {
		tag = strings.Trim(path[:i+1], "/")
	}
	roles := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		roles[i] = string(r)
	}
	scope := "any case in the caller's scope"
	if a.Case == noCase {
		scope = "no single case"
	}
	return huma.Operation{
		OperationID: id, Method: method, Path: path, Summary: summary, Tags: []string{tag},
		Security:    []map[string][]string{{bearerScheme: {}}},
		Metadata:    map[string]any{"access": a},
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden},
		Description: "Roles: " + strings.Join(roles, ", ") + "; acts on " + scope + ".",
		Extensions:  map[string]any{"x-casework-roles": roles},
		// limitBody has read the body under its own deadline and cleared
		// it; Huma's default would set a 5 s deadline on the connection
		// that is never cleared and cancels any longer request.
		BodyReadTimeout: -1,
	}
}

// Rule is an operation's access rule as tests and tools see it.
type Rule struct {
	Roles []casefile.Role
	// OnCase: the operation acts on the case named by its id parameter, so
	// the caller must also be within that case's scope.
	OnCase bool
	// Writes: the operation can change a case.
	Writes bool
}

// RuleOf returns the access rule declared on op.
func RuleOf(op *huma.Operation) (Rule, bool) {
	a, ok := op.Metadata["access"].(access)
	if !ok {
		return Rule{}, false
	}
	return Rule{Roles: a.Roles, OnCase: a.Case != noCase, Writes: op.Method != http.MethodGet && op.Method != http.MethodHead}, true
}

type ctxKey int

const (
	principalKey ctxKey = iota
	caseKey
)

// principalFrom returns the authenticated caller; the middleware guarantees
// one for every declared operation.
func principalFrom(ctx context.Context) auth.Principal {
	p, _ := ctx.Value(principalKey).(auth.Principal)
	return p
}

// caseFrom returns the case an operation acts on, loaded by the middleware.
func caseFrom(ctx context.Context) casefile.Summary {
	c, _ := ctx.Value(caseKey).(casefile.Summary)
	return c
}

// authorize is the one place access is enforced: it authenticates the
// bearer token, checks the role against the operation's declaration and,
// for operations on a case, that the case is the caller's.
func (s *Server) authorize(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		a, ok := ctx.Operation().Metadata["access"].(access)
		if !ok {
			// Every operation is declared through operation(); one that is
			// not is a programming error and stays closed.
			_ = huma.WriteErr(api, ctx, http.StatusForbidden, "operation has no access rule")
			return
		}
		token, found := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
		if !found || s.Keys == nil {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="casework"`)
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "a bearer token is required")
			return
		}
		tok, err := s.Keys.VerifyToken(strings.TrimSpace(token))
		if err != nil {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="casework", error="invalid_token"`)
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "the bearer token is not valid")
			return
		}
		revoked, err := s.Store.TokenRevoked(ctx.Context(), tok.ID, tok.Subject, tok.IssuedAt)
		if err != nil {
			s.Log.Error("check token revocations", "err", err)
			_ = huma.WriteErr(api, ctx, http.StatusServiceUnavailable, "cannot check the token; try again")
			return
		}
		if revoked {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="casework", error="invalid_token"`)
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "the bearer token has been revoked")
			return
		}
		p := tok.Principal
		if !slices.Contains(a.Roles, p.Role) {
			_ = huma.WriteErr(api, ctx, http.StatusForbidden, article(string(p.Role))+" may not do this")
			return
		}
		ctx = huma.WithValue(ctx, principalKey, p)
		if a.Case != noCase {
			if !workflows.ValidCaseID(ctx.Param("id")) {
				_ = huma.WriteErr(api, ctx, http.StatusNotFound, "no case with id "+strconv.Quote(ctx.Param("id")))
				return
			}
			c, err := s.Store.Case(ctx.Context(), ctx.Param("id"))
			if errors.Is(err, db.ErrNotFound) {
				_ = huma.WriteErr(api, ctx, http.StatusNotFound, "no case with id "+ctx.Param("id"))
				return
			}
			if err != nil {
				s.Log.Error("load case for access check", "case", ctx.Param("id"), "err", err)
				_ = huma.WriteErr(api, ctx, http.StatusServiceUnavailable, "cannot read the case ledger; try again")
				return
			}
			// The row decides who may see the case, so it must be the one the
			// workflow recorded; an edited one is for auditors to look at. A
			// mismatch may be a flush that committed between reading the row
			// and its digest: both are read again in one snapshot, which
			// decides.
			checked := s.Store.CheckSummary(ctx.Context(), c)
			if errors.Is(checked, db.ErrTampered) {
				again, err := s.Store.CaseChecked(ctx.Context(), ctx.Param("id"))
				if err == nil || errors.Is(err, db.ErrTampered) {
					c = again
				}
				checked = err
			}
			// A case the caller may not see is answered as one that does not
			// exist, so the answer never tells whether a case number is in use.
			if !mayAccess(p, c) {
				_ = huma.WriteErr(api, ctx, http.StatusNotFound, "no case with id "+ctx.Param("id"))
				return
			}
			if err := checked; err != nil {
				s.Log.Error("case summary fails its integrity check", "case", c.ID, "err", err)
				if !errors.Is(err, db.ErrTampered) || p.Role != casefile.RoleAuditor {
					_ = huma.WriteErr(api, ctx, http.StatusServiceUnavailable, "the case record fails its integrity check; only an auditor may read it until it is resolved")
					return
				}
			}
			// A supervisor reads the cases of their jurisdiction but acts
			// only on a case they lead (领导包案).
			if a.Case == writeCase && p.Role == casefile.RoleSupervisor && c.CaseLeader != p.Subject {
				_ = huma.WriteErr(api, ctx, http.StatusForbidden, "only the case leader may act on this case")
				return
			}
			ctx = huma.WithValue(ctx, caseKey, c)
		}
		next(ctx)
	}
}

// mayAccess reports whether p may see (and, if its role may write, act on)
// case c: a mediator only cases assigned to them, a party only its own, a
// court and an auditor only cases within their jurisdiction, a supervisor
// those and any case they lead, a dispatcher the intake cases of its
// jurisdiction.
func mayAccess(p auth.Principal, c casefile.Summary) bool {
	switch p.Role {
	case casefile.RoleMediator:
		return c.Mediator == p.Subject
	case casefile.RoleParty:
		return slices.Contains(c.Parties, p.Subject)
	case casefile.RoleCourt, casefile.RoleAuditor:
		return p.Covers(c.Jurisdiction)
	case casefile.RoleSupervisor:
		return c.CaseLeader == p.Subject || p.Covers(c.Jurisdiction)
	case casefile.RoleDispatcher:
		// The window sees the disputes received in its jurisdiction, and
		// no other process's cases.
		return c.Process == casefile.ProcessIntake && p.Covers(c.Jurisdiction)
	}
	return false
}

// visibleTo returns the summary of case c as p may see it: in a wage case,
// where one debtor owes many workers, a creditor sees the debtor and itself
// among the parties, not the other creditors; everyone else sees it whole.
func visibleTo(p auth.Principal, c casefile.Summary) casefile.Summary {
	if p.Role != casefile.RoleParty || c.Process != casefile.ProcessWage || len(c.Parties) == 0 || c.Parties[0] == p.Subject {
		return c
	}
	// The wage workflow lists the debtor first.
	parties := []string{c.Parties[0]}
	if slices.Contains(c.Parties[1:], p.Subject) {
		parties = append(parties, p.Subject)
	}
	c.Parties = parties
	return c
}

// article puts "a" or "an" before a role's name: "an auditor", "a court".
func article(role string) string {
	if role != "" && strings.ContainsRune("aeiou", rune(role[0])) {
		return "an " + role
	}
	return "a " + role
}
