package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/casework/casework/audit"
	"os"

	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

const calendarUsage = `Usage:
  casework calendar publish [-by SUBJECT] FILE

publish checks a year's holiday arrangement (the layout of
policy/data/calendars/*.json: jurisdiction, year, source, holidays, workdays)
and stores it in DATABASE_URL as the next revision in force for new deadline
lookups. Publishing the arrangement in force again stores nothing.
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
	fmt.Printf("%d open cases have a deadline in %d computed before it; they keep it (ledger: provisional=true)\n", n, y.Year)
	return nil
}
