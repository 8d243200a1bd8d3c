package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
)

// TestServerDropsSlowAndIdleClients: a client that trickles its headers,
// and one that keeps a connection open without sending anything, lose the
// connection when the server's timeouts pass, so neither can hold one.
func TestServerDropsSlowAndIdleClients(t *testing.T) {
	saved := serverTimeouts
	t.Cleanup(func() { serverTimeouts = saved })
	serverTimeouts.header, serverTimeouts.write, serverTimeouts.idle = 300*time.Millisecond, time.Second, 300*time.Millisecond

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- serveAPI(ctx, ln, func(h http.Handler) http.Handler { return h }, &api.Server{}) }()
	t.Cleanup(func() { cancel(); <-done })

	closedWithin := func(conn net.Conn, d time.Duration) bool {
		_ = conn.SetReadDeadline(time.Now().Add(d))
		_, err := io.Copy(io.Discard, conn)
		var ne net.Error
		return err == nil || !(errors.As(err, &ne) && ne.Timeout())
	}

	// Headers that never finish.
	slow, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer slow.Close()
	_, err = slow.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n"))
	require.NoError(t, err)
	require.True(t, closedWithin(slow, 3*time.Second), "a client trickling its headers is cut off")

	// A kept-alive connection left idle after one answer.
	idle, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer idle.Close()
	_, err = idle.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
	require.NoError(t, err)
	res, err := http.ReadResponse(bufio.NewReader(idle), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	_, _ = io.Copy(io.Discard, res.Body)
	require.True(t, closedWithin(idle, 3*time.Second), "an idle kept-alive connection is closed")
}
