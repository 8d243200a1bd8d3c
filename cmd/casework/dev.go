package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/internal/devstack"
)

func dataDir() string { return env("CASEWORK_DATA_DIR", ".data") }

func devKeyFile() string { return filepath.Join(dataDir(), "jwt.key") }

func devAuditKeyFile() string { return filepath.Join(dataDir(), "audit.key") }

func casefileRole(s string) casefile.Role { return casefile.Role(s) }

// devUsers are the sample users make dev prints tokens for: one per role,
// plus the other side of the sample dispute and a case leader, scoped to
// the national jurisdiction so they see every sample case.
var devUsers = []struct {
	Var string
	auth.Principal
}{
	{"COURT_TOKEN", auth.Principal{Subject: "judge-li", Role: casefile.RoleCourt, Court: "兴义市人民法院", Jurisdiction: "CN"}},
	{"MEDIATOR_TOKEN", auth.Principal{Subject: "mediator-wang", Role: casefile.RoleMediator, Organisation: "兴义市人民调解委员会"}},
	{"PARTY_TOKEN", auth.Principal{Subject: "zhang-san", Role: casefile.RoleParty}},
	{"RESPONDENT_TOKEN", auth.Principal{Subject: "xx-construction", Role: casefile.RoleParty}},
	{"AUDITOR_TOKEN", auth.Principal{Subject: "auditor-chen", Role: casefile.RoleAuditor, Jurisdiction: "CN"}},
	{"SUPERVISOR_TOKEN", auth.Principal{Subject: "leader-zhou", Role: casefile.RoleSupervisor, Jurisdiction: "CN"}},
	{"COURT_ADMIN_TOKEN", auth.Principal{Subject: "admin-zhao", Role: casefile.RoleCourtAdmin, Jurisdiction: "CN"}},
	{"DISPATCHER_TOKEN", auth.Principal{Subject: "window-sun", Role: casefile.RoleDispatcher, Jurisdiction: "CN"}},
	{"INTAKE_CLERK_TOKEN", auth.Principal{Subject: "clerk-bank", Role: casefile.RoleIntakeClerk, Court: "兴义市人民法院", Jurisdiction: "CN-52", Organisation: "某银行股份有限公司兴义分行"}},
}

// runDev runs the whole stack on local defaults: a Temporal dev server and a
// private PostgreSQL cluster under the data folder (or DATABASE_URL),
// migrations, the worker and the API. Everything persists in the data
// folder, so running it again keeps every case.
func runDev(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	addr := fs.String("addr", env("CASEWORK_ADDR", "127.0.0.1:8080"), "API listen address")
	tport := fs.Int("temporal-port", 7233, "Temporal frontend port")
	uiport := fs.Int("ui-port", 8233, "Temporal Web UI port")
	pgport := fs.Int("pg-port", 54329, "port of the private PostgreSQL cluster")
	server := fs.String("temporal", "dev", "which Temporal: dev (the CLI's dev server on SQLite, with its Web UI) or server (Temporal's own server on the private PostgreSQL cluster, as make stack runs it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *server != "dev" && *server != "server" {
		return fmt.Errorf("-temporal %q: want dev or server", *server)
	}
	begun := time.Now()
	dir, err := filepath.Abs(dataDir())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create data folder %s: %w", dir, err)
	}
	settings, err := workerConfig()
	if err != nil {
		return err
	}
	scale, err := timeScale()
	if err != nil {
		return err
	}
	// Claim the API address first: failing on a busy port is better before
	// two servers have started than after.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("API address %s is busy (%w); stop what holds it or pass -addr / set CASEWORK_ADDR", *addr, err)
	}
	// One /metrics for the worker and the API of this one process, on a
	// free loopback port unless CASEWORK_METRICS_ADDR says otherwise.
	obs, err := startObservability(ctx, "dev", "127.0.0.1:0")
	if err != nil {
		return err
	}

	// The migrations run as the cluster's superuser; the worker and the
	// API connect as the application role, which may not rewrite the audit
	// trail. With DATABASE_URL everything uses that URL.
	dbURL := os.Getenv("DATABASE_URL")
	var pg *devstack.Postgres
	if dbURL == "" {
		step("starting PostgreSQL (private cluster in %s)", filepath.Join(dir, "postgres"))
		pg, err = devstack.StartPostgres(ctx, devstack.PostgresOptions{Dir: filepath.Join(dir, "postgres"), Port: *pgport})
		if err != nil {
			return fmt.Errorf("PostgreSQL: %w (another make dev running? pass -pg-port)", err)
		}
		defer stopping("PostgreSQL", pg.Stop)
		dbURL = pg.URL
	}
	var tmp *devstack.Temporal
	if *server == "server" {
		if pg == nil {
			return errors.New("-temporal server keeps Temporal's state in the private PostgreSQL cluster; unset DATABASE_URL")
		}
		step("starting Temporal server %s on PostgreSQL (databases temporal, temporal_visibility; config in %s)",
			devstack.TemporalServerVersion, filepath.Join(dir, "temporal-server"))
		tmp, err = devstack.StartTemporalServer(ctx, devstack.ServerOptions{
			Dir: filepath.Join(dir, "temporal-server"), Postgres: pg, Port: *tport,
		})
	} else {
		step("starting Temporal dev server (state in %s)", filepath.Join(dir, "temporal.db"))
		tmp, err = devstack.StartTemporal(ctx, devstack.TemporalOptions{
			DBFile: filepath.Join(dir, "temporal.db"), Port: *tport, UIPort: *uiport,
			Log: logFile(filepath.Join(dir, "temporal.log")),
		})
	}
	if err != nil {
		return fmt.Errorf("temporal: %w (another make dev running? pass -temporal-port and -ui-port)", err)
	}
	defer stopping("Temporal", tmp.Stop)

	pool, err := openPool(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	applied, err := db.Migrate(ctx, pool)
	if err != nil {
		return err
	}
	step("migrations applied: %d new", len(applied))
	if pg != nil {
		appURL, err := pg.AppURL(ctx, db.AppRole)
		if err != nil {
			return err
		}
		appPool, err := openPool(ctx, appURL)
		if err != nil {
			return err
		}
		defer appPool.Close()
		pool = appPool
		dbURL = appURL
	}

	tc, err := dialTemporal(ctx, tmp.HostPort, obs)
	if err != nil {
		return err
	}
	defer tc.Close()
	keys, err := jwtKeys(devKeyFile())
	if err != nil {
		return err
	}
	key, err := auditKey(devAuditKeyFile())
	if err != nil {
		return err
	}
	store := db.NewStore(pool, key)
	reg, err := policies()
	if err != nil {
		return err
	}
	tokensFile := filepath.Join(dir, "tokens.env")
	users, err := writeDevTokens(keys, tokensFile)
	if err != nil {
		return err
	}

	anchors, err := anchorConfig(key, filepath.Join(dir, "anchors"))
	if err != nil {
		return err
	}

	if err := obs.watchCases(store); err != nil {
		return err
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return obs.serve(gctx) })
	g.Go(func() error { return serveWorker(gctx, tc, store, anchors, settings) })
	g.Go(func() error {
		return serveAPI(gctx, ln, obs.http, &api.Server{Temporal: tc, Store: store, Keys: keys, TimeScale: scale, Policies: reg, DevUsers: users, Anchors: anchors.dir, Metrics: obs.m})
	})

	base := "http://" + ln.Addr().String()
	fmt.Printf(`
casework is up in %.1fs (time scale %d: %s)
  Workbench    %s/   (development sign-in: pick a user)
  API          %s
  API docs     %s/docs
  OpenAPI      %s/openapi.json
  Metrics      %s
  Temporal UI  %s
  Temporal     %s
  PostgreSQL   %s
  Tokens       %s   (one per role, valid %s; load them with: . %s)
Ctrl-C stops everything; cases persist in %s.
`, time.Since(begun).Seconds(), scale, scaleText(scale), base, base, base, base, obs.url(), uiText(tmp.UIURL), tmp.HostPort, redact(dbURL),
		tokensFile, keys.MaxTTL, filepath.Join(dataDir(), "tokens.env"), dir)
	err = g.Wait()
	step("stopping")
	return err
}

// uiText is the Temporal UI line: Temporal's own server comes without one.
func uiText(url string) string {
	if url == "" {
		return "none with -temporal server (use ./.tools/bin/temporal workflow list --address ...)"
	}
	return url
}

func scaleText(s int64) string {
	if s == 1 {
		return "real time"
	}
	return fmt.Sprintf("one legal day every %.2fs", 86400/float64(s))
}

// writeDevTokens writes a token per sample user to file, readable by the
// owner alone; the terminal only says where it is, so tokens never end up
// in a scrollback or a shared screen. It returns the same users for the
// workbench's development sign-in, which only casework dev serves.
func writeDevTokens(keys *auth.Keys, file string) ([]api.DevUser, error) {
	var b strings.Builder
	var users []api.DevUser
	fmt.Fprintf(&b, "# Development bearer tokens, one per role; valid %s from %s.\n", keys.MaxTTL, time.Now().Format(time.RFC3339))
	for _, u := range devUsers {
		tok, err := keys.Mint(u.Principal, keys.MaxTTL)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s=%s   # %s, %s\n", u.Var, tok, u.Subject, u.Role)
		users = append(users, api.DevUser{Var: u.Var, Subject: u.Subject, Role: string(u.Role), Token: tok})
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		return nil, fmt.Errorf("write tokens: %w", err)
	}
	// WriteFile keeps the mode of a file that was already there.
	return users, os.Chmod(file, 0o600)
}

func step(format string, args ...any) { fmt.Printf("casework dev: "+format+"\n", args...) }

func stopping(what string, stop func() error) {
	if err := stop(); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(os.Stderr, "casework dev: stop %s: %v\n", what, err)
	}
}

func logFile(path string) *os.File {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil
	}
	return f
}

func redact(url string) string {
	if i := strings.Index(url, "@"); i > 0 {
		if j := strings.Index(url, "://"); j > 0 && j < i {
			if k := strings.Index(url[j+3:i], ":"); k >= 0 {
				return url[:j+3+k] + ":***" + url[i:]
			}
		}
	}
	return url
}
