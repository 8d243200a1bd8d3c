package policy

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakePublished is a calendars table in memory that counts its loads.
type fakePublished struct {
	version int64
	years   []CalendarYear
	loads   int
}

func (f *fakePublished) CalendarVersion(context.Context) (int64, error) { return f.version, nil }

func (f *fakePublished) CalendarsInForce(context.Context) ([]CalendarYear, int64, error) {
	f.loads++
	return f.years, f.version, nil
}

func TestLiveRebuildsOnNewVersion(t *testing.T) {
	ctx := context.Background()
	pub := &fakePublished{}
	live := &Live{Base: mustDefault(t), Published: pub}

	r, v, err := live.Registry(ctx)
	require.NoError(t, err)
	require.Zero(t, v)
	require.Same(t, live.Base, r, "nothing published: the files alone")

	pub.version, pub.years = 7, []CalendarYear{arrangement2027(t)}
	r1, v, err := live.Registry(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 7, v)
	cn, err := r1.Calendar("CN")
	require.NoError(t, err)
	require.Equal(t, Official, cn.Status(2027))

	r2, _, err := live.Registry(ctx)
	require.NoError(t, err)
	require.Same(t, r1, r2, "same version: the cached registry")
	require.Equal(t, 1, pub.loads)

	pub.version = 8
	_, _, err = live.Registry(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, pub.loads, "a new version is loaded once")

	static := &Live{Base: mustDefault(t)}
	r, v, err = static.Registry(ctx)
	require.NoError(t, err)
	require.Zero(t, v)
	require.Same(t, static.Base, r)
}

// brokenPublished is a calendars table that cannot be read.
type brokenPublished struct{ fakePublished }

func (b *brokenPublished) CalendarVersion(context.Context) (int64, error) {
	if b.version < 0 {
		return 0, context.DeadlineExceeded
	}
	return b.version, nil
}

func TestLiveLast(t *testing.T) {
	ctx := context.Background()
	pub := &brokenPublished{fakePublished{version: 3, years: []CalendarYear{arrangement2027(t)}}}
	live := &Live{Base: mustDefault(t), Published: pub}
	r, v := live.Last()
	require.Same(t, live.Base, r, "before any read: the files")
	require.Zero(t, v)
	read, _, err := live.Registry(ctx)
	require.NoError(t, err)
	pub.version = -1
	_, _, err = live.Registry(ctx)
	require.Error(t, err)
	r, v = live.Last()
	require.Same(t, read, r, "the last registry read")
	require.EqualValues(t, 3, v)
}
