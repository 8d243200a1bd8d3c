package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// TemporalServerVersion is the release of Temporal's own server that
// make tools builds through the Go module proxy (go.temporal.io/server).
const TemporalServerVersion = "v1.29.1"

var errNoServer = errors.New("temporal-server or temporal-sql-tool not found; build them with: make tools (go install go.temporal.io/server/cmd/server@" +
	TemporalServerVersion + " and go.temporal.io/server/cmd/tools/sql@" + TemporalServerVersion + ")")

// ServerOptions configures StartTemporalServer.
type ServerOptions struct {
	// Server, SQLTool and CLI are the temporal-server, temporal-sql-tool and
	// temporal CLI binaries; the defaults are found next to the CLI that
	// FindTemporal returns (make tools puts all three in .tools/bin).
	Server, SQLTool, CLI string
	// Dir holds the server's generated configuration and log.
	Dir string
	// Postgres is the cluster the server persists to, in its own databases
	// (temporal, temporal_visibility) and as its own role (temporal),
	// apart from the application's.
	Postgres *Postgres
	// Port is the frontend gRPC port on 127.0.0.1; 0 picks a free port.
	// The other services take free ports of their own.
	Port int
	// Shards is the number of history shards, fixed for the life of the
	// databases; the default is 4, enough for one machine.
	Shards int
	// Namespace is registered if missing, with Retention for closed
	// workflows' histories; the defaults are "default" and 30 days.
	Namespace string
	Retention time.Duration
	// Log receives the server's log; the default is Dir/temporal-server.log.
	Log io.Writer
	// LazyActivities turns off eager activity execution, which is on by
	// default: an activity a workflow task schedules on its own task queue
	// then goes to the worker through matching instead of back in the
	// answer to the task's completion. make bench-parked-stack measures
	// both (CASEWORK_BENCH_EAGER=0 for lazy).
	LazyActivities bool
}

const (
	temporalDB           = "temporal"
	temporalVisibilityDB = "temporal_visibility"
	temporalRole         = "temporal"
)

// StartTemporalServer runs Temporal's production server with PostgreSQL
// persistence and visibility: the schemas are created and brought up to
// date with the server's own schema tool, the namespace is registered if
// missing, and it returns once the frontend serves the namespace. State
// lives in PostgreSQL, so a restart keeps every workflow and timer.
func StartTemporalServer(ctx context.Context, opt ServerOptions) (*Temporal, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	if err := prepareTemporalDatabases(ctx, opt.Postgres); err != nil {
		return nil, err
	}
	for _, s := range []struct{ db, schema string }{
		{temporalDB, "postgresql/v12/temporal"},
		{temporalVisibilityDB, "postgresql/v12/visibility"},
	} {
		if err := opt.migrate(ctx, s.db, s.schema); err != nil {
			return nil, err
		}
	}

	ports := map[string]int{"frontend": opt.Port}
	for _, name := range []string{"frontend-membership", "frontend-http", "history", "history-membership", "matching", "matching-membership", "worker", "worker-membership"} {
		p, err := serverPort()
		if err != nil {
			return nil, err
		}
		ports[name] = p
	}
	confDir := filepath.Join(opt.Dir, "config")
	if err := os.MkdirAll(confDir, 0o755); err != nil {
		return nil, fmt.Errorf("devstack: %w", err)
	}
	if err := os.WriteFile(filepath.Join(confDir, "casework.yaml"), []byte(serverConfig(opt, ports)), 0o644); err != nil {
		return nil, fmt.Errorf("devstack: %w", err)
	}
	if err := os.WriteFile(filepath.Join(confDir, "dynamicconfig.yaml"), []byte(serverDynamicConfig(opt)), 0o644); err != nil {
		return nil, fmt.Errorf("devstack: %w", err)
	}

	log := opt.Log
	if log == nil {
		f, err := os.OpenFile(filepath.Join(opt.Dir, "temporal-server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, fmt.Errorf("devstack: %w", err)
		}
		log = f
	}
	cmd := exec.Command(opt.Server, "--root", opt.Dir, "--config", "config", "--env", "casework", "--allow-no-auth", "start")
	proc, err := startChild("temporal-server", cmd, log, syscall.SIGTERM)
	if err != nil {
		return nil, err
	}
	t := &Temporal{HostPort: net.JoinHostPort("127.0.0.1", strconv.Itoa(opt.Port)), Namespace: opt.Namespace, proc: proc}
	if err := t.registerNamespace(ctx, opt); err != nil {
		_ = t.Stop()
		return nil, err
	}
	if err := t.waitReady(ctx); err != nil {
		_ = t.Stop()
		return nil, err
	}
	return t, nil
}

func (opt *ServerOptions) defaults() error {
	if opt.Postgres == nil || opt.Dir == "" {
		return errors.New("devstack: StartTemporalServer needs Postgres and Dir")
	}
	if opt.CLI == "" {
		cli, err := FindTemporal()
		if err != nil {
			return err
		}
		opt.CLI = cli
	}
	bin := filepath.Dir(opt.CLI)
	if opt.Server == "" {
		opt.Server = filepath.Join(bin, "temporal-server")
	}
	if opt.SQLTool == "" {
		opt.SQLTool = filepath.Join(bin, "temporal-sql-tool")
	}
	if !isExecutable(opt.Server) || !isExecutable(opt.SQLTool) {
		return errNoServer
	}
	if opt.Namespace == "" {
		opt.Namespace = "default"
	}
	if opt.Retention == 0 {
		opt.Retention = 30 * 24 * time.Hour
	}
	if opt.Shards == 0 {
		opt.Shards = 4
	}
	var err error
	if opt.Port == 0 {
		opt.Port, err = FreePort()
	} else {
		err = portFree("Temporal", opt.Port)
	}
	if err != nil {
		return err
	}
	opt.Dir, err = filepath.Abs(opt.Dir)
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	return os.MkdirAll(opt.Dir, 0o755)
}

// serverPort returns a free loopback port below 32768: the server keeps
// membership ports in a smallint column, so the kernel's ephemeral ports
// (FreePort's, from 32768 up) would stop it at startup.
func serverPort() (int, error) {
	for range 200 {
		p := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err == nil {
			_ = ln.Close()
			return p, nil
		}
	}
	return 0, errors.New("devstack: no free port between 20000 and 32000")
}

// prepareTemporalDatabases creates the server's role and its two
// databases, owned by it, when they are not there yet.
func prepareTemporalDatabases(ctx context.Context, pg *Postgres) error {
	conn, err := pgx.Connect(ctx, pgURL(pg.Port, "postgres"))
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	var exists bool
	if err := conn.QueryRow(ctx, "select exists(select 1 from pg_roles where rolname = $1)", temporalRole).Scan(&exists); err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	if !exists {
		if _, err := conn.Exec(ctx, "create role "+pgx.Identifier{temporalRole}.Sanitize()+" login"); err != nil {
			return fmt.Errorf("devstack: create role %s: %w", temporalRole, err)
		}
	}
	for _, db := range []string{temporalDB, temporalVisibilityDB} {
		if err := conn.QueryRow(ctx, "select exists(select 1 from pg_database where datname = $1)", db).Scan(&exists); err != nil {
			return fmt.Errorf("devstack: %w", err)
		}
		if exists {
			continue
		}
		if _, err := conn.Exec(ctx, "create database "+pgx.Identifier{db}.Sanitize()+" owner "+pgx.Identifier{temporalRole}.Sanitize()); err != nil {
			return fmt.Errorf("devstack: create database %s: %w", db, err)
		}
	}
	return nil
}

// migrate sets up the schema of db on first use and brings it to the
// server's version, with the server's own schema tool and the schema files
// embedded in it; both steps are safe to repeat.
func (opt *ServerOptions) migrate(ctx context.Context, db, schema string) error {
	base := []string{"--plugin", "postgres12", "--endpoint", "127.0.0.1", "--port", strconv.Itoa(opt.Postgres.Port),
		"--user", temporalRole, "--database", db}
	run := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, opt.SQLTool, append(append([]string{}, base...), args...)...)
		return cmd.CombinedOutput()
	}
	conn, err := pgx.Connect(ctx, pgURLAs(temporalRole, opt.Postgres.Port, db))
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	var versioned bool
	err = conn.QueryRow(ctx, "select exists(select 1 from information_schema.tables where table_name = 'schema_version')").Scan(&versioned)
	_ = conn.Close(context.WithoutCancel(ctx))
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	if !versioned {
		if out, err := run("setup-schema", "-v", "0.0"); err != nil {
			return fmt.Errorf("devstack: temporal-sql-tool setup-schema %s: %w\n%s", db, err, out)
		}
	}
	if out, err := run("update-schema", "--schema-name", schema); err != nil {
		return fmt.Errorf("devstack: temporal-sql-tool update-schema %s: %w\n%s", db, err, out)
	}
	return nil
}

// registerNamespace waits for the frontend and registers the namespace
// with the temporal CLI unless it exists.
func (t *Temporal) registerNamespace(ctx context.Context, opt ServerOptions) error {
	ctx, cancel := context.WithTimeout(ctx, 2*temporalStartTimeout)
	defer cancel()
	var last string
	for {
		if done, _ := t.proc.exited(); done {
			return t.proc.exitError("during startup")
		}
		out, err := exec.CommandContext(ctx, opt.CLI, "operator", "namespace", "create", "--address", t.HostPort,
			"--namespace", opt.Namespace, "--retention", opt.Retention.String()).CombinedOutput()
		if err == nil || strings.Contains(strings.ToLower(string(out)), "already") {
			return nil
		}
		last = strings.TrimSpace(string(out))
		select {
		case <-ctx.Done():
			return fmt.Errorf("devstack: temporal-server did not take namespace %q: %s; last output:\n%s", opt.Namespace, last, t.proc.tail)
		case <-t.proc.done:
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// serverConfig is the server's configuration: every service in one
// process on loopback, PostgreSQL for persistence and visibility.
func serverConfig(opt ServerOptions, ports map[string]int) string {
	store := func(db string, conns int) string {
		return fmt.Sprintf(`      sql:
        pluginName: postgres12
        databaseName: %s
        connectAddr: "127.0.0.1:%d"
        connectProtocol: tcp
        user: %s
        maxConns: %d
        maxIdleConns: %d
        maxConnLifetime: 1h
`, db, opt.Postgres.Port, temporalRole, conns, conns)
	}
	service := func(name string) string {
		s := fmt.Sprintf("  %s:\n    rpc:\n      grpcPort: %d\n      membershipPort: %d\n      bindOnLocalHost: true\n", name, ports[name], ports[name+"-membership"])
		if name == "frontend" {
			s += fmt.Sprintf("      httpPort: %d\n", ports["frontend-http"])
		}
		return s
	}
	return `# Written by casework (internal/devstack) at each start; edits are lost.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ` + strconv.Itoa(opt.Shards) + `
  datastores:
    default:
` + store(temporalDB, 20) + `    visibility:
` + store(temporalVisibilityDB, 4) + `global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
` + service("frontend") + service("history") + service("matching") + service("worker") + `clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:` + strconv.Itoa(ports["frontend"]) + `"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "` + filepath.Join(opt.Dir, "config", "dynamicconfig.yaml") + `"
  pollInterval: 10s
`
}

// serverDynamicConfig lets casework's updates and update-with-start
// through, as the CLI dev server does by default, and turns on eager
// activity execution (off by default in the server): casework's workflows
// schedule their activities on their own task queue, so the worker that
// completes a workflow task takes the activity it scheduled in the
// completion's answer. A deadline's wake-up (a timer, a workflow task, the
// recording activity, a workflow task) then skips one trip through
// matching; see BENCHMARKS.md for what it saves.
func serverDynamicConfig(opt ServerOptions) string {
	return `frontend.enableUpdateWorkflowExecution:
  - value: true
frontend.enableExecuteMultiOperation:
  - value: true
system.enableEagerWorkflowStart:
  - value: true
system.enableActivityEagerExecution:
  - value: ` + strconv.FormatBool(!opt.LazyActivities) + `
`
}
