package api

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestArticle(t *testing.T) {
	for role, want := range map[string]string{
		"auditor": "an auditor", "court": "a court", "mediator": "a mediator",
		"party": "a party", "supervisor": "a supervisor", "court_admin": "a court_admin",
		"dispatcher": "a dispatcher",
	} {
		require.Equal(t, want, article(role))
	}
}
