package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/casework/casework/internal/payload"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/casework/casework/audit"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/internal/secret"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/worker"
)

// env returns the environment variable key, or def when it is unset.
func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func timeScale() (int64, error) {
	s := env("CASEWORK_TIME_SCALE", "1")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || n > casetime.MaxScale {
		return 0, fmt.Errorf("CASEWORK_TIME_SCALE=%q: want a whole number from 1 (real time) to %d; 86400 makes one legal day pass per second", s, casetime.MaxScale)
	}
	return n, nil
}

func policies() (*policy.Registry, error) {
	if dir := os.Getenv("CASEWORK_POLICY_DIR"); dir != "" {
		r, err := policy.LoadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("CASEWORK_POLICY_DIR=%s: %w", dir, err)
		}
		return r, nil
	}
	return policy.Default()
}

// dialTemporal connects to the Temporal frontend at TEMPORAL_ADDRESS, over
// TLS and with an API key when the environment says so (temporalSecurity).
func dialTemporal(ctx context.Context, hostPort string, obs *observability) (client.Client, error) {
	opts := client.Options{
		HostPort:  hostPort,
		Namespace: env("TEMPORAL_NAMESPACE", "default"),
		Logger:    tlog.NewStructuredLogger(slog.Default().With("component", "temporal")),
		// The worker takes its data converter from this client.
		DataConverter: payload.Converter,
	}
	if err := temporalSecurity(&opts); err != nil {
		return nil, err
	}
	compression, err := grpcCompression(hostPort)
	if err != nil {
		return nil, err
	}
	opts.ConnectionOptions.GrpcCompression = compression
	// The SDK's metrics (task latencies, sticky cache, pollers) and the
	// trace of each call, where this process has them on.
	if err := obs.temporal(&opts); err != nil {
		return nil, err
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w (is the server running? set TEMPORAL_ADDRESS)", hostPort, err)
	}
	return c, nil
}

// grpcCompression is TEMPORAL_GRPC_COMPRESSION (gzip or none); unset, it
// is none for a frontend on this machine, where gzip of every call cost
// 8–13 % of the API's and the worker's CPU in make bench's profile and
// saves no bandwidth, and gzip for one across a network.
func grpcCompression(hostPort string) (client.GrpcCompression, error) {
	switch v := os.Getenv("TEMPORAL_GRPC_COMPRESSION"); v {
	case "gzip":
		return &client.GrpcCompressionGzip{}, nil
	case "none":
		return &client.GrpcCompressionNone{}, nil
	case "":
		host, _, err := net.SplitHostPort(hostPort)
		if err != nil {
			host = hostPort
		}
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return &client.GrpcCompressionNone{}, nil
		}
		return &client.GrpcCompressionGzip{}, nil
	default:
		return nil, fmt.Errorf("TEMPORAL_GRPC_COMPRESSION=%q: want gzip or none", v)
	}
}

// auditKey returns the audit key the step chain is keyed with:
// CASEWORK_AUDIT_KEY, or for development a key kept in keyFile (created on
// first use) when keyFile is not empty. The database never holds it.
func auditKey(keyFile string) (audit.Key, error) {
	if s := os.Getenv("CASEWORK_AUDIT_KEY"); s != "" {
		k, err := audit.ParseKey(s)
		if err != nil {
			return audit.Key{}, fmt.Errorf("CASEWORK_AUDIT_KEY: %w", err)
		}
		return k, nil
	}
	if keyFile == "" {
		return audit.Key{}, errors.New("CASEWORK_AUDIT_KEY is not set (the key the audit trail is chained with, at least 32 bytes; " + secret.HowTo + ")")
	}
	b, err := readOrCreate(keyFile, audit.GenerateKey)
	if err != nil {
		return audit.Key{}, fmt.Errorf("development audit key: %w", err)
	}
	k, err := audit.ParseKey(string(b))
	if err != nil {
		return audit.Key{}, fmt.Errorf("%s: %w", keyFile, err)
	}
	return k, nil
}

// readOrCreate reads a development key file, first writing it (0600) with
// what gen returns when it does not exist.
func readOrCreate(file string, gen func() string) ([]byte, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		b = []byte(gen())
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(file, b, 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", file, err)
		}
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	return b, nil
}

// auditKeyOrNone returns the audit key when one is configured, else no key
// (for commands that record no steps).
func auditKeyOrNone() audit.Key {
	k, _ := auditKey("")
	return k
}

// jwtKeys returns the token keys: CASEWORK_JWT_SECRET, or for development a
// secret kept in keyFile (created on first use) when keyFile is not empty;
// tokens live at most CASEWORK_TOKEN_MAX_TTL.
func jwtKeys(keyFile string) (*auth.Keys, error) {
	maxTTL, err := tokenMaxTTL()
	if err != nil {
		return nil, err
	}
	var keys *auth.Keys
	if s := os.Getenv("CASEWORK_JWT_SECRET"); s != "" {
		if keys, err = auth.NewKeys([]byte(s)); err != nil {
			return nil, fmt.Errorf("CASEWORK_JWT_SECRET: %w", err)
		}
	} else {
		if keyFile == "" {
			return nil, errors.New("CASEWORK_JWT_SECRET is not set (at least 32 bytes; " + secret.HowTo + ")")
		}
		b, err := readOrCreate(keyFile, func() string {
			var k [32]byte
			_, _ = rand.Read(k[:])
			return hex.EncodeToString(k[:])
		})
		if err != nil {
			return nil, fmt.Errorf("development token key: %w", err)
		}
		if keys, err = auth.NewKeys([]byte(strings.TrimSpace(string(b)))); err != nil {
			return nil, fmt.Errorf("%s: %w", keyFile, err)
		}
	}
	keys.MaxTTL = maxTTL
	return keys, nil
}

// temporalSecurity sets the client's transport security from the
// environment: TEMPORAL_TLS_CA (a PEM file of the CA the frontend's
// certificate chains to), TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (the
// client's certificate and key, for mTLS), TEMPORAL_TLS_SERVER_NAME, and
// TEMPORAL_API_KEY (Temporal Cloud's API keys; it implies TLS). Nothing set
// is a plaintext connection, as to the local dev server.
func temporalSecurity(opts *client.Options) error {
	caFile, certFile, keyFile := os.Getenv("TEMPORAL_TLS_CA"), os.Getenv("TEMPORAL_TLS_CERT"), os.Getenv("TEMPORAL_TLS_KEY")
	serverName, apiKey := os.Getenv("TEMPORAL_TLS_SERVER_NAME"), os.Getenv("TEMPORAL_API_KEY")
	if caFile == "" && certFile == "" && keyFile == "" && serverName == "" && apiKey == "" {
		return nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return fmt.Errorf("TEMPORAL_TLS_CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("TEMPORAL_TLS_CA=%s holds no PEM certificate", caFile)
		}
		cfg.RootCAs = pool
	}
	if (certFile == "") != (keyFile == "") {
		return errors.New("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (the client certificate for mTLS and its key)")
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return fmt.Errorf("TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	opts.ConnectionOptions.TLS = cfg
	if apiKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(apiKey)
	}
	return nil
}

// workerSettings size the worker and bound its drain on SIGTERM.
type workerSettings struct {
	// cache is the sticky workflow cache's size; 0 leaves the SDK's
	// (10,000 workflows).
	cache  int
	tuning worker.Tuning
}

// defaultStopTimeout is the worker's drain when CASEWORK_WORKER_STOP_TIMEOUT
// is unset: below deploy/k8s/worker.yaml's terminationGracePeriodSeconds
// (60), so the drain ends before Kubernetes kills the pod.
const defaultStopTimeout = 45 * time.Second

// workerConfig reads CASEWORK_WORKER_CACHE, CASEWORK_WORKER_TASKS,
// CASEWORK_WORKER_ACTIVITIES and CASEWORK_WORKER_STOP_TIMEOUT.
func workerConfig() (workerSettings, error) {
	var w workerSettings
	var err error
	if w.cache, err = countEnv("CASEWORK_WORKER_CACHE", 1, "workflows kept in memory between tasks, about 50 KB each; unset: the SDK's 10000"); err != nil {
		return w, err
	}
	// The SDK panics on 1: its pollers alternate between the sticky and
	// the normal queue.
	if w.tuning.WorkflowTasks, err = countEnv("CASEWORK_WORKER_TASKS", 2, "workflow tasks run at once; unset: the SDK's 1000"); err != nil {
		return w, err
	}
	if w.tuning.Activities, err = countEnv("CASEWORK_WORKER_ACTIVITIES", 1, "activities run at once; unset: the SDK's 1000"); err != nil {
		return w, err
	}
	s := env("CASEWORK_WORKER_STOP_TIMEOUT", defaultStopTimeout.String())
	if w.tuning.StopTimeout, err = time.ParseDuration(s); err != nil || w.tuning.StopTimeout < 0 || w.tuning.StopTimeout > time.Hour {
		return w, fmt.Errorf("CASEWORK_WORKER_STOP_TIMEOUT=%q: want a duration from 0s to 1h, e.g. 45s, shorter than the time the process is given to stop (terminationGracePeriodSeconds, TimeoutStopSec)", s)
	}
	return w, nil
}

// countEnv is the whole number in key, at least least, or 0 when unset.
func countEnv(key string, least int, what string) (int, error) {
	s := env(key, "")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < least || n > maxCount {
		return 0, fmt.Errorf("%s=%q: want a whole number from %d to %d (%s)", key, s, least, maxCount, what)
	}
	return n, nil
}

// maxCount bounds the worker's counts, well past any one process's.
const maxCount = 1_000_000
