package policy

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ErrUnknownJurisdiction is wrapped by lookups that match no jurisdiction,
// not even along the code prefix.
var ErrUnknownJurisdiction = errors.New("unknown jurisdiction")

// embedded holds the built-in defaults, laid out like a Load directory.
//
//go:embed data/policies/*.json data/calendars/*.json
var embedded embed.FS

// yearSuffix matches the "-YYYY" that ends a calendar file's name.
var yearSuffix = regexp.MustCompile(`^(.+)-(\d{4})$`)

// Registry holds the policies and calendars of every known jurisdiction. It
// is immutable once loaded and safe for concurrent use.
type Registry struct {
	policies  map[string]Policy    // resolved and validated
	calendars map[string]*Calendar // one per known jurisdiction
	parents   map[string]string    // effective parent; "" for a root
	srcs      []source             // what it was built from, for WithCalendars
}

// source is the raw content of one fs.FS, before inheritance.
type source struct {
	policies  map[string]Policy
	calendars map[string]map[int]CalendarYear
}

var defaultRegistry = sync.OnceValues(func() (*Registry, error) {
	src, err := readEmbedded()
	if err != nil {
		return nil, err
	}
	return build(src)
})

// Default returns the registry of the embedded defaults only. The result is
// shared; it is immutable, so that is safe.
func Default() (*Registry, error) { return defaultRegistry() }

// Load returns a registry of the files policies/*.json and calendars/*.json
// in fsys (the layout of the embedded data directory), without the embedded
// defaults.
func Load(fsys fs.FS) (*Registry, error) {
	src, err := readSource("", fsys)
	if err != nil {
		return nil, err
	}
	return build(src)
}

// LoadDir returns a registry of the embedded defaults overlaid with the
// files under dir, so that a deployment can add jurisdictions or override
// single periods without copying the defaults. A policy file for a
// jurisdiction that already has one is merged field by field over it (zero
// fields keep the default); a calendar file replaces the default's data for
// the same jurisdiction and year.
func LoadDir(dir string) (*Registry, error) {
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("policy: %s is not a directory", dir)
	}
	base, err := readEmbedded()
	if err != nil {
		return nil, err
	}
	over, err := readSource(dir, os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	return build(base, over)
}

func readEmbedded() (source, error) {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		return source{}, err
	}
	return readSource("embedded", sub)
}

// readSource reads and checks every file of fsys on its own, reporting all
// bad files together so that a deployment can fix them in one pass.
func readSource(name string, fsys fs.FS) (source, error) {
	src := source{
		policies:  make(map[string]Policy),
		calendars: make(map[string]map[int]CalendarYear),
	}
	var errs []error
	fail := func(file string, err error) {
		errs = append(errs, fmt.Errorf("policy: %s: %w", path.Join(name, file), err))
	}

	files, _ := fs.Glob(fsys, "policies/*.json") // the pattern is valid
	for _, f := range files {
		var p Policy
		if err := decodeFile(fsys, f, &p); err != nil {
			fail(f, fmt.Errorf("%w: %w", ErrInvalidPolicy, err))
			continue
		}
		stem := strings.TrimSuffix(path.Base(f), ".json")
		switch {
		case p.Jurisdiction == "":
			fail(f, fmt.Errorf("%w: jurisdiction is required", ErrInvalidPolicy))
		case p.Jurisdiction != stem:
			fail(f, fmt.Errorf("%w: jurisdiction %q does not match file name %q", ErrInvalidPolicy, p.Jurisdiction, stem))
		case !jurisdictionPattern.MatchString(p.Jurisdiction):
			fail(f, fmt.Errorf("%w: jurisdiction %q is not a code like CN-52", ErrInvalidPolicy, p.Jurisdiction))
		default:
			src.policies[p.Jurisdiction] = p
		}
	}

	files, _ = fs.Glob(fsys, "calendars/*.json")
	for _, f := range files {
		var y CalendarYear
		if err := decodeFile(fsys, f, &y); err != nil {
			fail(f, fmt.Errorf("%w: %w", ErrInvalidCalendar, err))
			continue
		}
		// The file name "CN-2026.json" supplies a missing jurisdiction and
		// must agree with the year inside, which catches last year's file
		// copied without updating.
		stem := strings.TrimSuffix(path.Base(f), ".json")
		if m := yearSuffix.FindStringSubmatch(stem); m != nil {
			if y.Jurisdiction == "" {
				y.Jurisdiction = m[1]
			}
			if fy, _ := strconv.Atoi(m[2]); fy != y.Year {
				fail(f, fmt.Errorf("%w: file name says %d but year is %d", ErrInvalidCalendar, fy, y.Year))
				continue
			}
		}
		if !jurisdictionPattern.MatchString(y.Jurisdiction) {
			fail(f, fmt.Errorf("%w: jurisdiction %q is not a code like CN-52 (set it or name the file JURISDICTION-YEAR.json)", ErrInvalidCalendar, y.Jurisdiction))
			continue
		}
		if err := y.Validate(); err != nil {
			fail(f, err)
			continue
		}
		years := src.calendars[y.Jurisdiction]
		if years == nil {
			years = make(map[int]CalendarYear)
			src.calendars[y.Jurisdiction] = years
		}
		if _, dup := years[y.Year]; dup {
			fail(f, fmt.Errorf("%w: %s year %d is given by more than one file", ErrInvalidCalendar, y.Jurisdiction, y.Year))
			continue
		}
		years[y.Year] = y
	}
	return src, errors.Join(errs...)
}

// decodeFile decodes one JSON document strictly: unknown fields and
// trailing data are errors, because a misspelt key would otherwise silently
// fall back to an inherited period.
func decodeFile(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON document")
	}
	return nil
}

// build merges the sources in order (later ones override earlier ones),
// resolves inheritance and validates every policy and calendar.
func build(srcs ...source) (*Registry, error) {
	raw := make(map[string]Policy)
	years := make(map[string]map[int]CalendarYear)
	for _, s := range srcs {
		for j, p := range s.policies {
			if base, ok := raw[j]; ok {
				parent := p.Parent
				p = p.inherit(base)
				if parent == "" {
					p.Parent = base.Parent
				}
			}
			raw[j] = p
		}
		for j, ys := range s.calendars {
			if years[j] == nil {
				years[j] = make(map[int]CalendarYear)
			}
			maps.Copy(years[j], ys)
		}
	}

	known := func(j string) bool {
		_, p := raw[j]
		_, c := years[j]
		return p || c
	}
	r := &Registry{
		policies:  make(map[string]Policy),
		calendars: make(map[string]*Calendar),
		parents:   make(map[string]string),
		srcs:      srcs,
	}
	var errs []error
	for j := range raw {
		r.parents[j] = ""
	}
	for j := range years {
		r.parents[j] = ""
	}
	for j := range r.parents {
		if p := raw[j].Parent; p != "" {
			if !known(p) {
				errs = append(errs, fmt.Errorf("policy: %s: %w: parent %q", j, ErrUnknownJurisdiction, p))
			}
			r.parents[j] = p
			continue
		}
		for a := prefixParent(j); a != ""; a = prefixParent(a) {
			if known(a) {
				r.parents[j] = a
				break
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	jurisdictions := slices.Sorted(maps.Keys(r.parents))
	for _, j := range jurisdictions {
		chain, err := r.chain(j)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// Calendars are built root first, each layer extending its parent.
		var cal *Calendar
		for _, a := range slices.Backward(chain) {
			if c := r.calendars[a]; c != nil {
				cal = c
				continue
			}
			ys := slices.SortedFunc(maps.Values(years[a]), func(x, y CalendarYear) int { return x.Year - y.Year })
			if cal == nil && a == nationalRulesOf {
				// The national calendar knows the statutory holidays of
				// the years not yet published.
				cal = &Calendar{rules: true}
			}
			c, err := cal.Extend(a, ys...)
			if err != nil {
				errs = append(errs, fmt.Errorf("policy: calendar %s: %w", a, err))
				break
			}
			r.calendars[a], cal = c, c
		}
		p, ok := raw[j]
		if !ok {
			continue
		}
		for _, a := range chain[1:] {
			if pp, ok := raw[a]; ok {
				p = p.inherit(pp)
			}
		}
		p.Parent = r.parents[j]
		if err := p.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("policy: %w", err))
			continue
		}
		r.policies[j] = p
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// chain returns j followed by its ancestors, nearest first.
func (r *Registry) chain(j string) ([]string, error) {
	chain := []string{j}
	for a := r.parents[j]; a != ""; a = r.parents[a] {
		if slices.Contains(chain, a) {
			return nil, fmt.Errorf("policy: %w: parent cycle %s", ErrInvalidPolicy, strings.Join(append(chain, a), " -> "))
		}
		chain = append(chain, a)
	}
	return chain, nil
}

// prefixParent returns the code prefix of j ("CN-52" for "CN-52-QXN"), or
// "" for a top-level code.
func prefixParent(j string) string {
	if i := strings.LastIndexByte(j, '-'); i > 0 {
		return j[:i]
	}
	return ""
}

// lookup finds the jurisdiction to use for j: j itself when has(j), else the
// nearest ancestor for which has is true — along the declared parents for a
// known jurisdiction, along the code prefix for an unknown one.
func (r *Registry) lookup(j string, has func(string) bool) (string, error) {
	j = strings.ToUpper(strings.TrimSpace(j))
	for cur, steps := j, 0; cur != "" && steps < 64; steps++ {
		if has(cur) {
			return cur, nil
		}
		if p, known := r.parents[cur]; known {
			cur = p
		} else {
			cur = prefixParent(cur)
		}
	}
	return "", fmt.Errorf("policy: %w: %q", ErrUnknownJurisdiction, j)
}

// Policy returns the resolved policy for jurisdiction, with every field
// inherited from its parents filled in. An unknown jurisdiction falls back
// along its code prefix ("CN-52-QXN", "CN-52", "CN"); the returned policy's
// Jurisdiction says which one matched. The error wraps
// ErrUnknownJurisdiction when nothing matches.
func (r *Registry) Policy(jurisdiction string) (Policy, error) {
	j, err := r.lookup(jurisdiction, func(j string) bool { _, ok := r.policies[j]; return ok })
	if err != nil {
		return Policy{}, err
	}
	return r.policies[j].clone(), nil
}

// Calendar returns the calendar for jurisdiction: its own holiday days on
// top of its parents'. Fallback and errors are as for Policy, and the
// calendar's Jurisdiction says which one matched.
func (r *Registry) Calendar(jurisdiction string) (*Calendar, error) {
	j, err := r.lookup(jurisdiction, func(j string) bool { _, ok := r.calendars[j]; return ok })
	if err != nil {
		return nil, err
	}
	return r.calendars[j], nil
}

// Deadline returns the deadline of period p counted from start under the
// calendar of jurisdiction; see Calendar.Deadline.
func (r *Registry) Deadline(jurisdiction string, start Date, p Period) (Date, error) {
	c, err := r.Calendar(jurisdiction)
	if err != nil {
		return Date{}, err
	}
	return c.Deadline(start, p), nil
}

// Jurisdictions returns every jurisdiction with a policy or calendar of its
// own, sorted.
func (r *Registry) Jurisdictions() []string {
	return slices.Sorted(maps.Keys(r.parents))
}

// WithCalendars returns a registry of r's data with the given years laid
// over it: a year replaces the data r has for the same jurisdiction and
// year, as a calendar published after the files were written is the one in
// force. Each year is validated; r is not modified.
func (r *Registry) WithCalendars(years ...CalendarYear) (*Registry, error) {
	over := source{policies: map[string]Policy{}, calendars: make(map[string]map[int]CalendarYear)}
	for _, y := range years {
		if !jurisdictionPattern.MatchString(y.Jurisdiction) {
			return nil, fmt.Errorf("policy: %w: jurisdiction %q is not a code like CN-52", ErrInvalidCalendar, y.Jurisdiction)
		}
		if err := y.Validate(); err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
		if over.calendars[y.Jurisdiction] == nil {
			over.calendars[y.Jurisdiction] = make(map[int]CalendarYear)
		}
		if _, dup := over.calendars[y.Jurisdiction][y.Year]; dup {
			return nil, fmt.Errorf("policy: %w: %s year %d is given twice", ErrInvalidCalendar, y.Jurisdiction, y.Year)
		}
		over.calendars[y.Jurisdiction][y.Year] = y
	}
	return build(append(slices.Clip(r.srcs), over)...)
}

// CheckPublication checks a year's arrangement before it is published into
// r: the year on its own (Validate: dates inside the year, no day both
// holiday and make-up workday), a jurisdiction r can place under its
// parents, and the law's statutory days. The national arrangement must
// list every statutory holiday of the year (CheckStatutory); a local one,
// which adds festival days of an autonomous area, must not make any of
// them a working day.
func (r *Registry) CheckPublication(y CalendarYear) error {
	if !jurisdictionPattern.MatchString(y.Jurisdiction) {
		return fmt.Errorf("policy: %w: jurisdiction %q is not a code like CN-52", ErrInvalidCalendar, y.Jurisdiction)
	}
	if err := y.Validate(); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	if y.Jurisdiction == nationalRulesOf {
		if err := CheckStatutory(y); err != nil {
			return fmt.Errorf("policy: %w", err)
		}
		return nil
	}
	if _, err := r.Calendar(y.Jurisdiction); err != nil {
		return err
	}
	var errs []error
	for _, w := range y.Workdays {
		if n, ok := statutoryName(w.Date); ok {
			errs = append(errs, fmt.Errorf("workday %s is the statutory holiday %s", w.Date, n))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("policy: %w %s %d: %w", ErrInvalidCalendar, y.Jurisdiction, y.Year, err)
	}
	return nil
}

// ParseCalendarFile decodes one year's arrangement in the layout of the
// calendars/*.json files, strictly (unknown fields are errors). A missing
// jurisdiction is taken from a file name like "CN-2027.json", whose year
// must then agree with the year inside.
func ParseCalendarFile(name string, b []byte) (CalendarYear, error) {
	var y CalendarYear
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&y); err != nil {
		return y, fmt.Errorf("policy: %s: %w: %w", name, ErrInvalidCalendar, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return y, fmt.Errorf("policy: %s: %w: trailing data after the JSON document", name, ErrInvalidCalendar)
	}
	stem := strings.TrimSuffix(path.Base(name), ".json")
	if m := yearSuffix.FindStringSubmatch(stem); m != nil {
		if y.Jurisdiction == "" {
			y.Jurisdiction = m[1]
		}
		if fy, _ := strconv.Atoi(m[2]); fy != y.Year && y.Jurisdiction == m[1] {
			return y, fmt.Errorf("policy: %s: %w: file name says %d but year is %d", name, ErrInvalidCalendar, fy, y.Year)
		}
	}
	return y, nil
}
