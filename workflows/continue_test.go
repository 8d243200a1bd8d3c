package workflows

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/policy"
)

// TestMediationContinuesAsNewWithItsState lets Temporal suggest
// continue-as-new in the middle of a case: the workflow hands its whole
// state to the next run, which goes on where it stopped, numbering steps
// on from the last and keeping the extended deadline.
func TestMediationContinuesAsNewWithItsState(t *testing.T) {
	start := cst(2026, 3, 10)
	h := newHarness(t, start)
	// Extended on day 8, suggested on day 9: the case wakes for the
	// suggestion itself and continues as new at once.
	ext := h.at(day(8), UpdateExtendDeadline, ExtendCommand{Reason: "双方同意", Actor: mediator})
	h.env.RegisterDelayedCallback(func() { h.env.SetContinueAsNewSuggested(true) }, day(9))
	h.execute()

	require.NoError(t, ext.err)
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(h.env.GetWorkflowError(), &can), "got %v, want continue-as-new", h.env.GetWorkflowError())
	var next MediationInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.NotNil(t, next.State)
	require.Equal(t, StageMediating, next.State.Stage)
	require.Equal(t, policy.NewDate(2026, 4, 24), next.State.Deadline, "the extended deadline is carried")
	require.Equal(t, 1, next.State.ExtensionsUsed)
	require.Equal(t, 2, next.State.Journal.Seq)
	require.Empty(t, next.State.Journal.Pending, "every step was recorded before continuing")
	require.Equal(t, day(9), h.env.Now().Sub(start), "continued when suggested, without waiting for a command or timer")

	// The next run, started where the first stopped.
	h2 := newHarness(t, h.env.Now())
	h2.events = h.events
	second := h2.at(time.Hour, UpdateExtendDeadline, ExtendCommand{Reason: "再延", Actor: mediator})
	agreed := h2.at(day(5), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeAgreed,
		Terms: threeInstallments(policy.DateOf(h.env.Now()).AddDays(5)), Actor: mediator})
	h2.env.RegisterDelayedCallback(h2.env.CancelWorkflow, day(6))
	h2.env.ExecuteWorkflow(Mediation, next)
	requireRejected(t, second, RejectConflict)
	require.NoError(t, agreed.err)
	require.Equal(t, 3, agreed.view.Steps, "numbering goes on from the first run")
	require.Equal(t, []string{"delegated", "deadline_extended", "agreement_reached"}, h2.kinds())
}
