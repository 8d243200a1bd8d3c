package db_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/casework/casework/audit"
	"github.com/casework/casework/db"
	"github.com/casework/casework/internal/stacktest"
)

// stack is the PostgreSQL the package's tests and benchmarks share; each
// test works in a schema of its own (see newStore).
var stack *stacktest.Stack

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	stack, err = stacktest.Start(context.Background(), false)
	if err != nil {
		fmt.Fprintln(os.Stderr, "db tests:", err)
		return 1
	}
	defer stack.Stop()
	defer closeBench()
	return m.Run()
}

var schemaSeq atomic.Int64

// newStore returns a Store on a freshly migrated schema of its own, dropped
// when the test ends, so tests can run in parallel and count every row they
// see.
func newStore(t testing.TB) *db.Store {
	t.Helper()
	ctx := context.Background()
	schema := fmt.Sprintf("test_%d", schemaSeq.Add(1))
	pool := openSchema(t, schema)
	t.Cleanup(func() {
		pool.Close()
		_, err := stack.Pool.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE")
		require.NoError(t, err)
	})
	return db.NewStore(pool, audit.RandomKey())
}

// openSchema creates schema, migrates it and returns a pool whose
// connections work in it.
func openSchema(t testing.TB, schema string) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	_, err := stack.Pool.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	pool, err := db.Open(ctx, stack.Postgres.URL+"&search_path="+schema)
	require.NoError(t, err)
	if _, err = db.Migrate(ctx, pool); err != nil {
		pool.Close()
		require.NoError(t, err)
	}
	return pool
}
