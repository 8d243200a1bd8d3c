package secret

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	random := make([]byte, 48)
	_, _ = rand.Read(random)
	tests := []struct {
		name   string
		secret string
		ok     bool
	}{
		{"Base64Of48RandomBytes", base64.StdEncoding.EncodeToString(random), true},
		{"HexOf32RandomBytes", hex.EncodeToString(random[:32]), true},
		{"RawRandom", string(random), true},
		{"Short", "too-short", false},
		{"K8sExamplePlaceholder", "CHANGE-ME-to-at-least-32-random-bytes-openssl-rand-hex-32", false},
		{"RepeatedCharacter", strings.Repeat("a", 32), false},
		{"RepeatedPattern", strings.Repeat("ab12", 16), false},
		{"RepeatedWord", "e2e-secret-e2e-secret-e2e-secret!", false},
		{"LowEntropy", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check("CASEWORK_JWT_SECRET", []byte(tt.secret))
			if tt.ok && err != nil {
				t.Fatalf("got %v, want accepted", err)
			}
			if !tt.ok {
				if err == nil {
					t.Fatalf("got accepted, want refused")
				}
				if !strings.Contains(err.Error(), "openssl rand -base64 48") || !strings.HasPrefix(err.Error(), "CASEWORK_JWT_SECRET ") {
					t.Fatalf("got %q, want it to name the variable and say how to make one", err)
				}
			}
		})
	}
}
