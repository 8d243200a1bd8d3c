// Package stacktest starts the real stack for integration tests: a private
// PostgreSQL cluster and a Temporal dev server, the same ones make dev
// runs, on free ports in a temporary folder. Tests call it from TestMain so
// a package pays the start-up once.
package stacktest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casework/casework/db"
	"github.com/casework/casework/internal/devstack"
)

// Stack is a running PostgreSQL and Temporal.
type Stack struct {
	Postgres *devstack.Postgres
	Temporal *devstack.Temporal
	// Pool connects as the superuser that migrated: what tests use to
	// set up and to tamper.
	Pool *pgxpool.Pool
	// AppPool connects as the application role, as the API and the worker
	// do.
	AppPool *pgxpool.Pool
	AppURL  string
	dir     string
}

// Start brings up PostgreSQL (migrated) and, if withTemporal, Temporal.
// Call Stop when done; it also removes the temporary folder.
func Start(ctx context.Context, withTemporal bool) (*Stack, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "casework-it-")
	if err != nil {
		return nil, err
	}
	s := &Stack{dir: dir}
	s.Postgres, err = devstack.StartPostgres(ctx, devstack.PostgresOptions{Dir: filepath.Join(dir, "pg"), Fast: true})
	if err != nil {
		s.Stop()
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	if s.Pool, err = db.Open(ctx, s.Postgres.URL); err != nil {
		s.Stop()
		return nil, err
	}
	if _, err := db.Migrate(ctx, s.Pool); err != nil {
		s.Stop()
		return nil, err
	}
	if s.AppURL, err = s.Postgres.AppURL(ctx, db.AppRole); err != nil {
		s.Stop()
		return nil, err
	}
	if s.AppPool, err = db.Open(ctx, s.AppURL); err != nil {
		s.Stop()
		return nil, err
	}
	if withTemporal && os.Getenv("CASEWORK_TEMPORAL") == "server" {
		// Temporal's own server on this cluster, as make stack runs it
		// (make bench-stack measures on it).
		s.Temporal, err = devstack.StartTemporalServer(ctx, devstack.ServerOptions{
			Dir: filepath.Join(dir, "temporal-server"), Postgres: s.Postgres,
			// make bench-parked-stack's side by side: CASEWORK_BENCH_EAGER=0
			// measures the server without eager activities.
			LazyActivities: os.Getenv("CASEWORK_BENCH_EAGER") == "0",
		})
		if err != nil {
			s.Stop()
			return nil, fmt.Errorf("start temporal server: %w", err)
		}
	} else if withTemporal {
		s.Temporal, err = devstack.StartTemporal(ctx, devstack.TemporalOptions{Headless: true})
		if err != nil {
			s.Stop()
			return nil, fmt.Errorf("start temporal: %w", err)
		}
	}
	return s, nil
}

// Stop stops everything Start started.
func (s *Stack) Stop() {
	if s.AppPool != nil {
		s.AppPool.Close()
	}
	if s.Pool != nil {
		s.Pool.Close()
	}
	if s.Temporal != nil {
		_ = s.Temporal.Stop()
	}
	if s.Postgres != nil {
		_ = s.Postgres.Stop()
	}
	_ = os.RemoveAll(s.dir)
}
