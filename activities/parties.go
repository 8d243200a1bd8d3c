package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/casework/casework/db"
)

// PartySidesInput asks for the sides of some parties in a case's staged
// party list.
type PartySidesInput struct {
	List db.PartyList `json:"list"`
	IDs  []string     `json:"ids"`
}

// PartySides answers, for each ID asked, its side in the case's staged
// party list, or "" when it is not a party: a workflow whose parties
// travel by reference checks the parties a command names with it, and the
// answer holds those few, not the list. A list altered in the store is a
// non-retryable error, which the workflow refuses the command on.
func (r *Recorder) PartySides(ctx context.Context, in PartySidesInput) ([]string, error) {
	sides, err := r.Store.PartySides(ctx, in.List, in.IDs)
	if errors.Is(err, db.ErrPartyListAltered) {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "party_list_altered", err)
	}
	return sides, err
}

// PartyListMembers reads a case's staged party list whole, checked against
// its digest: a dispute converted into a case of another process names its
// parties from it (an intake's parties, at most 200).
func (r *Recorder) PartyListMembers(ctx context.Context, l db.PartyList) ([]db.PartyListMember, error) {
	ms, err := r.Store.PartyListMembers(ctx, l)
	if errors.Is(err, db.ErrPartyListAltered) {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "party_list_altered", err)
	}
	return ms, err
}
