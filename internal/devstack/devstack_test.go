package devstack

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func TestPostgresRestartKeepsData(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "pg")

	pg := startPostgres(ctx, t, dir)
	require.Equal(t, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/casework?sslmode=disable", pg.Port), pg.URL)
	conn, err := pgx.Connect(ctx, pg.URL)
	require.NoError(t, err)
	var one int
	require.NoError(t, conn.QueryRow(ctx, "select 1").Scan(&one))
	require.Equal(t, 1, one)
	_, err = conn.Exec(ctx, "create table cases (id int primary key, title text); insert into cases values (1, 'kept')")
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))

	require.NoError(t, pg.Stop())
	require.NoError(t, pg.Stop(), "Stop must be idempotent")

	// Pretend the previous server was killed: a postmaster.pid naming a
	// process that no longer exists must not block the restart.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "postmaster.pid"),
		fmt.Appendf(nil, "%d\n%s\n", deadPid(t), filepath.Join(dir, "data")), 0o600))

	pg = startPostgres(ctx, t, dir)
	conn, err = pgx.Connect(ctx, pg.URL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var title string
	require.NoError(t, conn.QueryRow(ctx, "select title from cases where id = 1").Scan(&title))
	require.Equal(t, "kept", title)
}

func TestTemporalStarts(t *testing.T) {
	t.Parallel()
	bin, err := FindTemporal()
	// CI installs the CLI before running tests, so a missing binary is a
	// broken setup, not a reason to skip.
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	tmp, err := StartTemporal(ctx, TemporalOptions{Binary: bin, Headless: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tmp.Stop() })
	require.Equal(t, "default", tmp.Namespace)
	require.Empty(t, tmp.UIURL)

	conn, err := net.DialTimeout("tcp", tmp.HostPort, 2*time.Second)
	require.NoError(t, err)
	require.NoError(t, conn.Close())

	require.NoError(t, tmp.Stop())
	require.NoError(t, tmp.Stop(), "Stop must be idempotent")
}

func TestFindTemporalHonoursEnv(t *testing.T) {
	t.Setenv("CASEWORK_TEMPORAL_BIN", filepath.Join(t.TempDir(), "missing"))
	_, err := FindTemporal()
	require.ErrorContains(t, err, "make tools")
}

func TestFreePort(t *testing.T) {
	port, err := FreePort()
	require.NoError(t, err)
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

// startPostgres starts a fast (fsync off) cluster in dir and stops it when the
// test ends, even if the test fails first.
func startPostgres(ctx context.Context, t *testing.T, dir string) *Postgres {
	t.Helper()
	pg, err := StartPostgres(ctx, PostgresOptions{Dir: dir, Fast: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Stop() })
	return pg
}

// deadPid returns the pid of a process that has already exited.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	require.NoError(t, cmd.Run())
	return cmd.Process.Pid
}

// TestBusyPortIsRefused: a server already listening on the port asked for
// must not be taken for the one being started.
func TestBusyPortIsRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	_, err = StartPostgres(t.Context(), PostgresOptions{Dir: filepath.Join(t.TempDir(), "pg"), Port: port})
	require.ErrorContains(t, err, "already in use")
	_, err = StartTemporal(t.Context(), TemporalOptions{Port: port, Headless: true})
	require.ErrorContains(t, err, "already in use")
}
