package devstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// errNoPostgres is returned when no PostgreSQL server binaries can be found.
var errNoPostgres = errors.New("PostgreSQL server binaries not found; install them with: apt-get install -y postgresql (or set DATABASE_URL to use an existing server)")

const (
	postgresStartTimeout = 30 * time.Second
	postgresStopGrace    = 10 * time.Second
)

// PostgresOptions configures StartPostgres.
type PostgresOptions struct {
	// Dir is the directory dedicated to the cluster. It is created if
	// missing and holds the data directory (Dir/data), the default log file
	// and the Unix socket. Required.
	Dir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free port.
	Port int
	// Database is created if missing; the default is "casework".
	Database string
	// Log receives the server log; the default is the file Dir/postgres.log.
	Log io.Writer
	// Fast turns off fsync, synchronous_commit and full_page_writes. It is
	// meant for tests only: a crash of the machine can corrupt the cluster.
	Fast bool
}

// Postgres is a private PostgreSQL cluster under a directory, started as a
// child process.
type Postgres struct {
	// URL connects to Database as the superuser "postgres", e.g.
	// postgres://postgres@127.0.0.1:PORT/casework?sslmode=disable.
	URL string
	// Dir is the absolute cluster directory; the data directory is Dir/data.
	Dir string
	// Port is the TCP port the server listens on at 127.0.0.1.
	Port int
	// Database is the name of the application database.
	Database string

	proc *child
}

// FindPostgresBin returns the directory holding the PostgreSQL server
// binaries (initdb and postgres). It asks pg_config first, then looks in
// Debian's /usr/lib/postgresql/*/bin (newest version first), then PATH.
func FindPostgresBin() (string, error) {
	var candidates []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	// pg_config may come from libpq-dev without a server, so the Debian
	// layout is searched as well.
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgDirVersion(dirs[i]) > pgDirVersion(dirs[j]) })
	candidates = append(candidates, dirs...)
	if p, err := exec.LookPath("initdb"); err == nil {
		candidates = append(candidates, filepath.Dir(p))
	}
	for _, dir := range candidates {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", errNoPostgres
}

// pgDirVersion extracts the major version from /usr/lib/postgresql/N/bin so
// that 15 sorts after 9.6.
func pgDirVersion(dir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
	return v
}

// StartPostgres starts the cluster under opt.Dir, creating it with initdb on
// first use, and returns once it accepts connections and the database exists.
// An existing cluster is reused as is, so a restart keeps all data. The server
// keeps running after ctx ends; ctx only bounds the startup. Call Stop to shut
// it down.
func StartPostgres(ctx context.Context, opt PostgresOptions) (*Postgres, error) {
	if opt.Dir == "" {
		return nil, errors.New("devstack: PostgresOptions.Dir is required")
	}
	dir, err := filepath.Abs(opt.Dir)
	if err != nil {
		return nil, fmt.Errorf("devstack: %w", err)
	}
	if opt.Database == "" {
		opt.Database = "casework"
	}
	bin, err := FindPostgresBin()
	if err != nil {
		return nil, err
	}
	if opt.Port == 0 {
		if opt.Port, err = FreePort(); err != nil {
			return nil, err
		}
	} else if err := portFree("PostgreSQL", opt.Port); err != nil {
		return nil, err
	}
	cred, err := postgresCredential()
	if err != nil {
		return nil, err
	}
	if err := preparePostgresDir(dir, cred); err != nil {
		return nil, err
	}
	dataDir := filepath.Join(dir, "data")
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := initdb(ctx, bin, dir, dataDir, cred, opt.Fast); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("devstack: %w", err)
	}

	// Unix socket paths are limited to about 107 bytes; rather than fail on
	// deep temp dirs, go TCP-only, which is all devstack itself uses.
	socketDir := dir
	if len(socketDir)+len("/.s.PGSQL.65535.lock") > 100 {
		socketDir = ""
	}
	if err := removeStaleLock(filepath.Join(dataDir, "postmaster.pid")); err != nil {
		return nil, err
	}
	if socketDir != "" {
		locks, _ := filepath.Glob(filepath.Join(socketDir, ".s.PGSQL.*.lock"))
		for _, lock := range locks {
			if err := removeStaleLock(lock); err != nil {
				return nil, err
			}
		}
	}

	args := []string{
		"-D", dataDir,
		"-p", strconv.Itoa(opt.Port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=" + socketDir,
	}
	if opt.Fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}

	logw, closeLog, err := defaultLog(opt.Log, filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	// SIGINT is postgres' "fast shutdown": it disconnects clients and exits
	// cleanly, where SIGTERM would wait for every client to go away.
	proc, err := startChild("postgres", cmd, logw, syscall.SIGINT)
	if err != nil {
		_ = closeLog()
		return nil, err
	}
	proc.closeLog = closeLog

	p := &Postgres{
		URL:      pgURL(opt.Port, opt.Database),
		Dir:      dir,
		Port:     opt.Port,
		Database: opt.Database,
		proc:     proc,
	}
	if err := p.waitReady(ctx); err != nil {
		_ = p.Stop()
		return nil, err
	}
	return p, nil
}

// Stop shuts the server down with a fast shutdown (SIGINT), waits up to 10 s
// and then kills it. Calling Stop again returns the first result.
func (p *Postgres) Stop() error {
	if p == nil || p.proc == nil {
		return nil
	}
	return p.proc.stop(syscall.SIGINT, postgresStopGrace)
}

func pgURL(port int, db string) string {
	return pgURLAs("postgres", port, db)
}

func pgURLAs(user string, port int, db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", url.PathEscape(user), port, url.PathEscape(db))
}

// AppURL lets the application role (created by the migrations, which must
// have run) log in to the private cluster, which trusts local connections,
// and returns the URL that connects as it. The API and the worker use it, so
// that they can no more rewrite the audit trail than the role may.
func (p *Postgres) AppURL(ctx context.Context, role string) (string, error) {
	conn, err := pgx.Connect(ctx, p.URL)
	if err != nil {
		return "", fmt.Errorf("devstack: %w", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "ALTER ROLE "+pgx.Identifier{role}.Sanitize()+" LOGIN"); err != nil {
		return "", fmt.Errorf("devstack: let %s log in: %w", role, err)
	}
	return pgURLAs(role, p.Port, p.Database), nil
}

// waitReady polls until the server accepts connections, then creates the
// application database if it does not exist yet.
func (p *Postgres) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, postgresStartTimeout)
	defer cancel()
	admin := pgURL(p.Port, "postgres") + "&connect_timeout=2"
	var lastErr error
	for {
		if done, _ := p.proc.exited(); done {
			return p.proc.exitError("during startup")
		}
		conn, err := pgx.Connect(ctx, admin)
		if err == nil {
			err = ensureDatabase(ctx, conn, p.Database)
			_ = conn.Close(context.WithoutCancel(ctx))
			if err == nil {
				return nil
			}
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("devstack: postgres not ready on port %d within %s: %v; last output:\n%s",
				p.Port, postgresStartTimeout, lastErr, p.proc.tail)
		case <-p.proc.done:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func ensureDatabase(ctx context.Context, conn *pgx.Conn, name string) error {
	var exists bool
	if err := conn.QueryRow(ctx, "select exists(select 1 from pg_database where datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "create database "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("devstack: create database %q: %w", name, err)
	}
	return nil
}

// postgresCredential returns the identity to run the server under: nil when
// we are not root, else the "postgres" user, because postgres refuses to run
// as root.
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("devstack: running as root, but postgres refuses to run as root and there is no \"postgres\" user to run it as (%v); install the postgresql package, which creates it", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("devstack: user postgres: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// preparePostgresDir creates dir and, when the server runs as another user,
// hands dir to that user and makes sure it can reach dir at all.
func preparePostgresDir(dir string, cred *syscall.Credential) error {
	// Parents are created world-searchable so the postgres user can reach
	// dir; dir itself is private to the server's user.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	if err := os.Mkdir(dir, 0o750); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("devstack: %w", err)
	}
	if cred == nil {
		return nil
	}
	// The server writes its socket and lock files into dir, and initdb
	// creates dir/data, so the postgres user must own dir.
	if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	if data := filepath.Join(dir, "data"); dirExists(data) {
		// A data directory made by an earlier non-root run is only usable
		// if it belongs to the user the server now runs as.
		if err := chownTree(data, cred); err != nil {
			return err
		}
	}
	return ensureTraversable(filepath.Dir(dir), cred)
}

// ensureTraversable makes every ancestor of the cluster directory searchable
// by the server's user. Temp directories (such as t.TempDir(), which is 0700
// and owned by root) get o+x; anything else is left to the user to fix, since
// silently opening up e.g. /root would be a surprise.
func ensureTraversable(dir string, cred *syscall.Credential) error {
	tmp := filepath.Clean(os.TempDir())
	var blocked []string
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("devstack: %w", err)
		}
		if !canTraverse(fi, cred) {
			rel, err := filepath.Rel(tmp, p)
			if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
				blocked = append(blocked, p)
			} else {
				keep := fi.Mode() & (os.ModePerm | os.ModeSticky | os.ModeSetgid | os.ModeSetuid)
				if err := os.Chmod(p, keep|0o001); err != nil {
					return fmt.Errorf("devstack: %w", err)
				}
			}
		}
		if parent := filepath.Dir(p); parent == p {
			break
		}
	}
	if len(blocked) > 0 {
		return fmt.Errorf("devstack: postgres runs as user postgres, which cannot enter %s; run: chmod o+x %s (or put the cluster directory elsewhere)",
			strings.Join(blocked, ", "), strings.Join(blocked, " "))
	}
	return nil
}

func canTraverse(fi os.FileInfo, cred *syscall.Credential) bool {
	perm := fi.Mode().Perm()
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return perm&0o001 != 0
	}
	switch {
	case st.Uid == cred.Uid:
		return perm&0o100 != 0
	case st.Gid == cred.Gid:
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

func chownTree(root string, cred *syscall.Credential) error {
	return filepath.WalkDir(root, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(cred.Uid), int(cred.Gid))
	})
}

// initdb creates a new cluster in dataDir with trust authentication, which is
// fine because the server only listens on 127.0.0.1 and holds dev data.
func initdb(ctx context.Context, bin, dir, dataDir string, cred *syscall.Credential, fast bool) error {
	run := func(locale string) ([]byte, error) {
		args := []string{"-D", dataDir, "--auth=trust", "-U", "postgres", "-E", "UTF8", "--locale=" + locale}
		if fast {
			args = append(args, "--no-sync")
		}
		cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), args...)
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		return cmd.CombinedOutput()
	}
	out, err := run("C.UTF-8")
	// C.UTF-8 is missing from some older or minimal systems; plain C is
	// always there. initdb removes its partial data directory on failure.
	if err != nil && bytes.Contains(bytes.ToLower(out), []byte("locale")) {
		out, err = run("C")
	}
	if err != nil {
		return fmt.Errorf("devstack: initdb %s: %w\n%s", dataDir, err, out)
	}
	return nil
}

// removeStaleLock deletes a postgres lock file (postmaster.pid or a socket
// lock) left behind by a server that was killed, when the pid in it no
// longer belongs to a postgres serving that data directory. Postgres' own
// check can be fooled when the pid has been reused, which is common in
// containers where pids restart from 1.
func removeStaleLock(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	// The file holds the pid, then the data directory, one per line.
	lines := strings.Split(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(lines[0]))
	// A single-user-mode backend writes its pid negated.
	if pid < 0 {
		pid = -pid
	}
	alive := pidAlive(pid, "postgres")
	if alive && len(lines) > 1 {
		// The postmaster chdirs into its data directory, so a postgres
		// serving some other cluster under a recycled pid is told apart.
		if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil && cwd != strings.TrimSpace(lines[1]) {
			alive = false
		}
	}
	if alive {
		return fmt.Errorf("devstack: a postgres server (pid %d) is already running on %s; stop it first (lock file %s)", pid, strings.TrimSpace(lines[min(1, len(lines)-1)]), path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("devstack: remove stale %s: %w", path, err)
	}
	if sock, ok := strings.CutSuffix(path, ".lock"); ok && strings.Contains(filepath.Base(sock), ".s.PGSQL.") {
		_ = os.Remove(sock) // the socket of a dead server is useless
	}
	return nil
}

// defaultLog returns w, or a log file at path when w is nil, plus a function
// that closes the file if one was opened.
func defaultLog(w io.Writer, path string) (io.Writer, func() error, error) {
	if w != nil {
		return w, func() error { return nil }, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, nil, fmt.Errorf("devstack: open log: %w", err)
	}
	return f, f.Close, nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

func dirExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
