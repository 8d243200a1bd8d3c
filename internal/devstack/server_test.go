package devstack

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTemporalServerOnPostgresKeepsWorkflowsAcrossRestart runs Temporal's
// own server on a private PostgreSQL: the schemas are set up by its schema
// tool, a workflow started before a stop (a SIGTERM, then a kill -9 of the
// next run) is still running after each restart, and setting up an
// existing database again is harmless. It needs the server built by
// make server-tools, which make test does not build (several minutes);
// make stack-test runs it.
func TestTemporalServerOnPostgresKeepsWorkflowsAcrossRestart(t *testing.T) {
	cli, err := FindTemporal()
	require.NoError(t, err)
	if !isExecutable(filepath.Join(filepath.Dir(cli), "temporal-server")) {
		if os.Getenv("CASEWORK_STACK_TEST") != "" {
			t.Fatal("make stack-test: temporal-server is not built (make server-tools)")
		}
		t.Skip("temporal-server not built (make server-tools); make stack-test runs this")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	pg := startPostgres(ctx, t, filepath.Join(dir, "pg"))

	start := func() *Temporal {
		tmp, err := StartTemporalServer(ctx, ServerOptions{Dir: filepath.Join(dir, "server"), Postgres: pg})
		require.NoError(t, err)
		return tmp
	}
	temporal := func(tmp *Temporal, args ...string) string {
		out, err := exec.CommandContext(ctx, cli, append(args, "--address", tmp.HostPort)...).CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	const running = "WORKFLOW_EXECUTION_STATUS_RUNNING"
	tmp := start()
	temporal(tmp, "workflow", "start", "--type", "Parked", "--task-queue", "nobody", "--workflow-id", "case/kept")
	require.NoError(t, tmp.Stop())

	tmp = start()
	require.Contains(t, temporal(tmp, "workflow", "describe", "--workflow-id", "case/kept", "--output", "json"), running)
	require.NoError(t, tmp.Kill())

	tmp = start()
	defer tmp.Stop()
	out := temporal(tmp, "workflow", "describe", "--workflow-id", "case/kept", "--output", "json")
	require.True(t, strings.Contains(out, running), "after kill -9: %s", out)
}
