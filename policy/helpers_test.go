package policy

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// d parses a date literal in tests, failing the test on a typo.
func d(t testing.TB, s string) Date {
	t.Helper()
	v, err := ParseDate(s)
	require.NoError(t, err, "bad date literal %q", s)
	return v
}

// p parses a period literal in tests.
func p(t testing.TB, s string) Period {
	t.Helper()
	v, err := ParsePeriod(s)
	require.NoError(t, err, "bad period literal %q", s)
	return v
}

func mustDefault(t testing.TB) *Registry {
	t.Helper()
	r, err := Default()
	require.NoError(t, err)
	return r
}
