package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/casework/casework/api"
	"github.com/casework/casework/audit"
	"github.com/casework/casework/db"
)

const auditUsage = `Usage:
  casework audit anchor [-o FILE | -dir DIR]           write a signed file of every stream's head
  casework audit verify [-case ID] [-anchors FILE|DIR] [-history]
                                                        verify every case (or one) in the database

DATABASE_URL names the database and CASEWORK_AUDIT_KEY the audit key (for
development, -key-file, default .data/audit.key). verify reads no workflow
history unless -history is given (then from TEMPORAL_ADDRESS); without
history or an anchor file a stream's head is reported unverifiable.
`

func runAudit(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("audit: want anchor or verify\n\n" + auditUsage)
	}
	switch args[0] {
	case "anchor":
		return runAuditAnchor(ctx, args[1:], stdout)
	case "verify":
		return runAuditVerify(ctx, args[1:], stdout)
	}
	return fmt.Errorf("audit: unknown command %q\n\n%s", args[0], auditUsage)
}

func openAuditStore(ctx context.Context, keyFile string) (*db.Store, audit.Key, func(), error) {
	key, err := auditKey(keyFile)
	if err != nil {
		return nil, audit.Key{}, nil, err
	}
	pool, err := openDB(ctx)
	if err != nil {
		return nil, audit.Key{}, nil, err
	}
	return db.NewStore(pool, key), key, pool.Close, nil
}

// runAuditAnchor writes the anchor file: every stream's head, signed with
// the audit key, for an auditor to keep outside the database.
func runAuditAnchor(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit anchor", flag.ContinueOnError)
	out := fs.String("o", "", "write the anchor file here (default: standard output)")
	dirFlag := fs.String("dir", "", "write a new anchor file into this anchor directory (as the worker does with CASEWORK_ANCHOR_DIR)")
	keyFile := fs.String("key-file", devAuditKeyFile(), "development audit key file used when CASEWORK_AUDIT_KEY is unset")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, key, done, err := openAuditStore(ctx, *keyFile)
	if err != nil {
		return err
	}
	defer done()
	if *dirFlag != "" {
		if *out != "" {
			return errors.New("audit anchor: -o and -dir exclude each other")
		}
		file, n, err := anchorOnce(ctx, store, audit.NewAnchorDir(*dirFlag, key))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "anchored %d streams in %s\n", n, file)
		return nil
	}
	return writeAnchors(ctx, store, key, *out, stdout)
}

// writeAnchors writes the signed heads of every stream to file, or to
// stdout when file is empty.
func writeAnchors(ctx context.Context, store *db.Store, key audit.Key, file string, stdout io.Writer) error {
	heads, err := store.Heads(ctx)
	if err != nil {
		return err
	}
	b, err := key.SignAnchors(heads, time.Now())
	if err != nil {
		return err
	}
	if file == "" {
		_, err = stdout.Write(b)
		return err
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "anchored %d streams in %s\n", len(heads), file)
	return nil
}

// errNotIntact makes casework audit verify exit non-zero.
var errNotIntact = errors.New("not every case is intact")

// runAuditVerify verifies every case in the database (or one) with the
// same checks as the API's verify endpoint, and against an anchor file.
func runAuditVerify(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	one := fs.String("case", "", "verify only this case")
	anchorFile := fs.String("anchors", "", "anchor file written by casework audit anchor, or an anchor directory")
	history := fs.Bool("history", false, "also compare with the workflow history in Temporal (TEMPORAL_ADDRESS)")
	keyFile := fs.String("key-file", devAuditKeyFile(), "development audit key file used when CASEWORK_AUDIT_KEY is unset")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, key, done, err := openAuditStore(ctx, *keyFile)
	if err != nil {
		return err
	}
	defer done()
	srv := &api.Server{Store: store}
	if *history {
		tc, err := dialTemporal(ctx, env("TEMPORAL_ADDRESS", "127.0.0.1:7233"), nil)
		if err != nil {
			return err
		}
		defer tc.Close()
		srv.Temporal = tc
	}
	return verifyCases(ctx, srv, key, *one, *anchorFile, stdout)
}

func verifyCases(ctx context.Context, srv *api.Server, key audit.Key, one, anchorFile string, stdout io.Writer) error {
	byCase := map[string][]audit.Head{}
	if fi, err := os.Stat(anchorFile); err == nil && fi.IsDir() {
		all, bad, err := audit.NewAnchorDir(anchorFile, key).All()
		if err != nil {
			return err
		}
		// A file that is not a valid anchor was edited or planted: say so
		// and fail, rather than verify against part of the directory.
		for _, e := range bad {
			fmt.Fprintf(stdout, "invalid anchor file %v\n", e)
		}
		if len(bad) > 0 {
			return fmt.Errorf("%d invalid anchor files in %s", len(bad), anchorFile)
		}
		n := 0
		for _, hs := range all {
			n += len(hs)
		}
		byCase = all
		fmt.Fprintf(stdout, "anchor directory %s: %d streams\n", anchorFile, n)
	} else if anchorFile != "" {
		b, err := os.ReadFile(anchorFile)
		if err != nil {
			return err
		}
		a, err := key.ReadAnchors(b)
		if err != nil {
			return err
		}
		for _, h := range a.Heads {
			byCase[h.CaseID] = append(byCase[h.CaseID], h)
		}
		fmt.Fprintf(stdout, "anchors of %s: %d streams\n", a.CreatedAt.Format(time.RFC3339), len(a.Heads))
	}
	ids, err := srv.Store.CaseIDs(ctx)
	if err != nil {
		return err
	}
	if one != "" {
		ids = []string{one}
	}
	counts := map[string]int{}
	for _, id := range ids {
		c, err := srv.Store.Case(ctx, id)
		if err != nil {
			return err
		}
		v, err := srv.VerifyCase(ctx, c, byCase[id])
		if err != nil {
			return fmt.Errorf("case %s: %w", id, err)
		}
		counts[v.State]++
		fmt.Fprintf(stdout, "%s %s (%s): %d steps, history %s\n", v.State, id, c.CaseNumber, v.Entries, v.History.State)
		for _, b := range v.Breaks {
			fmt.Fprintf(stdout, "  broken %s %s step %d: %s\n", b.Check, b.Stream, b.Seq, b.Why)
		}
		for _, u := range v.Unverified {
			fmt.Fprintf(stdout, "  unverifiable %s %s step %d: %s\n", u.Check, u.Stream, u.Seq, u.Why)
		}
	}
	// A case the anchor file holds must still be there.
	if one == "" {
		for id, heads := range byCase {
			if slices.Contains(ids, id) {
				continue
			}
			counts[api.VerifyBroken]++
			fmt.Fprintf(stdout, "%s %s: the anchor file holds %d streams of this case and it is not stored\n", api.VerifyBroken, id, len(heads))
		}
	}
	fmt.Fprintf(stdout, "%d intact, %d broken, %d unverifiable\n", counts[api.VerifyIntact], counts[api.VerifyBroken], counts[api.VerifyUnverifiable])
	if counts[api.VerifyIntact] != len(ids) || counts[api.VerifyBroken] > 0 {
		return errNotIntact
	}
	return nil
}
