// Package casetime maps real time onto case time, the legal calendar time in
// which a case's deadlines are counted.
//
// In production one real second is one case second (Scale 1). For demos,
// acceptance runs and benchmarks the same workflows run under a compressed
// clock (Scale 86400 makes one legal day pass per real second) so that a
// five-year enforcement case can be watched end to end. The mapping is part
// of a workflow's input, so replay computes exactly the same case times.
package casetime

import (
	"fmt"
	"time"
)

// Clock is the mapping between real time and case time for one case: case
// time advances Scale times as fast as real time, and CaseEpoch is the case
// time at the real instant RealEpoch.
type Clock struct {
	Scale     int64     `json:"scale"`
	RealEpoch time.Time `json:"real_epoch"`
	CaseEpoch time.Time `json:"case_epoch"`
}

// MaxScale bounds compression at one legal year per real second: a legal
// day still lasts about 3 ms, above the timer resolution of the server.
const MaxScale = 31_536_000

// New returns a clock that starts now in both times, running at scale.
func New(scale int64, now time.Time) (Clock, error) {
	c := Clock{Scale: scale, RealEpoch: now, CaseEpoch: now}
	return c, c.Validate()
}

// Started returns the clock a case runs on from the real instant now, the
// workflow's own start time. A clock given only its scale starts case time
// at now; one also given a CaseEpoch (a case entered after the fact, opened
// on an earlier legal date) maps now to that case time. A clock already
// started is returned as it is, so a case continued as new keeps its time.
func (c Clock) Started(now time.Time) Clock {
	if !c.RealEpoch.IsZero() {
		return c
	}
	if c.Scale == 0 {
		c.Scale = 1
	}
	c.RealEpoch = now
	if c.CaseEpoch.IsZero() {
		c.CaseEpoch = now
	}
	return c
}

// Validate reports whether the clock can be used.
func (c Clock) Validate() error {
	if c.Scale < 1 || c.Scale > MaxScale {
		return fmt.Errorf("time scale %d out of range 1..%d", c.Scale, MaxScale)
	}
	if c.RealEpoch.IsZero() || c.CaseEpoch.IsZero() {
		return fmt.Errorf("time scale epochs not set")
	}
	return nil
}

// CaseTime returns the case time at the real instant real.
func (c Clock) CaseTime(real time.Time) time.Time {
	d := real.Sub(c.RealEpoch)
	// Split into whole seconds and the rest so that multiplying by the scale
	// cannot overflow time.Duration over years of case time.
	secs, rest := int64(d/time.Second), int64(d%time.Second)
	return c.CaseEpoch.Add(time.Duration(secs*c.Scale) * time.Second).Add(time.Duration(rest * c.Scale))
}

// RealTime returns the real instant at which case time reaches caseAt.
func (c Clock) RealTime(caseAt time.Time) time.Time {
	return c.RealEpoch.Add(c.RealDuration(caseAt.Sub(c.CaseEpoch)))
}

// RealDuration returns how long real time takes for caseDur of case time to
// pass, rounded up so that a timer never fires before its case deadline.
func (c Clock) RealDuration(caseDur time.Duration) time.Duration {
	if caseDur <= 0 {
		return 0
	}
	s := time.Duration(c.Scale)
	return (caseDur + s - 1) / s
}
