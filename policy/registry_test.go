package policy

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestRegistryFallback(t *testing.T) {
	r := mustDefault(t)
	require.Equal(t, []string{"CN", "CN-52-QXN"}, r.Jurisdictions())

	tests := []struct {
		ask          string
		wantPolicy   string
		wantCalendar string
	}{
		{"CN", "CN", "CN"},
		{"CN-52-QXN", "CN-52-QXN", "CN-52-QXN"},
		{"CN-52-QXN-XY", "CN-52-QXN", "CN-52-QXN"},
		{"CN-52", "CN", "CN"},
		{"CN-52-ABC", "CN", "CN"},
		{"cn-52-qxn", "CN-52-QXN", "CN-52-QXN"},
	}
	for _, tt := range tests {
		t.Run(tt.ask, func(t *testing.T) {
			pol, err := r.Policy(tt.ask)
			require.NoError(t, err)
			require.Equal(t, tt.wantPolicy, pol.Jurisdiction, "Policy(%q): got %s, want %s", tt.ask, pol.Jurisdiction, tt.wantPolicy)
			cal, err := r.Calendar(tt.ask)
			require.NoError(t, err)
			require.Equal(t, tt.wantCalendar, cal.Jurisdiction(), "Calendar(%q): got %s, want %s", tt.ask, cal.Jurisdiction(), tt.wantCalendar)
		})
	}

	for _, ask := range []string{"US", "US-CA", "", "-", "XX-CN"} {
		_, err := r.Policy(ask)
		require.ErrorIs(t, err, ErrUnknownJurisdiction, "Policy(%q)", ask)
		_, err = r.Calendar(ask)
		require.ErrorIs(t, err, ErrUnknownJurisdiction, "Calendar(%q)", ask)
		_, err = r.Deadline(ask, d(t, "2026-03-10"), Days(15))
		require.ErrorIs(t, err, ErrUnknownJurisdiction, "Deadline(%q)", ask)
	}
}

func TestRegistryInheritance(t *testing.T) {
	r := mustDefault(t)
	cn, err := r.Policy("CN")
	require.NoError(t, err)
	qxn, err := r.Policy("CN-52-QXN")
	require.NoError(t, err)

	require.Equal(t, "CN", qxn.Parent)
	require.Equal(t, "P30D", qxn.Mediation.Extension.String(), "overridden: got %s, want P30D", qxn.Mediation.Extension)
	require.Equal(t, "P15D", cn.Mediation.Extension.String(), "parent unchanged: got %s, want P15D", cn.Mediation.Extension)

	// Everything else is inherited.
	qxn.Mediation.Extension = cn.Mediation.Extension
	qxn.Jurisdiction, qxn.Parent, qxn.Name, qxn.Notes = cn.Jurisdiction, cn.Parent, cn.Name, cn.Notes
	require.Equal(t, cn, qxn)

	// Callers get copies; changing one must not change the registry.
	cn.FollowUps[0] = Days(1)
	cn.Enforcement.FreezeTerms[AssetMovable] = Days(1)
	again, err := r.Policy("CN")
	require.NoError(t, err)
	require.Equal(t, Days(30), again.FollowUps[0])
	require.Equal(t, Years(2), again.Enforcement.FreezeTerms[AssetMovable])
}

// writeFiles creates files (path relative to dir -> content) in a new
// temporary directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	}
	return dir
}

var policy3Attempts = NoticePolicy{Attempts: 3, FirstRetrySeconds: 30, MaxRetrySeconds: 3600, AttemptTimeoutSeconds: 30}

func TestLoadDirOverride(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		// Only one period changes; everything else keeps the default.
		"policies/CN.json": `{"jurisdiction": "CN", "payment_order": {"objection_period": "P20D"}}`,
		// A new province inherits from CN through its code prefix.
		"policies/CN-52.json": `{"jurisdiction": "CN-52", "mediation": {"period": "P45D"}, "notices": {"attempts": 3}}`,
		// A new year of national data.
		"calendars/CN-2027.json": `{"year": 2027, "source": "test", "holidays": [{"date": "2027-01-01", "name": "元旦"}], "workdays": []}`,
		// Replaces the embedded 2026 data: 25 March becomes a rest day.
		"calendars/CN-2026.json": `{"year": 2026, "source": "test override", "holidays": [{"date": "2026-03-25", "name": "test"}], "workdays": []}`,
		"README.txt":             "ignored",
	})
	r, err := LoadDir(dir)
	require.NoError(t, err)
	require.Equal(t, []string{"CN", "CN-52", "CN-52-QXN"}, r.Jurisdictions())

	tests := []struct {
		jurisdiction string
		get          func(Policy) Period
		want         string
	}{
		{"CN", func(p Policy) Period { return p.PaymentOrder.ObjectionPeriod }, "P20D"},
		{"CN", func(p Policy) Period { return p.Mediation.Period }, "P30D"},
		{"CN", func(p Policy) Period { return p.Enforcement.ApplicationWindow }, "P2Y"},
		{"CN-52", func(p Policy) Period { return p.Mediation.Period }, "P45D"},
		{"CN-52", func(p Policy) Period { return p.PaymentOrder.ObjectionPeriod }, "P20D"},
		{"CN-52-XYZ", func(p Policy) Period { return p.Mediation.Period }, "P45D"},
		{"CN-52-QXN", func(p Policy) Period { return p.PaymentOrder.ObjectionPeriod }, "P20D"},
		{"CN-52-QXN", func(p Policy) Period { return p.Mediation.Period }, "P30D"}, // its parent is CN, not CN-52
	}
	for _, tt := range tests {
		pol, err := r.Policy(tt.jurisdiction)
		require.NoError(t, err)
		got := tt.get(pol)
		require.Equal(t, tt.want, got.String(), "%s: got %s, want %s", tt.jurisdiction, got, tt.want)
	}
	pol, err := r.Policy("CN-52")
	require.NoError(t, err)
	require.Equal(t, "CN", pol.Parent)
	// The delivery rule is inherited field by field: CN-52 sets only the
	// attempts, its subdivisions inherit them, CN-52-QXN (parent CN) not.
	require.Equal(t, policy3Attempts, pol.Notices)
	sub, err := r.Policy("CN-52-XYZ")
	require.NoError(t, err)
	require.Equal(t, policy3Attempts, sub.Notices)
	qxn, err := r.Policy("CN-52-QXN")
	require.NoError(t, err)
	require.Equal(t, 16, qxn.Notices.Attempts)

	cn, err := r.Calendar("CN")
	require.NoError(t, err)
	require.True(t, cn.Covers(2027))
	require.True(t, cn.IsRestDay(d(t, "2027-01-01")))
	require.True(t, cn.IsRestDay(d(t, "2026-03-25")), "override of 2026 applies")
	require.False(t, cn.IsRestDay(d(t, "2026-10-01")), "override replaces the whole year")
	got, err := r.Deadline("CN-52-QXN", d(t, "2026-03-10"), Days(15))
	require.NoError(t, err)
	require.Equal(t, "2026-03-26", got.String(), "child calendars see the overridden parent: got %s", got)

	// The embedded defaults are untouched.
	def, err := mustDefault(t).Policy("CN")
	require.NoError(t, err)
	require.Equal(t, "P15D", def.PaymentOrder.ObjectionPeriod.String())
}

func TestLoadDirRejectsInvalidFiles(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{"malformed JSON", map[string]string{"policies/CN.json": `{"jurisdiction": "CN",`}, "policies/CN.json"},
		{"unknown field", map[string]string{"policies/CN.json": `{"jurisdiction": "CN", "payment_order": {"objection_periods": "P20D"}}`}, `unknown field "objection_periods"`},
		{"bad notice rule", map[string]string{"policies/CN-11.json": `{"jurisdiction": "CN-11", "notices": {"max_retry_seconds": 5}}`}, "shorter than first_retry_seconds"},
		{"bad period", map[string]string{"policies/CN.json": `{"jurisdiction": "CN", "payment_order": {"objection_period": "15 days"}}`}, "invalid period"},
		{"trailing data", map[string]string{"policies/CN.json": `{"jurisdiction": "CN"} {}`}, "trailing data"},
		{"name mismatch", map[string]string{"policies/CN-11.json": `{"jurisdiction": "CN-12"}`}, "does not match file name"},
		{"missing jurisdiction", map[string]string{"policies/CN-11.json": `{}`}, "jurisdiction is required"},
		{"validation after inheritance", map[string]string{"policies/CN-11.json": `{"jurisdiction": "CN-11", "performance": {"reminder_offsets": ["P1D", "P7D"]}}`}, "strictly decreasing"},
		{"root policy incomplete", map[string]string{"policies/HK.json": `{"jurisdiction": "HK"}`}, "mediation.period: required"},
		{"unknown parent", map[string]string{"policies/CN-11.json": `{"jurisdiction": "CN-11", "parent": "XX"}`}, `parent "XX"`},
		{"parent cycle", map[string]string{
			"policies/CN-11.json": `{"jurisdiction": "CN-11", "parent": "CN-12"}`,
			"policies/CN-12.json": `{"jurisdiction": "CN-12", "parent": "CN-11"}`,
		}, "parent cycle"},
		{"holiday and workday", map[string]string{"calendars/CN-2027.json": `{"year": 2027, "source": "s", "holidays": [{"date": "2027-01-02", "name": "a"}], "workdays": [{"date": "2027-01-02", "name": "b"}]}`}, "both as holiday and as workday"},
		{"date outside year", map[string]string{"calendars/CN-2027.json": `{"year": 2027, "source": "s", "holidays": [{"date": "2026-12-31", "name": "a"}]}`}, "outside year 2027"},
		{"file name year mismatch", map[string]string{"calendars/CN-2027.json": `{"year": 2026, "source": "s"}`}, "file name says 2027 but year is 2026"},
		{"duplicate year", map[string]string{
			"calendars/CN-2027.json":    `{"year": 2027, "source": "s"}`,
			"calendars/extra-2027.json": `{"jurisdiction": "CN", "year": 2027, "source": "s"}`,
		}, "given by more than one file"},
		{"bad date", map[string]string{"calendars/CN-2027.json": `{"year": 2027, "source": "s", "holidays": [{"date": "2027-02-30", "name": "a"}]}`}, "invalid date"},
		{"no jurisdiction", map[string]string{"calendars/holidays.json": `{"year": 2027, "source": "s"}`}, "name the file JURISDICTION-YEAR.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadDir(writeFiles(t, tt.files))
			require.Error(t, err)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}

	_, err := LoadDir(filepath.Join(t.TempDir(), "missing"))
	require.Error(t, err)
}

func TestLoad(t *testing.T) {
	cnPolicy, err := embedded.ReadFile("data/policies/CN.json")
	require.NoError(t, err)
	fsys := fstest.MapFS{
		"policies/CN.json":       {Data: cnPolicy},
		"calendars/CN-2031.json": {Data: []byte(`{"year": 2031, "source": "s", "holidays": [{"date": "2031-01-01", "name": "元旦"}]}`)},
	}
	r, err := Load(fsys)
	require.NoError(t, err)
	require.Equal(t, []string{"CN"}, r.Jurisdictions())
	cal, err := r.Calendar("CN-52")
	require.NoError(t, err)
	require.True(t, cal.Covers(2031))
	require.False(t, cal.Covers(2026), "Load does not include the embedded defaults")

	// Without the embedded CN policy the example child has no parent.
	qxn, err := embedded.ReadFile("data/policies/CN-52-QXN.json")
	require.NoError(t, err)
	_, err = Load(fstest.MapFS{"policies/CN-52-QXN.json": {Data: qxn}})
	require.ErrorIs(t, err, ErrUnknownJurisdiction)
}

// arrangement2027 is a test fixture shaped like a State Council notice for
// 2027; it is not the real one, which is not published yet.
func arrangement2027(t *testing.T) CalendarYear {
	t.Helper()
	y := CalendarYear{Jurisdiction: "CN", Year: 2027, Source: "TEST FIXTURE, not a State Council notice"}
	y.Holidays = StatutoryHolidays(2027)
	// Bridge Friday 2027-01-01 to Monday 4 January, made up on Saturday 9.
	y.Holidays = append(y.Holidays, Holiday{Date: d(t, "2027-01-04"), Name: "元旦"})
	y.Workdays = []Holiday{{Date: d(t, "2027-01-09"), Name: "元旦调休上班"}}
	return y
}

func TestRegistryWithCalendars(t *testing.T) {
	r := mustDefault(t)
	before, err := r.Deadline("CN", d(t, "2026-12-02"), Days(30))
	require.NoError(t, err)
	require.Equal(t, "2027-01-04", before.String(), "provisional: New Year's Day and the weekend")

	pub, err := r.WithCalendars(arrangement2027(t))
	require.NoError(t, err)
	cn, err := pub.Calendar("CN")
	require.NoError(t, err)
	require.Equal(t, Official, cn.Status(2027))
	after, err := pub.Deadline("CN", d(t, "2026-12-02"), Days(30))
	require.NoError(t, err)
	require.Equal(t, "2027-01-05", after.String(), "official: the published bridge day too")
	require.False(t, cn.IsRestDay(d(t, "2027-01-09")), "published make-up Saturday")

	// The prefecture inherits the published national year but has not
	// published its own 2027 days, so it is still provisional there.
	qxn, err := pub.Calendar("CN-52-QXN")
	require.NoError(t, err)
	require.Equal(t, Provisional, qxn.Status(2027))
	require.True(t, qxn.IsRestDay(d(t, "2027-01-04")))

	old, err := r.Calendar("CN")
	require.NoError(t, err)
	require.Equal(t, Provisional, old.Status(2027), "WithCalendars must not modify r")

	_, err = r.WithCalendars(arrangement2027(t), arrangement2027(t))
	require.ErrorIs(t, err, ErrInvalidCalendar)
}

func TestCheckPublication(t *testing.T) {
	r := mustDefault(t)
	h := func(s, name string) Holiday { return Holiday{Date: d(t, s), Name: name} }
	missing := arrangement2027(t)
	missing.Holidays = slices.DeleteFunc(slices.Clone(missing.Holidays), func(x Holiday) bool { return x.Name == MidAutumn })
	both := arrangement2027(t)
	both.Workdays = append(both.Workdays, h("2027-01-01", "调休"))
	outside := arrangement2027(t)
	outside.Holidays = append(outside.Holidays, h("2028-01-01", "元旦"))
	tests := []struct {
		name    string
		year    CalendarYear
		wantErr string
	}{
		{"complete national arrangement", arrangement2027(t), ""},
		{"statutory day missing", missing, "2027-09-15 (中秋节) is not listed"},
		{"holiday and make-up day at once", both, "both as holiday and as workday"},
		{"date outside the year", outside, "outside year 2027"},
		{"local festival", CalendarYear{Jurisdiction: "CN-52-QXN", Year: 2027, Source: "test", Holidays: []Holiday{h("2027-04-09", "三月三")}}, ""},
		{"local make-up day on a statutory holiday", CalendarYear{Jurisdiction: "CN-52-QXN", Year: 2027, Source: "test", Workdays: []Holiday{h("2027-05-01", "x")}}, "statutory holiday"},
		{"bad jurisdiction", CalendarYear{Jurisdiction: "china", Year: 2027, Source: "test"}, "not a code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.CheckPublication(tt.year)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidCalendar)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestParseCalendarFile(t *testing.T) {
	y, err := ParseCalendarFile("notices/CN-2027.json", []byte(`{"year": 2027, "source": "s", "holidays": [{"date": "2027-01-01", "name": "元旦"}]}`))
	require.NoError(t, err)
	require.Equal(t, "CN", y.Jurisdiction, "taken from the file name")
	_, err = ParseCalendarFile("CN-2027.json", []byte(`{"year": 2026, "source": "s"}`))
	require.ErrorContains(t, err, "file name says 2027")
	_, err = ParseCalendarFile("x.json", []byte(`{"year": 2027, "sorce": "s"}`))
	require.ErrorIs(t, err, ErrInvalidCalendar, "unknown field")
	_, err = ParseCalendarFile("x.json", []byte(`{"year": 2027} {}`))
	require.ErrorContains(t, err, "trailing data")
}
