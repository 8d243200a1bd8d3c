package web

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/casework/casework/documents"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// codeTable returns the keys of the code table ns in i18n.js.
func codeTable(t *testing.T, ns string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("static/i18n.js")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	start := strings.Index(src, "\n  "+ns+": {")
	if start < 0 {
		t.Fatalf("i18n.js has no %s table", ns)
	}
	end := strings.Index(src[start:], "\n  },")
	// A table on one line ends on it.
	if line := strings.Index(src[start+1:], "\n") + 1; strings.HasSuffix(src[start:start+line], "},") {
		end = line
	}
	if end < 0 {
		end = strings.Index(src[start:], "},\n")
	}
	keys := map[string]bool{}
	for _, m := range regexp.MustCompile(`(\w+): '`).FindAllStringSubmatch(src[start:start+end], -1) {
		keys[m[1]] = true
	}
	return keys
}

// workflowSource is the workflows package's code, tests left out.
func workflowSource(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob("../workflows/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflow sources: %v", err)
	}
	var all strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	return all.String()
}

// TestEveryStepAndNoticeKindInChinese checks that every step kind the
// workflows record and every notice kind they send has its Chinese words
// in i18n.js, so that a new kind cannot reach the timeline as a bare code.
func TestEveryStepAndNoticeKindInChinese(t *testing.T) {
	src := workflowSource(t)
	steps, notices := codeTable(t, "step"), codeTable(t, "notice_kind")

	var kinds []string
	for _, re := range []string{`Kind: "([a-z_]+)"[,}]`, `kind :?= "([a-z_]+)"`} {
		for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(src, -1) {
			kinds = append(kinds, m[1])
		}
	}
	// A wage case's escalation steps are "escalation_" and the policy's kind.
	if !strings.Contains(src, `"escalation_" + e.Kind`) {
		t.Fatal("the wage escalation steps are no longer named escalation_<kind>: update this test")
	}
	for _, k := range policy.EscalationKinds {
		kinds = append(kinds, "escalation_"+k)
	}
	slices.Sort(kinds)
	kinds = slices.Compact(kinds)
	if len(kinds) < 60 {
		t.Fatalf("found only %d step kinds; has the workflows' code changed shape?", len(kinds))
	}
	for _, k := range kinds {
		if !steps[k] {
			t.Errorf("step kind %s has no Chinese in i18n.js's step table", k)
		}
	}

	// Notice kinds: the Notice* constants, and a wage case's escalation
	// notices, named for their step.
	var kindsN []string
	for _, m := range regexp.MustCompile(`\bNotice[A-Za-z]+\s*=\s*"([a-z_]+)"`).FindAllStringSubmatch(src, -1) {
		kindsN = append(kindsN, m[1])
	}
	if len(kindsN) < 10 {
		t.Fatalf("found only %d notice kinds", len(kindsN))
	}
	kindsN = append(kindsN, policy.EscalationKinds...)
	for _, k := range kindsN {
		if !notices[k] {
			t.Errorf("notice kind %s has no Chinese in i18n.js's notice_kind table", k)
		}
	}
}

// TestIntakeAndBulkCodesInChinese checks that every code the intake and
// bulk pages show has its Chinese words in i18n.js: an intake dispute's
// stages, outcomes, channels, handler kinds, risk grades and urgency tiers,
// a batch row's stages, a batch's phases and the documents a row has.
func TestIntakeAndBulkCodesInChinese(t *testing.T) {
	reg, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := reg.Policy("CN")
	if err != nil {
		t.Fatal(err)
	}
	var tiers []string
	for _, tier := range pol.Intake.Tiers {
		tiers = append(tiers, tier.Name)
	}
	want := map[string][]string{
		"stage": {workflows.IntakeRegistered, workflows.IntakeDispatched, workflows.IntakeHandling, workflows.IntakeFollowingUp,
			workflows.IntakeAwaitingConversion, workflows.IntakeConverted, workflows.IntakeClosed},
		"outcome":         {workflows.IntakeResolved, workflows.IntakeNotResolved, workflows.IntakeNeedsCourt, workflows.IntakeConvertedOutcome, workflows.IntakeConvertedBoundaryOutcome},
		"review_decision": workflows.ReviewDecisions,
		"channel":         workflows.IntakeChannels,
		"handler_kind":    workflows.HandlerKinds,
		"risk":            policy.RiskGrades,
		"urgency":         tiers,
		"row": {workflows.RowWrittenOff, workflows.RowMediating, workflows.RowMediationFailed, workflows.RowUnreachable, workflows.RowResolved,
			workflows.RowPaymentOrder, workflows.RowObjected, workflows.RowEffective, workflows.RowFiled},
		"bulk_phase": {workflows.BulkScreening, workflows.BulkMediation, workflows.BulkObjection, workflows.BulkClosing, workflows.BulkDone},
		"document":   {documents.Notice, documents.Agreement, documents.PaymentOrder, documents.WriteOff},
	}
	for ns, codes := range want {
		table := codeTable(t, ns)
		if len(codes) == 0 {
			t.Errorf("no %s codes to check", ns)
		}
		for _, c := range codes {
			if !table[c] {
				t.Errorf("%s %s has no Chinese in i18n.js's %s table", ns, c, ns)
			}
		}
		// The stage and outcome tables hold every process's; the others
		// are these codes' alone.
		if ns != "stage" && ns != "outcome" && len(table) > len(codes) {
			t.Errorf("i18n.js's %s table has %d codes, more than the %d known: did it run into the next table?", ns, len(table), len(codes))
		}
	}
}
