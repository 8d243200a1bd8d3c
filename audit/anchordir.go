package audit

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// AnchorDir is a directory of anchor files, one per anchoring, kept where
// whoever can write the database cannot (another volume, another host's
// mount, a write-once bucket synced to it). The worker writes one on a
// schedule; the API and casework audit verify read every file in it.
//
// For each stream the highest anchored step is the one that counts: a
// later anchor taken after someone deleted the last step holds a shorter
// head, and the earlier file still shows the step that went missing. Files
// are read once and indexed, so verifying a case costs a directory listing.
type AnchorDir struct {
	dir string
	key Key

	mu    sync.Mutex
	seen  map[string]bool
	bad   map[string]error
	heads map[string]map[string][]Head // case → stream → heads at its highest anchored step
}

// anchorPrefix and anchorSuffix name the files an AnchorDir writes and
// reads; anything else in the directory is not an anchor file.
const (
	anchorPrefix = "anchors-"
	anchorSuffix = ".json"
)

// NewAnchorDir returns the anchor directory dir, whose files are signed
// with key.
func NewAnchorDir(dir string, key Key) *AnchorDir {
	return &AnchorDir{dir: dir, key: key, seen: map[string]bool{}, bad: map[string]error{}, heads: map[string]map[string][]Head{}}
}

// Dir is the directory's path.
func (d *AnchorDir) Dir() string { return d.dir }

// Write signs heads taken at at into a new file of the directory and
// returns its path. The file appears whole or not at all (written aside,
// synced, then renamed), and is read-only: an anchor is never rewritten.
func (d *AnchorDir) Write(heads []Head, at time.Time) (string, error) {
	b, err := d.key.SignAnchors(heads, at)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return "", fmt.Errorf("anchor directory: %w", err)
	}
	name := filepath.Join(d.dir, anchorPrefix+at.UTC().Format("20060102T150405.000000000Z")+anchorSuffix)
	tmp, err := os.CreateTemp(d.dir, ".anchors-*")
	if err != nil {
		return "", fmt.Errorf("anchor file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing to remove
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return "", fmt.Errorf("anchor file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("anchor file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("anchor file: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o444); err != nil {
		return "", fmt.Errorf("anchor file: %w", err)
	}
	if _, err := os.Lstat(name); err == nil {
		return "", fmt.Errorf("anchor file %s already exists", name)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return "", fmt.Errorf("anchor file: %w", err)
	}
	if f, err := os.Open(d.dir); err == nil {
		_ = f.Sync() // the rename itself durable, where the filesystem allows
		f.Close()
	}
	return name, nil
}

// refresh indexes the files that appeared since the last call.
func (d *AnchorDir) refresh() error {
	ents, err := os.ReadDir(d.dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("anchor directory: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || d.seen[name] || !strings.HasPrefix(name, anchorPrefix) || !strings.HasSuffix(name, anchorSuffix) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d.dir, name))
		if err != nil {
			return fmt.Errorf("anchor directory: %w", err)
		}
		d.seen[name] = true
		a, err := d.key.ReadAnchors(b)
		if err != nil {
			d.bad[name] = err
			continue
		}
		for _, h := range a.Heads {
			d.add(h)
		}
	}
	return nil
}

func (d *AnchorDir) add(h Head) {
	streams := d.heads[h.CaseID]
	if streams == nil {
		streams = map[string][]Head{}
		d.heads[h.CaseID] = streams
	}
	cur := streams[h.Stream]
	switch {
	case len(cur) == 0 || h.Seq > cur[0].Seq:
		streams[h.Stream] = []Head{h}
	case h.Seq == cur[0].Seq:
		// Two anchors of the same step with different hashes: keep both, so
		// the one the store no longer matches shows as a break.
		for _, c := range cur {
			if c.Hash == h.Hash {
				return
			}
		}
		streams[h.Stream] = append(cur, h)
	}
}

// Heads returns the anchored heads of a case (the highest anchored step of
// each of its streams) and, as problems, every file in the directory that
// is not a valid anchor file: edited, truncated or signed with another key.
func (d *AnchorDir) Heads(caseID string) ([]Head, []error, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.refresh(); err != nil {
		return nil, nil, err
	}
	var out []Head
	for _, hs := range d.heads[caseID] {
		out = append(out, hs...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Stream != out[j].Stream {
			return out[i].Stream < out[j].Stream
		}
		return out[i].Hash < out[j].Hash
	})
	return out, d.problems(), nil
}

// All returns the anchored heads of every case, as Heads does for one.
func (d *AnchorDir) All() (map[string][]Head, []error, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.refresh(); err != nil {
		return nil, nil, err
	}
	out := make(map[string][]Head, len(d.heads))
	for id, streams := range d.heads {
		for _, hs := range streams {
			out[id] = append(out[id], hs...)
		}
	}
	return out, d.problems(), nil
}

func (d *AnchorDir) problems() []error {
	names := make([]string, 0, len(d.bad))
	for n := range d.bad {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]error, 0, len(names))
	for _, n := range names {
		out = append(out, fmt.Errorf("%s: %w", n, d.bad[n]))
	}
	return out
}
