package allocation

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func claims(owed ...int64) []Claim {
	out := make([]Claim, len(owed))
	for i, o := range owed {
		out[i] = Claim{OwedFen: o}
	}
	return out
}

func TestAllocate(t *testing.T) {
	// The factory of the seeds: 20 workers owed 3,000 yuan each, the 13
	// neediest (every worker but the 1st, 4th, ... 19th) paid first.
	factory := make([]Claim, 20)
	for i := range factory {
		factory[i] = Claim{OwedFen: 300_000, Hardship: i%3 != 0}
	}
	hardshipOnly := make([]int64, 20)
	for i, c := range factory {
		if c.Hardship {
			hardshipOnly[i] = 300_000
		}
	}
	tests := []struct {
		name     string
		rule     string
		payment  int64
		claims   []Claim
		want     []int64
		overpaid int64
	}{
		{"remainder to the first among equals", ProRata, 100, claims(100, 100, 100), []int64{34, 33, 33}, 0},
		{"two fen left over", ProRata, 200, claims(100, 100, 100), []int64{67, 67, 66}, 0},
		{"largest remainder wins", ProRata, 10, claims(1, 2, 7), []int64{1, 2, 7}, 0},
		{"largest remainder, not first", ProRata, 7, claims(60, 30, 10), []int64{4, 2, 1}, 0},
		{"equal remainders, first wins", ProRata, 5, claims(10, 30, 60), []int64{1, 1, 3}, 0},
		{"paid in full", ProRata, 300, claims(100, 100, 100), []int64{100, 100, 100}, 0},
		{"overpayment kept aside", ProRata, 350, claims(100, 100, 100), []int64{100, 100, 100}, 50},
		{"nothing owed to one", ProRata, 7, claims(0, 10, 10), []int64{0, 4, 3}, 0},
		{"nothing owed at all", ProRata, 7, claims(0, 0), []int64{0, 0}, 7},
		{"zero payment", ProRata, 0, claims(5, 5), []int64{0, 0}, 0},
		{"huge amounts do not overflow", ProRata, 99_999_999_999_999, claims(100_000_000_000_000, 100_000_000_000_000), []int64{50_000_000_000_000, 49_999_999_999_999}, 0},
		{"hardship first, within their share", HardshipFirst, 3_900_000, factory, hardshipOnly, 0},
		{"hardship first, pro rata among them", HardshipFirst, 100,
			[]Claim{{OwedFen: 100}, {OwedFen: 100, Hardship: true}, {OwedFen: 100, Hardship: true}}, []int64{0, 50, 50}, 0},
		{"hardship first, rest pro rata", HardshipFirst, 250,
			[]Claim{{OwedFen: 100}, {OwedFen: 100, Hardship: true}, {OwedFen: 100}}, []int64{75, 100, 75}, 0},
		{"hardship first, no hardship", HardshipFirst, 100, claims(100, 100, 100), []int64{34, 33, 33}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, over, err := Allocate(tt.rule, tt.payment, tt.claims)
			require.NoError(t, err)
			require.Equal(t, tt.want, got, "got parts %v, want %v", got, tt.want)
			require.Equal(t, tt.overpaid, over, "got overpayment %d, want %d", over, tt.overpaid)
			checkInvariants(t, tt.payment, tt.claims, got, over)
		})
	}
}

func TestAllocateRefuses(t *testing.T) {
	tests := []struct {
		name    string
		rule    string
		payment int64
		claims  []Claim
	}{
		{"unknown rule", "first_come", 10, claims(10)},
		{"negative payment", ProRata, -1, claims(10)},
		{"negative claim", ProRata, 1, claims(10, -1)},
		{"overflowing claims", ProRata, 1, claims(1<<62, 1<<62)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Allocate(tt.rule, tt.payment, tt.claims)
			require.Error(t, err, "got no error, want one")
		})
	}
}

// checkInvariants asserts that no fen is lost or invented.
func checkInvariants(t *testing.T, payment int64, cs []Claim, parts []int64, over int64) {
	t.Helper()
	require.Len(t, parts, len(cs))
	var sum, owed int64
	for i, p := range parts {
		require.GreaterOrEqual(t, p, int64(0), "part %d: got %d, want >= 0", i, p)
		require.LessOrEqual(t, p, cs[i].OwedFen, "part %d: got %d, want <= owed %d", i, p, cs[i].OwedFen)
		sum += p
		owed += cs[i].OwedFen
	}
	require.Equal(t, payment, sum+over, "got parts %d + overpayment %d, want payment %d", sum, over, payment)
	require.Equal(t, min(payment, owed), sum, "got %d credited, want %d", sum, min(payment, owed))
}

// FuzzAllocate checks the invariants on arbitrary claims: the bytes give
// up to 64 claims, each owed up to 2^24 fen, hardship on odd bytes.
func FuzzAllocate(f *testing.F) {
	f.Add(int64(100), []byte{100, 100, 100}, false)
	f.Add(int64(3_900_000), []byte{1, 2, 3, 4, 5, 6, 7}, true)
	f.Add(int64(0), []byte{}, true)
	f.Fuzz(func(t *testing.T, payment int64, data []byte, hardship bool) {
		if payment < 0 {
			payment = -(payment + 1)
		}
		payment %= 1 << 40
		var cs []Claim
		for i := 0; i+2 < len(data) && len(cs) < 64; i += 3 {
			cs = append(cs, Claim{OwedFen: int64(data[i])<<16 | int64(data[i+1])<<8 | int64(data[i+2]), Hardship: data[i]%2 == 1})
		}
		rule := ProRata
		if hardship {
			rule = HardshipFirst
		}
		parts, over, err := Allocate(rule, payment, cs)
		require.NoError(t, err)
		checkInvariants(t, payment, cs, parts, over)
		again, _, _ := Allocate(rule, payment, cs)
		require.Equal(t, parts, again, "allocation is deterministic")
	})
}
