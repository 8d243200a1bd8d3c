package payload

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
)

type named struct {
	Name string `json:"name"`
}

func TestConverterWritesMarkupVerbatimAndReadsBoth(t *testing.T) {
	in := named{Name: strings.Repeat("<张三&李四>", 100)}
	p, err := Converter.ToPayload(in)
	require.NoError(t, err)
	def, err := converter.GetDefaultDataConverter().ToPayload(in)
	require.NoError(t, err)
	require.Less(t, len(p.Data), len(def.Data), "no \\u003c escapes")
	require.Contains(t, string(p.Data), "<张三&李四>")
	require.Equal(t, def.Metadata, p.Metadata, "same encoding, so histories stay readable")

	// What either converter wrote, this one reads.
	for _, payload := range [][]byte{p.Data, def.Data} {
		p.Data = payload
		var out named
		require.NoError(t, Converter.FromPayload(p, &out))
		require.Equal(t, in, out)
	}
}

func TestTooLarge(t *testing.T) {
	cases := []struct {
		name  string
		v     any
		limit int
		over  bool
	}{
		{"small", named{"王一"}, 100, false},
		{"exactly at limit", named{strings.Repeat("a", 100-len(`{"name":""}`))}, 100, false},
		{"one byte over", named{strings.Repeat("a", 101-len(`{"name":""}`))}, 100, true},
		{"markup counts once", named{strings.Repeat("<", 80)}, 100, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, over, err := TooLarge(c.v, c.limit)
			require.NoError(t, err)
			require.Equal(t, c.over, over)
		})
	}
}
