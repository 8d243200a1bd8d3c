package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
)

// writeCert writes a self-signed certificate and its key as PEM files.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "casework-worker"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kb, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600))
	return certFile, keyFile
}

func TestTemporalSecurity(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir)
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))
	cases := []struct {
		name    string
		env     map[string]string
		tls     bool
		mtls    bool
		apiKey  bool
		wantErr string
	}{
		{name: "nothing set is plaintext, as to the dev server"},
		{name: "a CA", env: map[string]string{"TEMPORAL_TLS_CA": cert, "TEMPORAL_TLS_SERVER_NAME": "temporal.court.internal"}, tls: true},
		{name: "mTLS", env: map[string]string{"TEMPORAL_TLS_CA": cert, "TEMPORAL_TLS_CERT": cert, "TEMPORAL_TLS_KEY": key}, tls: true, mtls: true},
		{name: "an API key implies TLS", env: map[string]string{"TEMPORAL_API_KEY": "secret-key"}, tls: true, apiKey: true},
		{name: "a certificate without its key", env: map[string]string{"TEMPORAL_TLS_CERT": cert}, wantErr: "go together"},
		{name: "a CA file that is not PEM", env: map[string]string{"TEMPORAL_TLS_CA": notPEM}, wantErr: "no PEM"},
		{name: "a missing CA file", env: map[string]string{"TEMPORAL_TLS_CA": filepath.Join(dir, "missing")}, wantErr: "TEMPORAL_TLS_CA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"TEMPORAL_TLS_CA", "TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY", "TEMPORAL_TLS_SERVER_NAME", "TEMPORAL_API_KEY"} {
				t.Setenv(k, c.env[k])
			}
			var opts client.Options
			err := temporalSecurity(&opts)
			if c.wantErr != "" {
				require.ErrorContains(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.tls, opts.ConnectionOptions.TLS != nil)
			if c.tls {
				require.Equal(t, c.mtls, len(opts.ConnectionOptions.TLS.Certificates) == 1)
				require.Equal(t, c.env["TEMPORAL_TLS_SERVER_NAME"], opts.ConnectionOptions.TLS.ServerName)
			}
			require.Equal(t, c.apiKey, opts.Credentials != nil)
		})
	}
}
