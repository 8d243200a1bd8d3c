package audit

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAnchorDirKeepsTheHighestAnchoredStep: a later anchor with a shorter
// head (taken after a deletion) does not hide the step the earlier file
// holds; new files are picked up on the next read; a file that is not a
// valid anchor is reported, never trusted; and files are read-only.
func TestAnchorDirKeepsTheHighestAnchoredStep(t *testing.T) {
	k := RandomKey()
	dir := filepath.Join(t.TempDir(), "anchors")
	d := NewAnchorDir(dir, k)
	at := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)

	heads, bad, err := d.Heads("c1")
	require.NoError(t, err, "a directory not made yet holds no anchors")
	require.Empty(t, heads)
	require.Empty(t, bad)

	first, err := d.Write([]Head{{CaseID: "c1", Stream: "mediation", Seq: 5, Hash: "aa"}, {CaseID: "c2", Stream: "mediation", Seq: 2, Hash: "bb"}}, at)
	require.NoError(t, err)
	fi, err := os.Stat(first)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o444), fi.Mode().Perm())

	heads, _, err = d.Heads("c1")
	require.NoError(t, err)
	require.Equal(t, []Head{{CaseID: "c1", Stream: "mediation", Seq: 5, Hash: "aa"}}, heads)

	// The insider deleted step 5 and the next anchor holds step 4.
	_, err = d.Write([]Head{{CaseID: "c1", Stream: "mediation", Seq: 4, Hash: "a4"}, {CaseID: "c1", Stream: "plan:performance", Seq: 1, Hash: "p1"}}, at.Add(time.Hour))
	require.NoError(t, err)
	// And a second file anchors step 5 with another hash: both are kept.
	_, err = d.Write([]Head{{CaseID: "c1", Stream: "mediation", Seq: 5, Hash: "ff"}}, at.Add(2*time.Hour))
	require.NoError(t, err)
	heads, bad, err = d.Heads("c1")
	require.NoError(t, err)
	require.Empty(t, bad)
	require.Equal(t, []Head{
		{CaseID: "c1", Stream: "mediation", Seq: 5, Hash: "aa"},
		{CaseID: "c1", Stream: "mediation", Seq: 5, Hash: "ff"},
		{CaseID: "c1", Stream: "plan:performance", Seq: 1, Hash: "p1"},
	}, heads)

	for name, content := range map[string]string{
		"anchors-edited.json":  "{}",
		"anchors-foreign.json": "",
	} {
		if name == "anchors-foreign.json" {
			b, err := RandomKey().SignAnchors([]Head{{CaseID: "c1", Stream: "mediation", Seq: 9, Hash: "99"}}, at)
			require.NoError(t, err)
			content = string(b)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README"), []byte("not an anchor"), 0o644))
	all, bad, err := d.All()
	require.NoError(t, err)
	require.Len(t, bad, 2, "the edited and the foreign file, not the README")
	require.ErrorContains(t, bad[1], "anchors-foreign.json")
	require.Len(t, all["c1"], 3, "the foreign file's step 9 is not trusted")
	require.Len(t, all["c2"], 1)
}
