package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/casework/casework/audit"
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
