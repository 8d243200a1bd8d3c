package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/casework/casework/audit"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

const calendarUsage = `Usage:
  casework calendar publish [-by SUBJECT] FILE

publish checks a year's holiday arrangement (the layout of
policy/data/calendars/*.json: jurisdiction, year, source, holidays, workdays)
and stores it in DATABASE_URL as the next revision in force for new deadline
lookups, then starts re-arming the open cases of the jurisdiction and its
subdivisions through the Temporal frontend at TEMPORAL_ADDRESS: each counts
its pending deadlines again and moves those whose day changed. Publishing
the arrangement in force again stores nothing and starts the re-arm if it
never started.
`

func runCalendar(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "publish" {
		fmt.Fprint(os.Stderr, calendarUsage)
		return errors.New("want: calendar publish FILE")
	}
	fs := flag.NewFlagSet("calendar publish", flag.ContinueOnError)
	by := fs.String("by", os.Getenv("USER"), "who publishes it, recorded with the revision")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprint(os.Stderr, calendarUsage)
		return errors.New("want exactly one FILE")
	}
	if *by == "" {
		return errors.New("-by is required (USER is not set)")
	}
	file := fs.Arg(0)
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	y, err := policy.ParseCalendarFile(file, b)
	if err != nil {
		return err
	}
	reg, err := policies()
	if err != nil {
		return err
	}
	if err := reg.CheckPublication(y); err != nil {
		return err
	}
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	// Publishing writes the calendars table only, never the audit chain,
	// so it needs no audit key.
	store := db.NewStore(pool, audit.Key{})
	pub, created, err := store.PublishCalendar(ctx, y, *by)
	if err != nil {
		return err
	}
	if !created {
		fmt.Printf("%s %d: already in force as revision %d (version %d); nothing stored\n", y.Jurisdiction, y.Year, pub.Revision, pub.Version)
	} else {
		fmt.Printf("%s %d: published revision %d (version %d) by %s from %q\n", y.Jurisdiction, y.Year, pub.Revision, pub.Version, pub.PublishedBy, y.Source)
	}
	n, err := store.ProvisionalCases(ctx, y.Jurisdiction, y.Year)
	if err != nil {
		return err
	}
	fmt.Printf("%d open cases have a pending deadline in %d counted before it\n", n, y.Year)
	addr := env("TEMPORAL_ADDRESS", "127.0.0.1:7233")
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	tc, err := dialTemporal(dctx, addr, nil)
	if err == nil {
		defer tc.Close()
		var id string
		id, err = workflows.StartCalendarRearm(dctx, tc, workflows.RearmCommand{Version: pub.Version, Jurisdiction: y.Jurisdiction, Year: y.Year,
			Actor: casefile.Actor{Subject: *by, Role: casefile.RoleCourtAdmin}})
		if err == nil {
			fmt.Printf("re-arming the open cases: workflow %s (progress: GET /calendars/rearms/%d)\n", id, pub.Version)
			return nil
		}
	}
	return fmt.Errorf("the calendar is stored, but re-arming the open cases could not be started at %s (%w); publish the same file again to start it", addr, err)
}
