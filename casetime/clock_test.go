package casetime

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestClock(t *testing.T) {
	epoch := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		scale    int64
		realGone time.Duration
		wantCase time.Duration
	}{
		{"RealTime", 1, 36 * time.Hour, 36 * time.Hour},
		{"OneDayPerSecond", 86400, 3 * time.Second, 3 * 24 * time.Hour},
		{"FiveYearsCompressed", 86400, 5 * 366 * time.Second, 5 * 366 * 24 * time.Hour},
		{"LongRealRunNoOverflow", 86400, 24 * time.Hour, 24 * time.Hour * 86400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.scale, epoch)
			require.NoError(t, err)
			got := c.CaseTime(epoch.Add(tt.realGone)).Sub(epoch)
			require.Equal(t, tt.wantCase, got, "got case elapsed %v, want %v", got, tt.wantCase)
			require.Equal(t, epoch.Add(tt.realGone), c.RealTime(epoch.Add(tt.wantCase)))
		})
	}
}

func TestRealDurationRoundsUp(t *testing.T) {
	c := Clock{Scale: 86400, RealEpoch: time.Unix(0, 0), CaseEpoch: time.Unix(0, 0)}
	d := c.RealDuration(time.Hour)
	require.GreaterOrEqual(t, time.Duration(c.Scale)*d, time.Hour, "a timer must not fire before the case deadline")
	require.Equal(t, time.Duration(0), c.RealDuration(-time.Hour))
}

func TestValidate(t *testing.T) {
	now := time.Now()
	for _, scale := range []int64{0, -1, MaxScale + 1} {
		_, err := New(scale, now)
		require.Error(t, err, "scale %d", scale)
	}
}

func TestStarted(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	c := Clock{Scale: 86400}.Started(now)
	require.Equal(t, Clock{Scale: 86400, RealEpoch: now, CaseEpoch: now}, c)
	require.Equal(t, c, c.Started(now.Add(time.Hour)), "a started clock keeps its epochs")
	require.Equal(t, int64(1), Clock{}.Started(now).Scale, "real time unless told otherwise")

	// A case entered after the fact: opened on 2025-06-01 in case time.
	back := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	c = Clock{Scale: 1, CaseEpoch: back}.Started(now)
	require.Equal(t, back, c.CaseTime(now))
	require.Equal(t, back.Add(time.Hour), c.CaseTime(now.Add(time.Hour)))
}
