// Package tamper does to a case's audit trail what an insider with write
// access to the database could: the tests use it to show that verification
// catches each. Nothing outside tests imports it.
package tamper

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casework/casework/audit"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
)

type row struct {
	seq      int
	prevHash []byte
	event    casefile.Event
}

func readStream(ctx context.Context, pool *pgxpool.Pool, caseID, stream string) ([]row, error) {
	rows, err := pool.Query(ctx, `SELECT seq, kind, actor, role, real_at, case_at, case_on, reason, reason_code, data, prev_hash
		FROM case_events WHERE case_id = $1 AND stream = $2 ORDER BY seq`, caseID, stream)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		var r row
		var on time.Time
		var data []byte
		e := &r.event
		if err := rows.Scan(&r.seq, &e.Kind, &e.Actor.Subject, &e.Actor.Role, &e.RealAt, &e.CaseAt, &on,
			&e.Reason, &e.ReasonCode, &data, &r.prevHash); err != nil {
			return nil, err
		}
		e.CaseID, e.Stream, e.Seq, e.Data = caseID, stream, r.seq, json.RawMessage(data)
		e.RealAt, e.CaseAt = e.RealAt.UTC(), e.CaseAt.UTC()
		e.CaseOn = policy.NewDate(on.Year(), on.Month(), on.Day())
		out = append(out, r)
	}
	return out, rows.Err()
}

// ForgeAppend appends a step of kind to the stream, chained onto the last
// one with SHA-256 as the unkeyed chain was (the forger has no audit key),
// and returns its number.
func ForgeAppend(ctx context.Context, pool *pgxpool.Pool, caseID, stream, kind string, chain int) (int, error) {
	rows, err := readStream(ctx, pool, caseID, stream)
	if err != nil || len(rows) == 0 {
		return 0, fmt.Errorf("forge append: %d rows, %v", len(rows), err)
	}
	var prev []byte
	if err := pool.QueryRow(ctx, "SELECT hash FROM case_events WHERE case_id = $1 AND stream = $2 AND seq = $3",
		caseID, stream, len(rows)).Scan(&prev); err != nil {
		return 0, err
	}
	last := rows[len(rows)-1].event
	e := last
	e.Seq, e.Kind, e.Reason, e.Data = last.Seq+1, kind, "forged", json.RawMessage(`{}`)
	e.RealAt, e.CaseAt = last.RealAt.Add(time.Second), last.CaseAt.Add(time.Second)
	h, err := audit.LegacyHash(prev, e)
	if err != nil {
		return 0, err
	}
	_, err = pool.Exec(ctx, `INSERT INTO case_events (case_id, stream, seq, kind, actor, role, real_at, case_at, case_on,
		reason, reason_code, data, prev_hash, hash, chain) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
		caseID, stream, e.Seq, e.Kind, e.Actor.Subject, e.Actor.Role, e.RealAt, e.CaseAt, e.CaseOn.Start(),
		e.Reason, e.ReasonCode, []byte(e.Data), prev, h, chain)
	return e.Seq, err
}

// Rechain edits the reason of step seq (none when seq is 0) and recomputes the hash of it and
// every later step of the stream as a forger without the audit key can:
// with SHA-256, or with a key of their own when key is valid. With
// downgrade it also marks the steps as unkeyed and drops their summary
// digests, to pass them off as steps stored before the keyed chain.
func Rechain(ctx context.Context, pool *pgxpool.Pool, caseID, stream string, seq int, key audit.Key, downgrade bool) error {
	rows, err := readStream(ctx, pool, caseID, stream)
	if err != nil {
		return err
	}
	prev := rows[0].prevHash
	if downgrade {
		prev = audit.LegacyGenesis(caseID, stream)
	}
	for _, r := range rows {
		e := r.event
		if e.Seq == seq {
			e.Reason = "edited afterwards"
		}
		var h []byte
		if key.Valid() && !downgrade {
			h, err = key.StepMAC(prev, e, nil)
		} else {
			h, err = audit.LegacyHash(prev, e)
		}
		if err != nil {
			return err
		}
		q := "UPDATE case_events SET reason = $4, prev_hash = $5, hash = $6 WHERE case_id = $1 AND stream = $2 AND seq = $3"
		if downgrade {
			q = "UPDATE case_events SET reason = $4, prev_hash = $5, hash = $6, chain = 0, summary_digest = NULL WHERE case_id = $1 AND stream = $2 AND seq = $3"
		}
		if _, err := pool.Exec(ctx, q, caseID, stream, e.Seq, e.Reason, prev, h); err != nil {
			return err
		}
		prev = h
	}
	return nil
}

// AddParty lets subject read the case as one of its parties.
func AddParty(ctx context.Context, pool *pgxpool.Pool, caseID, subject string) error {
	_, err := pool.Exec(ctx, "UPDATE cases SET parties = array_append(parties, $2) WHERE id = $1", caseID, subject)
	return err
}

// MoveJurisdiction moves the case to another jurisdiction, so that courts
// and auditors there read it.
func MoveJurisdiction(ctx context.Context, pool *pgxpool.Pool, caseID, jurisdiction string) error {
	_, err := pool.Exec(ctx, "UPDATE cases SET jurisdiction = $2 WHERE id = $1", caseID, jurisdiction)
	return err
}

// DeleteLast deletes the last step of the stream and returns its number.
func DeleteLast(ctx context.Context, pool *pgxpool.Pool, caseID, stream string) (int, error) {
	var seq int
	err := pool.QueryRow(ctx, `DELETE FROM case_events WHERE case_id = $1 AND stream = $2
		AND seq = (SELECT max(seq) FROM case_events WHERE case_id = $1 AND stream = $2) RETURNING seq`, caseID, stream).Scan(&seq)
	return seq, err
}
