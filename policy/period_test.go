package policy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in      string
		want    Period
		wantErr bool
	}{
		{in: "P30D", want: Period{Days: 30}},
		{in: "P6M", want: Period{Months: 6}},
		{in: "P2Y", want: Period{Years: 2}},
		{in: "P1Y6M", want: Period{Years: 1, Months: 6}},
		{in: "P1Y2M3D", want: Period{Years: 1, Months: 2, Days: 3}},
		{in: "P1M15D", want: Period{Months: 1, Days: 15}},
		{in: "P0D", want: Period{}},
		{in: "P0Y", want: Period{}},
		{in: "P007D", want: Period{Days: 7}},
		{in: "P999999D", want: Period{Days: 999999}},

		{in: "", wantErr: true},
		{in: "P", wantErr: true},
		{in: "30D", wantErr: true},
		{in: "p30d", wantErr: true},
		{in: "P-1D", wantErr: true},
		{in: "P+1D", wantErr: true},
		{in: "P1.5D", wantErr: true},
		{in: "P1,5D", wantErr: true},
		{in: "PT12H", wantErr: true},
		{in: "P1DT12H", wantErr: true},
		{in: "P2W", wantErr: true},
		{in: "P1D1D", wantErr: true},
		{in: "P6M1Y", wantErr: true},
		{in: "P30", wantErr: true},
		{in: "PD", wantErr: true},
		{in: " P30D", wantErr: true},
		{in: "P30D ", wantErr: true},
		{in: "P1000000D", wantErr: true},
		{in: "P99999999999999999999D", wantErr: true},
		{in: "thirty days", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePeriod(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, ErrInvalidPeriod, "ParsePeriod(%q): got %+v, want error", tt.in, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got, "ParsePeriod(%q): got %+v, want %+v", tt.in, got, tt.want)
		})
	}
}

func TestPeriodString(t *testing.T) {
	tests := []struct {
		in   Period
		want string
	}{
		{Period{}, "P0D"},
		{Days(30), "P30D"},
		{Months(6), "P6M"},
		{Years(2), "P2Y"},
		{Period{Years: 1, Months: 6}, "P1Y6M"},
		{Period{Years: 1, Days: 1}, "P1Y1D"},
	}
	for _, tt := range tests {
		got := tt.in.String()
		require.Equal(t, tt.want, got, "got %s, want %s", got, tt.want)
	}
	require.True(t, Period{}.IsZero())
	require.False(t, Days(1).IsZero())
}

func TestPeriodJSON(t *testing.T) {
	type doc struct {
		Window Period   `json:"window"`
		List   []Period `json:"list"`
	}
	b, err := json.Marshal(doc{Window: Years(2), List: []Period{Days(7), Days(1)}})
	require.NoError(t, err)
	require.JSONEq(t, `{"window":"P2Y","list":["P7D","P1D"]}`, string(b))

	var got doc
	require.NoError(t, json.Unmarshal([]byte(`{"window":"P1Y6M","list":["P30D"]}`), &got))
	require.Equal(t, Period{Years: 1, Months: 6}, got.Window)

	require.ErrorIs(t, json.Unmarshal([]byte(`{"window":"P1.5Y"}`), &got), ErrInvalidPeriod)
	require.ErrorIs(t, json.Unmarshal([]byte(`{"window":30}`), &got), ErrInvalidPeriod)

	_, err = json.Marshal(doc{Window: Days(-1)})
	require.ErrorIs(t, err, ErrInvalidPeriod, "negative periods must not be written out")
}

func TestPeriodLongerThan(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"P7D", "P1D", true},
		{"P1D", "P7D", false},
		{"P7D", "P7D", false},
		{"P1M", "P27D", true},
		{"P1M", "P28D", false}, // February
		{"P31D", "P1M", false}, // equal after 31-day months
		{"P32D", "P1M", true},
		{"P1Y", "P365D", false},
		{"P367D", "P1Y", true},
		{"P5Y", "P6M", true},
	}
	for _, tt := range tests {
		got := p(t, tt.a).longerThan(p(t, tt.b))
		require.Equal(t, tt.want, got, "%s longer than %s: got %v, want %v", tt.a, tt.b, got, tt.want)
	}
}
