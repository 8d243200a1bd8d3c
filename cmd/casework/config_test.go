package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/casework/casework/audit"
	"github.com/casework/casework/worker"
)

func TestWeakSecretsRefused(t *testing.T) {
	for _, s := range []string{
		"CHANGE-ME-to-at-least-32-random-bytes-openssl-rand-hex-32", // deploy/k8s/secret.example.yaml
		strings.Repeat("a", 32),
	} {
		t.Setenv("CASEWORK_JWT_SECRET", s)
		_, err := jwtKeys("")
		require.ErrorContains(t, err, "CASEWORK_JWT_SECRET")
		require.ErrorContains(t, err, "openssl rand -base64 48")

		t.Setenv("CASEWORK_AUDIT_KEY", s)
		_, err = auditKey("")
		require.ErrorContains(t, err, "CASEWORK_AUDIT_KEY")
		require.ErrorContains(t, err, "openssl rand -base64 48")
	}
}

func TestTokenMaxTTL(t *testing.T) {
	t.Setenv("CASEWORK_JWT_SECRET", audit.GenerateKey())
	keys, err := jwtKeys("")
	require.NoError(t, err)
	require.Equal(t, 12*time.Hour, keys.MaxTTL)
	t.Setenv("CASEWORK_TOKEN_MAX_TTL", "2h")
	keys, err = jwtKeys("")
	require.NoError(t, err)
	require.Equal(t, 2*time.Hour, keys.MaxTTL)
	t.Setenv("CASEWORK_TOKEN_MAX_TTL", "876000h")
	_, err = jwtKeys("")
	require.ErrorContains(t, err, "CASEWORK_TOKEN_MAX_TTL")
}

// TestDevTokensFile: casework dev writes the tokens to a file only its
// owner reads, even one that was there before with a looser mode.
func TestDevTokensFile(t *testing.T) {
	t.Setenv("CASEWORK_JWT_SECRET", audit.GenerateKey())
	keys, err := jwtKeys("")
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "tokens.env")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	users, err := writeDevTokens(keys, file)
	require.NoError(t, err)
	require.Len(t, users, len(devUsers))
	fi, err := os.Stat(file)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	for _, u := range devUsers {
		require.Contains(t, string(b), u.Var+"=")
	}
}

func TestGrpcCompression(t *testing.T) {
	tests := []struct {
		env, hostPort string
		want          client.GrpcCompression
	}{
		{"", "127.0.0.1:7233", &client.GrpcCompressionNone{}},
		{"", "localhost:7233", &client.GrpcCompressionNone{}},
		{"", "[::1]:7233", &client.GrpcCompressionNone{}},
		{"", "temporal-frontend.temporal:7233", &client.GrpcCompressionGzip{}},
		{"", "10.0.0.5:7233", &client.GrpcCompressionGzip{}},
		{"gzip", "127.0.0.1:7233", &client.GrpcCompressionGzip{}},
		{"none", "10.0.0.5:7233", &client.GrpcCompressionNone{}},
	}
	for _, tt := range tests {
		t.Setenv("TEMPORAL_GRPC_COMPRESSION", tt.env)
		got, err := grpcCompression(tt.hostPort)
		require.NoError(t, err)
		require.IsType(t, tt.want, got, "%q %s", tt.env, tt.hostPort)
	}
	t.Setenv("TEMPORAL_GRPC_COMPRESSION", "brotli")
	_, err := grpcCompression("127.0.0.1:7233")
	require.ErrorContains(t, err, "want gzip or none")
}

func TestWorkerConfig(t *testing.T) {
	vars := []string{"CASEWORK_WORKER_CACHE", "CASEWORK_WORKER_TASKS", "CASEWORK_WORKER_ACTIVITIES", "CASEWORK_WORKER_STOP_TIMEOUT"}
	tests := []struct {
		name    string
		env     map[string]string
		want    workerSettings
		wantErr string
	}{
		{name: "defaults", want: workerSettings{tuning: worker.Tuning{StopTimeout: 45 * time.Second}}},
		{name: "all set", env: map[string]string{
			"CASEWORK_WORKER_CACHE": "4000", "CASEWORK_WORKER_TASKS": "50", "CASEWORK_WORKER_ACTIVITIES": "20", "CASEWORK_WORKER_STOP_TIMEOUT": "30s",
		}, want: workerSettings{cache: 4000, tuning: worker.Tuning{WorkflowTasks: 50, Activities: 20, StopTimeout: 30 * time.Second}}},
		{name: "smallest", env: map[string]string{
			"CASEWORK_WORKER_CACHE": "1", "CASEWORK_WORKER_TASKS": "2", "CASEWORK_WORKER_ACTIVITIES": "1", "CASEWORK_WORKER_STOP_TIMEOUT": "0s",
		}, want: workerSettings{cache: 1, tuning: worker.Tuning{WorkflowTasks: 2, Activities: 1}}},
		{name: "cache not a number", env: map[string]string{"CASEWORK_WORKER_CACHE": "10k"}, wantErr: `CASEWORK_WORKER_CACHE="10k": want a whole number from 1 to 1000000`},
		{name: "cache zero", env: map[string]string{"CASEWORK_WORKER_CACHE": "0"}, wantErr: `CASEWORK_WORKER_CACHE="0"`},
		{name: "cache too large", env: map[string]string{"CASEWORK_WORKER_CACHE": "1000001"}, wantErr: `CASEWORK_WORKER_CACHE="1000001"`},
		{name: "one workflow task", env: map[string]string{"CASEWORK_WORKER_TASKS": "1"}, wantErr: `CASEWORK_WORKER_TASKS="1": want a whole number from 2 to 1000000`},
		{name: "negative tasks", env: map[string]string{"CASEWORK_WORKER_TASKS": "-5"}, wantErr: `CASEWORK_WORKER_TASKS="-5"`},
		{name: "activities zero", env: map[string]string{"CASEWORK_WORKER_ACTIVITIES": "0"}, wantErr: `CASEWORK_WORKER_ACTIVITIES="0": want a whole number from 1 to 1000000`},
		{name: "activities fraction", env: map[string]string{"CASEWORK_WORKER_ACTIVITIES": "2.5"}, wantErr: `CASEWORK_WORKER_ACTIVITIES="2.5"`},
		{name: "stop timeout without unit", env: map[string]string{"CASEWORK_WORKER_STOP_TIMEOUT": "45"}, wantErr: `CASEWORK_WORKER_STOP_TIMEOUT="45": want a duration from 0s to 1h`},
		{name: "negative stop timeout", env: map[string]string{"CASEWORK_WORKER_STOP_TIMEOUT": "-1s"}, wantErr: `CASEWORK_WORKER_STOP_TIMEOUT="-1s"`},
		{name: "stop timeout too long", env: map[string]string{"CASEWORK_WORKER_STOP_TIMEOUT": "2h"}, wantErr: `CASEWORK_WORKER_STOP_TIMEOUT="2h"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range vars {
				t.Setenv(v, tt.env[v])
			}
			got, err := workerConfig()
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// TestStopTimeoutWithinGracePeriod: the worker's default drain ends before
// Kubernetes kills the pod it runs in.
func TestStopTimeoutWithinGracePeriod(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "k8s", "worker.yaml"))
	require.NoError(t, err)
	m := regexp.MustCompile(`terminationGracePeriodSeconds: (\d+)`).FindSubmatch(b)
	require.NotNil(t, m, "worker.yaml sets terminationGracePeriodSeconds")
	grace, err := strconv.Atoi(string(m[1]))
	require.NoError(t, err)
	stop := defaultStopTimeout
	if m := regexp.MustCompile(`name: CASEWORK_WORKER_STOP_TIMEOUT, value: "?([^"}]+)"?}`).FindSubmatch(b); m != nil {
		stop, err = time.ParseDuration(string(m[1]))
		require.NoError(t, err)
	}
	require.Less(t, stop, time.Duration(grace)*time.Second)
}
