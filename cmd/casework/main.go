// Command casework runs casework: the whole stack for development (dev), or
// its parts in production (api, worker, migrate), and tools (openapi, token).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `casework runs long-running court and mediation case processes.

Usage:
  casework dev       run Temporal, PostgreSQL, migrations, the worker and the API locally
  casework api       serve the HTTP API
  casework worker    run the Temporal worker
  casework migrate   apply database migrations
  casework calendar  publish a year's holiday arrangement (calendar publish FILE)
  casework openapi   print the OpenAPI document (no server needed)
  casework token     mint a development bearer token; token revoke cuts one off
  casework audit     anchor the stream heads to a signed file, or verify the audit trail

Configuration is by environment; see README.md.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	// The first SIGTERM or interrupt ends ctx, and the command drains (the
	// worker its tasks in flight, the API its requests); a second one
	// finds the default handling again and ends the process at once.
	// Not casework dev's: it stops its Temporal and PostgreSQL on the way
	// out, which a second Ctrl-C must not cut short.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if os.Args[1] != "dev" {
		go func() { <-ctx.Done(); stop() }()
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()}))
	slog.SetDefault(log)

	var err error
	args := os.Args[2:]
	switch os.Args[1] {
	case "dev":
		err = runDev(ctx, args)
	case "api":
		err = runAPI(ctx, args)
	case "worker":
		err = runWorker(ctx, args)
	case "migrate":
		err = runMigrate(ctx, args)
	case "calendar":
		err = runCalendar(ctx, args)
	case "openapi":
		err = runOpenAPI(args)
	case "token":
		if len(args) > 0 && args[0] == "revoke" {
			err = runTokenRevoke(ctx, args[1:], os.Stdout)
		} else {
			err = runToken(args)
		}
	case "audit":
		err = runAudit(ctx, args, os.Stdout)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "casework: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(os.Stderr, "casework %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("CASEWORK_LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}
