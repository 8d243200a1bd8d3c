// Package devstack runs the real backing services casework needs — a private
// PostgreSQL cluster and a Temporal CLI dev server — as child processes, so
// that `make dev` and the integration tests work on machines without Docker.
package devstack

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. The
// port is released before returning, so another process could grab it in
// between; that race is acceptable for a dev stack and tests.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("devstack: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// portFree fails when a given port is already taken, naming what to do:
// otherwise the readiness check could find some other server listening
// there and take it for ours.
func portFree(what string, port int) error {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return fmt.Errorf("devstack: %s port %d is already in use (%v); stop what holds it or choose another port", what, port, err)
	}
	return l.Close()
}

// tailBuffer keeps the last bytes written to it, so that a failed start can
// report what the server said before it died even when its log goes elsewhere.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

// Write implements io.Writer and never fails.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

// String returns the retained tail of the output.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// staticText is a fmt.Stringer for a fixed message.
type staticText string

func (s staticText) String() string { return string(s) }

// fileTail reads the end of a log file that the child writes to directly,
// skipping whatever was in the file before the child started.
type fileTail struct {
	path  string
	start int64
	max   int64
}

// String returns up to max bytes from the end of the file.
func (t *fileTail) String() string {
	f, err := os.Open(t.path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", t.path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", t.path, err)
	}
	from := max(t.start, fi.Size()-t.max)
	b := make([]byte, max(fi.Size()-from, 0))
	n, _ := f.ReadAt(b, from)
	return string(b[:n])
}

// child is a started server process together with the bookkeeping that Stop
// and the readiness checks need.
type child struct {
	name string
	cmd  *exec.Cmd
	tail fmt.Stringer // the end of the child's output
	// closeLog closes the default log file, if devstack opened one.
	closeLog func() error

	done    chan struct{} // closed once the process has been reaped
	waitErr error         // valid after done is closed

	stopOnce sync.Once
	stopErr  error
}

// startChild starts cmd with its output going to log, in its own process
// group and bound to our lifetime.
func startChild(name string, cmd *exec.Cmd, log io.Writer, deathSig syscall.Signal) (*child, error) {
	c := &child{name: name, cmd: cmd, done: make(chan struct{})}
	if f, ok := log.(*os.File); ok && f.Name() != "" {
		// A file is handed to the child as is, so that its last words still
		// reach the log if we die first; a pipe would break with us.
		fi, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("devstack: %s log: %w", name, err)
		}
		if fi.Mode().IsRegular() {
			// Report only what this run appends, not earlier runs.
			c.tail = &fileTail{path: f.Name(), start: fi.Size(), max: 8 << 10}
		} else {
			// A terminal or pipe (os.Stderr) cannot be read back.
			c.tail = staticText("(see " + f.Name() + ")")
		}
		cmd.Stdout, cmd.Stderr = f, f
	} else {
		tb := newTailBuffer(8 << 10)
		c.tail = tb
		w := io.MultiWriter(log, tb)
		cmd.Stdout, cmd.Stderr = w, w
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	bindToParent(cmd.SysProcAttr, deathSig)
	// Server children (postgres backends) may keep the output pipe open for a
	// moment after the main process exits; don't let Wait hang on them.
	cmd.WaitDelay = 3 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("devstack: start %s: %w", name, err)
	}
	go func() {
		c.waitErr = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// exited reports whether the process is gone, with its wait error.
func (c *child) exited() (bool, error) {
	select {
	case <-c.done:
		return true, c.waitErr
	default:
		return false, nil
	}
}

// exitError describes an unexpected exit, including the tail of the log.
func (c *child) exitError(what string) error {
	return fmt.Errorf("devstack: %s exited %s (%v); last output:\n%s", c.name, what, c.waitErr, c.tail)
}

// stop sends sig, waits up to grace for the process to exit and then kills it.
// It is safe to call more than once; later calls return the first result.
func (c *child) stop(sig syscall.Signal, grace time.Duration) error {
	c.stopOnce.Do(func() {
		c.stopErr = c.doStop(sig, grace)
		if c.closeLog != nil {
			if err := c.closeLog(); err != nil && c.stopErr == nil {
				c.stopErr = err
			}
		}
	})
	return c.stopErr
}

func (c *child) doStop(sig syscall.Signal, grace time.Duration) error {
	if done, _ := c.exited(); done {
		// It died on its own before we asked; that is worth reporting.
		return c.exitError("before Stop")
	}
	if err := c.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("devstack: signal %s: %w", c.name, err)
	}
	select {
	case <-c.done:
		return nil
	case <-time.After(grace):
	}
	// Kill the whole group so helpers the server forked don't linger.
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	_ = c.cmd.Process.Kill()
	<-c.done
	return fmt.Errorf("devstack: %s did not exit within %s of %s; killed", c.name, grace, sig)
}

// kill kills the process and every process of its group at once (kill -9),
// as a crash of the machine or the OOM killer would, and waits for it.
func (c *child) kill() error {
	c.stopOnce.Do(func() {
		if done, _ := c.exited(); !done {
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		if c.closeLog != nil {
			c.stopErr = c.closeLog()
		}
	})
	return c.stopErr
}

// pidAlive reports whether a process with this pid exists and its command name
// is comm (as in /proc/PID/comm), so a recycled pid is not mistaken for it.
func pidAlive(pid int, comm string) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err == nil {
		return string(trimNL(b)) == comm
	}
	if _, statErr := os.Stat("/proc/self"); statErr == nil {
		return false // procfs is there, so the pid is simply gone
	}
	// Without procfs, err on the side of "alive": deleting a live server's
	// lock file would let two servers share one data directory.
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
