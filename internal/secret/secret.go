// Package secret checks that a configured secret (the token key, the audit
// key) is one an attacker cannot guess: long enough, not a placeholder
// copied from an example, not a repeated pattern, and random-looking.
package secret

import (
	"fmt"
	"math"
	"strings"
)

// MinBytes is the shortest secret accepted.
const MinBytes = 32

// minBits is the least estimated entropy accepted: the secret's length times
// the Shannon entropy of its characters. 48 random bytes in base64 give
// about 340, 32 random bytes in hex about 240.
const minBits = 128

// HowTo says how to make a good secret; every refusal ends with it.
const HowTo = "make one with: openssl rand -base64 48"

// placeholders are the words of example secrets nobody replaced.
var placeholders = []string{"change-me", "changeme", "change_me", "placeholder", "example", "secret-here", "your-secret", "replace-me"}

// Check returns an error naming what, and saying how to make a better
// secret, when s is too short, a placeholder, a repeated pattern, or has too
// little entropy.
func Check(what string, s []byte) error {
	refuse := func(why string) error { return fmt.Errorf("%s %s; %s", what, why, HowTo) }
	if len(s) < MinBytes {
		return refuse(fmt.Sprintf("must be at least %d bytes, got %d", MinBytes, len(s)))
	}
	lower := strings.ToLower(string(s))
	for _, p := range placeholders {
		if strings.Contains(lower, p) {
			return refuse(fmt.Sprintf("is a placeholder (it contains %q)", p))
		}
	}
	if p := period(s); p <= len(s)/2 {
		return refuse(fmt.Sprintf("repeats the same %d characters", p))
	}
	if bits := entropyBits(s); bits < minBits {
		return refuse(fmt.Sprintf("is too predictable (about %.0f bits of entropy, want at least %d)", bits, minBits))
	}
	return nil
}

// period returns the length of the shortest pattern s repeats (len(s) if
// it repeats none).
func period(s []byte) int {
	for p := 1; p <= len(s)/2; p++ {
		repeats := true
		for i := p; i < len(s); i++ {
			if s[i] != s[i-p] {
				repeats = false
				break
			}
		}
		if repeats {
			return p
		}
	}
	return len(s)
}

// entropyBits estimates the entropy of s from the frequency of its bytes.
func entropyBits(s []byte) float64 {
	var counts [256]int
	for _, b := range s {
		counts[b]++
	}
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / float64(len(s))
			h -= p * math.Log2(p)
		}
	}
	return h * float64(len(s))
}
