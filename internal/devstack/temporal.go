package devstack

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// errNoTemporal is returned when the temporal CLI cannot be found.
var errNoTemporal = errors.New("temporal CLI not found; install it with: make tools (go install github.com/temporalio/cli/cmd/temporal@v1.5.1)")

const (
	temporalStartTimeout = 30 * time.Second
	temporalStopGrace    = 10 * time.Second
)

// TemporalOptions configures StartTemporal.
type TemporalOptions struct {
	// Binary is the path to the temporal CLI; the default is FindTemporal().
	Binary string
	// DBFile is the SQLite file that persists state across restarts; ""
	// keeps everything in memory.
	DBFile string
	// Port is the frontend gRPC port on 127.0.0.1; 0 picks a free port.
	Port int
	// UIPort is the Web UI port; 0 picks a free port. Ignored when Headless.
	UIPort int
	// Headless disables the Web UI.
	Headless bool
	// Namespace is created at launch and waited for; the default is
	// "default", which the dev server always creates.
	Namespace string
	// Log receives the server's JSON log; the default discards it (the tail
	// is still reported if the server fails to start).
	Log io.Writer
}

// Temporal is a Temporal CLI dev server started as a child process.
type Temporal struct {
	// HostPort is the frontend address, 127.0.0.1:PORT.
	HostPort string
	// UIURL is the Web UI, http://127.0.0.1:UIPORT; empty when headless.
	UIURL string
	// Namespace is ready to use when StartTemporal returns.
	Namespace string

	proc *child
}

// FindTemporal returns the path of the temporal CLI. It looks at
// $CASEWORK_TEMPORAL_BIN, then <module root>/.tools/bin/temporal (the module
// root is the nearest directory above the working directory with a go.mod),
// then $GOBIN/temporal, $(go env GOPATH)/bin/temporal and finally PATH.
func FindTemporal() (string, error) {
	if p := os.Getenv("CASEWORK_TEMPORAL_BIN"); p != "" {
		if isExecutable(p) {
			return p, nil
		}
		// An explicit setting that points nowhere is a mistake worth
		// surfacing rather than silently using some other binary.
		return "", fmt.Errorf("CASEWORK_TEMPORAL_BIN=%s is not an executable file; %w", p, errNoTemporal)
	}
	var candidates []string
	if root, ok := moduleRoot(); ok {
		candidates = append(candidates, filepath.Join(root, ".tools", "bin", "temporal"))
	}
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		candidates = append(candidates, filepath.Join(gobin, "temporal"))
	}
	for _, gopath := range filepath.SplitList(goPath()) {
		candidates = append(candidates, filepath.Join(gopath, "bin", "temporal"))
	}
	for _, c := range candidates {
		if isExecutable(c) {
			return c, nil
		}
	}
	if p, err := exec.LookPath("temporal"); err == nil {
		return p, nil
	}
	return "", errNoTemporal
}

// moduleRoot walks up from the working directory to the first go.mod.
func moduleRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && fi.Mode().IsRegular() {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// goPath asks the go command, which knows the default ($HOME/go) and any
// go.env setting, and falls back to $GOPATH when go is not on PATH.
func goPath() string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "env", "GOPATH").Output(); err == nil {
		if p := strings.TrimSpace(string(out)); p != "" {
			return p
		}
	}
	if p := os.Getenv("GOPATH"); p != "" {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go")
	}
	return ""
}

// StartTemporal starts `temporal server start-dev` and returns once the
// frontend serves the namespace. The server keeps running after ctx ends;
// ctx only bounds the startup. Call Stop to shut it down.
func StartTemporal(ctx context.Context, opt TemporalOptions) (*Temporal, error) {
	var err error
	if opt.Binary == "" {
		if opt.Binary, err = FindTemporal(); err != nil {
			return nil, err
		}
	}
	if opt.Namespace == "" {
		opt.Namespace = "default"
	}
	if opt.Port == 0 {
		if opt.Port, err = FreePort(); err != nil {
			return nil, err
		}
	} else if err := portFree("Temporal", opt.Port); err != nil {
		return nil, err
	}
	if !opt.Headless && opt.UIPort == 0 {
		if opt.UIPort, err = FreePort(); err != nil {
			return nil, err
		}
	} else if !opt.Headless {
		if err := portFree("Temporal UI", opt.UIPort); err != nil {
			return nil, err
		}
	}
	args := []string{"server", "start-dev",
		"--ip", "127.0.0.1",
		"--port", strconv.Itoa(opt.Port),
		"--log-level", "warn",
		"--log-format", "json",
	}
	if opt.Headless {
		args = append(args, "--headless")
	} else {
		args = append(args, "--ui-port", strconv.Itoa(opt.UIPort))
	}
	if opt.DBFile != "" {
		dbFile, err := filepath.Abs(opt.DBFile)
		if err != nil {
			return nil, fmt.Errorf("devstack: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(dbFile), 0o755); err != nil {
			return nil, fmt.Errorf("devstack: %w", err)
		}
		args = append(args, "--db-filename", dbFile)
	}
	// "default" is always created; naming it again is redundant.
	if opt.Namespace != "default" {
		args = append(args, "--namespace", opt.Namespace)
	}
	log := opt.Log
	if log == nil {
		log = io.Discard
	}
	cmd := exec.Command(opt.Binary, args...)
	proc, err := startChild("temporal", cmd, log, syscall.SIGTERM)
	if err != nil {
		return nil, err
	}
	t := &Temporal{
		HostPort:  net.JoinHostPort("127.0.0.1", strconv.Itoa(opt.Port)),
		Namespace: opt.Namespace,
		proc:      proc,
	}
	if !opt.Headless {
		t.UIURL = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(opt.UIPort))
	}
	if err := t.waitReady(ctx); err != nil {
		_ = t.Stop()
		return nil, err
	}
	return t, nil
}

// Stop sends SIGTERM, waits up to 10 s and then kills the server. Calling
// Stop again returns the first result.
func (t *Temporal) Stop() error {
	if t == nil || t.proc == nil {
		return nil
	}
	return t.proc.stop(syscall.SIGTERM, temporalStopGrace)
}

// PID is the server process's ID, for a benchmark that reads its memory; 0
// when it is not running here.
func (t *Temporal) PID() int {
	if t == nil || t.proc == nil || t.proc.cmd.Process == nil {
		return 0
	}
	return t.proc.cmd.Process.Pid
}

// Kill kills the server at once (kill -9), for fault tests; its state
// survives in DBFile, if one was given.
func (t *Temporal) Kill() error {
	if t == nil || t.proc == nil {
		return nil
	}
	return t.proc.kill()
}

// waitReady polls until the frontend port accepts connections and then until
// DescribeNamespace succeeds: the port opens before the namespace is
// registered, and a worker started in that window would fail.
func (t *Temporal) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, temporalStartTimeout)
	defer cancel()
	client := h2cClient()
	defer client.CloseIdleConnections()
	var lastErr error
	for {
		if done, _ := t.proc.exited(); done {
			return t.proc.exitError("during startup")
		}
		conn, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", t.HostPort)
		if err == nil {
			_ = conn.Close()
			err = describeNamespace(ctx, client, t.HostPort, t.Namespace)
			if err == nil {
				return nil
			}
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("devstack: temporal not ready on %s within %s: %v; last output:\n%s",
				t.HostPort, temporalStartTimeout, lastErr, t.proc.tail)
		case <-t.proc.done:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// h2cClient speaks cleartext HTTP/2 with prior knowledge, which is all a
// unary gRPC call needs; this avoids pulling in the gRPC module.
func h2cClient() *http.Client {
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &protocols}}
}

// describeNamespace makes a unary gRPC call to
// WorkflowService.DescribeNamespace and returns nil when it reports OK.
func describeNamespace(ctx context.Context, client *http.Client, hostPort, namespace string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	// DescribeNamespaceRequest{namespace: 1}, in a gRPC length-prefixed frame.
	msg := protoString(1, namespace)
	frame := make([]byte, 5, 5+len(msg))
	binary.BigEndian.PutUint32(frame[1:], uint32(len(msg)))
	frame = append(frame, msg...)

	url := "http://" + hostPort + "/temporal.api.workflowservice.v1.WorkflowService/DescribeNamespace"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(frame))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("TE", "trailers")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	// A trailers-only response (the usual shape of an error) carries the
	// status in the headers.
	status := resp.Trailer.Get("Grpc-Status")
	if status == "" {
		status = resp.Header.Get("Grpc-Status")
	}
	if resp.StatusCode != http.StatusOK || status != "0" {
		return fmt.Errorf("DescribeNamespace(%q): http %d, grpc-status %q %s",
			namespace, resp.StatusCode, status, firstNonEmpty(resp.Trailer.Get("Grpc-Message"), resp.Header.Get("Grpc-Message")))
	}
	return nil
}

// protoString encodes a protobuf string field.
func protoString(field int, s string) []byte {
	b := binary.AppendUvarint(nil, uint64(field)<<3|2)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
