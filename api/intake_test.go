package api

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

func TestISOWeek(t *testing.T) {
	tests := []struct {
		week     string
		from, to policy.Date
		wantErr  string
	}{
		{week: "2026-W01", from: policy.NewDate(2025, 12, 29), to: policy.NewDate(2026, 1, 4)},
		{week: "2026-W11", from: policy.NewDate(2026, 3, 9), to: policy.NewDate(2026, 3, 15)},
		{week: "2026-W53", from: policy.NewDate(2026, 12, 28), to: policy.NewDate(2027, 1, 3)},
		{week: "2020-W53", from: policy.NewDate(2020, 12, 28), to: policy.NewDate(2021, 1, 3)},
		{week: "2025-W53", wantErr: "has no week 53"},
		{week: "2026-W00", wantErr: "has no week 0"},
		{week: "2026-W54", wantErr: "has no week 54"},
		{week: "2026-11", wantErr: "not an ISO week"},
		{week: "1899-W10", wantErr: "outside the years"},
	}
	for _, tt := range tests {
		t.Run(tt.week, func(t *testing.T) {
			from, to, err := isoWeek(tt.week)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.from, from, "got Monday %s, want %s", from, tt.from)
			require.Equal(t, tt.to, to, "got Sunday %s, want %s", to, tt.to)
		})
	}
}

func TestMonthBounds(t *testing.T) {
	tests := []struct {
		month    string
		from, to policy.Date
		wantErr  string
	}{
		{month: "2026-02", from: policy.NewDate(2026, 2, 1), to: policy.NewDate(2026, 2, 28)},
		{month: "2024-02", from: policy.NewDate(2024, 2, 1), to: policy.NewDate(2024, 2, 29)},
		{month: "2026-12", from: policy.NewDate(2026, 12, 1), to: policy.NewDate(2026, 12, 31)},
		{month: "2026-13", wantErr: "not a month"},
		{month: "2026-3", wantErr: "not a month"},
		{month: "2026-03-01", wantErr: "not a month"},
		{month: "1899-12", wantErr: "outside the years"},
		{month: "2200-01", wantErr: "outside the years"},
	}
	for _, tt := range tests {
		t.Run(tt.month, func(t *testing.T) {
			from, to, err := workflows.MonthBounds(tt.month)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.from, from, "got first day %s, want %s", from, tt.from)
			require.Equal(t, tt.to, to, "got last day %s, want %s", to, tt.to)
		})
	}
}
