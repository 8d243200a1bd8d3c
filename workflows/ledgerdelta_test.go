package workflows

import (
	"slices"

	"github.com/casework/casework/db"
)

// planStore keeps plans as the plans read model does (db.RecordPlan), for
// the harnesses: a write at a version no newer than the stored one changes
// nothing; a newer one replaces the header and upserts the lines it
// carries by number, keeping the others. Since writes carry only changed
// lines, the last write alone is no longer the ledger.
type planStore map[string]db.Plan

func (s planStore) record(p db.Plan) {
	stored, ok := s[p.PlanID]
	if ok && stored.Version >= p.Version {
		return
	}
	lines := slices.Clone(stored.Installments)
	for _, l := range p.Installments {
		i := slices.IndexFunc(lines, func(m db.PlanInstallment) bool { return m.No == l.No })
		if i < 0 {
			lines = append(lines, l)
			continue
		}
		lines[i] = l
	}
	slices.SortFunc(lines, func(a, b db.PlanInstallment) int { return a.No - b.No })
	p.Installments = lines
	s[p.PlanID] = p
}
