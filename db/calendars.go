package db

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/casework/casework/db/dbq"
	"github.com/casework/casework/policy"
)

// ErrConflict is returned when a write loses a race with another one; the
// caller may try again.
var ErrConflict = errors.New("conflict")

// PublishedCalendar is one published revision of a jurisdiction's holiday
// arrangement for a year.
type PublishedCalendar struct {
	// Version numbers every publication, of any jurisdiction and year, in
	// the order they were made.
	Version int64 `json:"version"`
	// Revision numbers the publications of this jurisdiction and year: 1,
	// then 2 for a corrected notice, and so on. The latest is in force.
	Revision    int                 `json:"revision"`
	Arrangement policy.CalendarYear `json:"arrangement"`
	PublishedBy string              `json:"published_by"`
	PublishedAt time.Time           `json:"published_at"`
}

// PublishCalendar stores y as the next revision of its jurisdiction's year,
// published by by, and returns it with created true. When the revision in
// force already holds the same arrangement it stores nothing and returns
// that revision with created false, so publishing a notice twice is
// harmless. The caller validates y (policy.Registry.CheckPublication).
func (s *Store) PublishCalendar(ctx context.Context, y policy.CalendarYear, by string) (PublishedCalendar, bool, error) {
	y = canonicalYear(y)
	body, err := json.Marshal(y)
	if err != nil {
		return PublishedCalendar{}, false, fmt.Errorf("publish calendar: %w", err)
	}
	digest := sha256.Sum256(body)
	var out PublishedCalendar
	created := false
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		q := dbq.New(tx)
		cur, err := q.CalendarLatest(ctx, dbq.CalendarLatestParams{Jurisdiction: y.Jurisdiction, Year: int32(y.Year)})
		switch {
		case err == nil && bytes.Equal(cur.Digest, digest[:]):
			out, err = publishedFromRow(cur)
			return err
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		row, err := q.CalendarInsert(ctx, dbq.CalendarInsertParams{
			Jurisdiction: y.Jurisdiction, Year: int32(y.Year), Source: y.Source,
			Arrangement: body, Digest: digest[:], PublishedBy: by,
		})
		if err != nil {
			return err
		}
		created = true
		out, err = publishedFromRow(row)
		return err
	})
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "23505" {
		return PublishedCalendar{}, false, fmt.Errorf("publish calendar %s %d: %w: published by someone else at the same moment", y.Jurisdiction, y.Year, ErrConflict)
	}
	if err != nil {
		return PublishedCalendar{}, false, fmt.Errorf("publish calendar %s %d: %w", y.Jurisdiction, y.Year, err)
	}
	return out, created, nil
}

// canonicalYear orders a year's days by date, so that the same arrangement
// always encodes, and hashes, the same.
func canonicalYear(y policy.CalendarYear) policy.CalendarYear {
	byDate := func(a, b policy.Holiday) int { return a.Date.Compare(b.Date) }
	y.Holidays = slices.SortedStableFunc(slices.Values(y.Holidays), byDate)
	y.Workdays = slices.SortedStableFunc(slices.Values(y.Workdays), byDate)
	if y.Holidays == nil {
		y.Holidays = []policy.Holiday{}
	}
	if y.Workdays == nil {
		y.Workdays = []policy.Holiday{}
	}
	return y
}

func publishedFromRow(r dbq.Calendar) (PublishedCalendar, error) {
	var y policy.CalendarYear
	if err := json.Unmarshal(r.Arrangement, &y); err != nil {
		return PublishedCalendar{}, fmt.Errorf("calendar version %d: %w", r.Version, err)
	}
	return PublishedCalendar{
		Version: r.Version, Revision: int(r.Revision), Arrangement: y,
		PublishedBy: r.PublishedBy, PublishedAt: r.PublishedAt,
	}, nil
}

// CalendarVersion returns the version of the latest publication, 0 when
// nothing is published.
func (s *Store) CalendarVersion(ctx context.Context) (int64, error) {
	v, err := dbq.New(s.pool).CalendarVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("calendar version: %w", err)
	}
	return v, nil
}

// CalendarsInForce returns the arrangement in force of every published
// jurisdiction and year, and the version they are as of.
func (s *Store) CalendarsInForce(ctx context.Context) ([]policy.CalendarYear, int64, error) {
	rows, err := dbq.New(s.pool).CalendarListInForce(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("calendars in force: %w", err)
	}
	out := make([]policy.CalendarYear, 0, len(rows))
	var version int64
	for _, r := range rows {
		p, err := publishedFromRow(r)
		if err != nil {
			return nil, 0, fmt.Errorf("calendars in force: %w", err)
		}
		out = append(out, p.Arrangement)
		version = max(version, r.Version)
	}
	return out, version, nil
}

// CalendarHistory returns every published revision of a jurisdiction's
// year, newest (the one in force) first.
func (s *Store) CalendarHistory(ctx context.Context, jurisdiction string, year int) ([]PublishedCalendar, error) {
	rows, err := dbq.New(s.pool).CalendarHistory(ctx, dbq.CalendarHistoryParams{Jurisdiction: jurisdiction, Year: int32(year)})
	if err != nil {
		return nil, fmt.Errorf("calendar history %s %d: %w", jurisdiction, year, err)
	}
	out := make([]PublishedCalendar, 0, len(rows))
	for _, r := range rows {
		p, err := publishedFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ProvisionalCases counts the open cases of jurisdiction and its
// subdivisions whose pending deadline falls in year and was computed on a
// provisional calendar: those whose deadline a publication for that year
// may move. Deadlines already computed are not re-armed by publishing; the
// ledger's provisional filter lists these cases.
func (s *Store) ProvisionalCases(ctx context.Context, jurisdiction string, year int) (int64, error) {
	n, err := dbq.New(s.pool).CalendarProvisionalCases(ctx, dbq.CalendarProvisionalCasesParams{Year: int32(year), Jurisdiction: jurisdiction})
	if err != nil {
		return 0, fmt.Errorf("provisional cases %s %d: %w", jurisdiction, year, err)
	}
	return n, nil
}

// RearmTarget is one open case a publication is sent to: its workflow and
// the plans it has still performing.
type RearmTarget struct {
	CaseID     string   `json:"case_id"`
	WorkflowID string   `json:"workflow_id"`
	Plans      []string `json:"plans,omitempty"`
}

// RearmCandidates pages through the open cases of jurisdiction and its
// subdivisions after the case ID after, at most max; with openedSince set,
// only those opened since then.
func (s *Store) RearmCandidates(ctx context.Context, jurisdiction, after string, openedSince time.Time, max int) ([]RearmTarget, error) {
	p := dbq.CalendarRearmCandidatesParams{After: after, Jurisdiction: jurisdiction, Max: int32(max)}
	if !openedSince.IsZero() {
		p.OpenedSince = &openedSince
	}
	rows, err := dbq.New(s.pool).CalendarRearmCandidates(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("re-arm candidates %s after %q: %w", jurisdiction, after, err)
	}
	out := make([]RearmTarget, len(rows))
	for i, r := range rows {
		out[i] = RearmTarget{CaseID: r.ID, WorkflowID: r.WorkflowID, Plans: r.Plans}
	}
	return out, nil
}

// RearmProgress is how far re-arming the open cases after one publication
// has come.
type RearmProgress struct {
	Version      int64  `json:"version"`
	Jurisdiction string `json:"jurisdiction"`
	Year         int    `json:"year"`
	// Cases counts the case and plan workflows the publication was sent
	// to; Recounted those that counted a pending deadline again;
	// MovedCases those where one moved, Moved the deadlines moved; Closed
	// those that had closed meanwhile; Failed those that refused it or
	// failed after every retry.
	Cases      int `json:"cases"`
	Recounted  int `json:"recounted"`
	MovedCases int `json:"moved_cases"`
	Moved      int `json:"moved"`
	Closed     int `json:"closed"`
	Failed     int `json:"failed"`
	// Recent counts the cases sent the publication again in the last
	// pass, which goes over those opened from shortly before the re-arm
	// began: a case opened as it was published may have counted its
	// deadline on the calendar before and been written after the first
	// pass went by. LastPass is set while that pass runs.
	Recent   int    `json:"recent"`
	LastPass bool   `json:"last_pass"`
	Cursor   string `json:"cursor"`
	Done     bool   `json:"done"`
}

// SaveRearm records a re-arm's progress.
func (s *Store) SaveRearm(ctx context.Context, p RearmProgress) error {
	err := dbq.New(s.pool).CalendarRearmSave(ctx, dbq.CalendarRearmSaveParams{
		Version: p.Version, Jurisdiction: p.Jurisdiction, Year: int32(p.Year), Cases: int32(p.Cases),
		Recounted: int32(p.Recounted), MovedCases: int32(p.MovedCases), Moved: int32(p.Moved),
		Closed: int32(p.Closed), Failed: int32(p.Failed), Recent: int32(p.Recent), LastPass: p.LastPass, Cursor: p.Cursor, Done: p.Done})
	if err != nil {
		return fmt.Errorf("save re-arm %d: %w", p.Version, err)
	}
	return nil
}

// Rearm returns a re-arm's progress; ErrNotFound before its first page.
func (s *Store) Rearm(ctx context.Context, version int64) (RearmProgress, error) {
	r, err := dbq.New(s.pool).CalendarRearmGet(ctx, version)
	if errors.Is(err, pgx.ErrNoRows) {
		return RearmProgress{}, ErrNotFound
	}
	if err != nil {
		return RearmProgress{}, fmt.Errorf("re-arm %d: %w", version, err)
	}
	return RearmProgress{Version: r.Version, Jurisdiction: r.Jurisdiction, Year: int(r.Year), Cases: int(r.Cases),
		Recounted: int(r.Recounted), MovedCases: int(r.MovedCases), Moved: int(r.Moved), Closed: int(r.Closed),
		Failed: int(r.Failed), Recent: int(r.Recent), LastPass: r.LastPass, Cursor: r.Cursor, Done: r.Done}, nil
}
