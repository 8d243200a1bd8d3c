package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/casework/casework/audit"
	"github.com/casework/casework/db"
)

// anchoring is where and how often the worker anchors the audit trail.
type anchoring struct {
	dir   *audit.AnchorDir
	every time.Duration
}

// anchorConfig reads CASEWORK_ANCHOR_DIR (def when unset; no anchoring when
// both are empty) and CASEWORK_ANCHOR_EVERY (default one hour).
func anchorConfig(key audit.Key, def string) (anchoring, error) {
	dir := env("CASEWORK_ANCHOR_DIR", def)
	if dir == "" {
		return anchoring{}, nil
	}
	s := env("CASEWORK_ANCHOR_EVERY", "1h")
	every, err := time.ParseDuration(s)
	if err != nil || every < time.Minute {
		return anchoring{}, fmt.Errorf("CASEWORK_ANCHOR_EVERY=%q: want a duration of at least 1m, e.g. 1h or 24h", s)
	}
	return anchoring{dir: audit.NewAnchorDir(dir, key), every: every}, nil
}

// anchorLoop writes the head of every stream into the anchor directory now
// and then every a.every until ctx ends. A failed anchoring is logged and
// tried again at the next tick: a missed anchor weakens nothing already
// anchored.
func anchorLoop(ctx context.Context, store *db.Store, a anchoring, log *slog.Logger) {
	if a.dir == nil {
		return
	}
	tick := time.NewTicker(a.every)
	defer tick.Stop()
	for {
		if file, n, err := anchorOnce(ctx, store, a.dir); err != nil {
			if ctx.Err() == nil {
				log.Error("anchor the audit trail", "dir", a.dir.Dir(), "err", err)
			}
		} else {
			log.Info("anchored the audit trail", "streams", n, "file", file)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func anchorOnce(ctx context.Context, store *db.Store, dir *audit.AnchorDir) (string, int, error) {
	heads, err := store.Heads(ctx)
	if err != nil {
		return "", 0, err
	}
	file, err := dir.Write(heads, time.Now())
	return file, len(heads), err
}
