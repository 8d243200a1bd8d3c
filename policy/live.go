package policy

import (
	"context"
	"fmt"
	"sync"
)

// PublishedCalendars is where the arrangements published after the
// registry's files were written are kept (casework's calendars table).
type PublishedCalendars interface {
	// CalendarVersion returns the version of the latest publication; 0
	// when nothing is published.
	CalendarVersion(ctx context.Context) (int64, error)
	// CalendarsInForce returns the arrangement in force of every
	// published jurisdiction and year, and the version they are as of.
	CalendarsInForce(ctx context.Context) ([]CalendarYear, int64, error)
}

// Live is the registry in force: Base with the published calendars laid
// over it (see Registry.WithCalendars). Each lookup asks Published for its
// version, one small query, and rebuilds the registry only when that
// version has changed, so a calendar published while the worker runs is
// the one the next lookup uses. It is safe for concurrent use.
type Live struct {
	Base      *Registry
	Published PublishedCalendars // nil: Base alone, version 0

	mu      sync.Mutex
	version int64
	reg     *Registry
}

// Registry returns the registry in force and the calendar version it is
// as of.
func (l *Live) Registry(ctx context.Context) (*Registry, int64, error) {
	if l.Published == nil {
		return l.Base, 0, nil
	}
	v, err := l.Published.CalendarVersion(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("policy: published calendars: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.reg != nil && l.version == v {
		return l.reg, v, nil
	}
	if v == 0 {
		l.reg, l.version = l.Base, 0
		return l.Base, 0, nil
	}
	years, v, err := l.Published.CalendarsInForce(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("policy: published calendars: %w", err)
	}
	reg, err := l.Base.WithCalendars(years...)
	if err != nil {
		return nil, 0, fmt.Errorf("policy: published calendars as of version %d: %w", v, err)
	}
	l.reg, l.version = reg, v
	return reg, v, nil
}

// Last returns the registry the latest successful Registry call returned,
// or Base before any, without asking Published: for a caller that must
// answer while the database is unreachable.
func (l *Live) Last() (*Registry, int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.reg == nil {
		return l.Base, 0
	}
	return l.reg, l.version
}
