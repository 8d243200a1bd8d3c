package workflows

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCaseID(t *testing.T) {
	id := CaseID("（2026）黔2301民诉前调88号")
	require.Equal(t, id, CaseID("  （2026）黔2301民诉前调88号 "), "surrounding space does not make another case")
	require.NotEqual(t, id, CaseID("（2026）黔2301民诉前调89号"))
	require.True(t, ValidCaseID(id), "CaseID gives a valid id: %s", id)
	for _, bad := range []string{"", "c", "cnosuchcase", "C" + id[1:], id + "a", "c\x00" + id[2:], "c!" + id[2:], "c1" + id[2:]} {
		require.False(t, ValidCaseID(bad), "ValidCaseID(%q)", bad)
	}
}

func TestCanonicalCaseNumber(t *testing.T) {
	const canonical = "（2026）黔2301民诉前调88号"
	for _, typed := range []string{
		canonical,
		"  （2026）黔2301民诉前调88号 ",
		"(2026)黔2301民诉前调88号",
		"（２０２６）黔２３０１民诉前调８８号",
		"〔2026〕黔2301民诉前调88号",
		"[2026] 黔2301 民诉前调 88号",
		"（2026）黔2301民诉前调88号\u3000",
	} {
		require.Equal(t, canonical, CanonicalCaseNumber(typed), "typed %q", typed)
		require.Equal(t, CaseID(canonical), CaseID(typed), "typed %q names the same case", typed)
	}
	require.Equal(t, "cwlcatikwygowti5f", CaseID(canonical), "ids of numbers already in canonical form do not change")
}
