package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/chorusonboard/chorus-onboard/core/firm"
)

const migrateUsage = `chorus-sim migrate-store - move the firms' workspace to PostgreSQL

Usage:
  chorus-sim migrate-store --data DIR --to-file FILE

migrate-store copies the firms' shared workspace (firms, members,
invitations, clients, changes of charge, audit, idempotency records) from
the data directory's SQLite file to the PostgreSQL server whose URL FILE
holds (a file, never a flag: the URL may carry a password), creating its
tables first. Stop chorus-sim before, or its last changes are not copied;
the file is only read, never changed. Interrupted, run it again: it goes on
from its last batch. It refuses a database holding data it did not copy.
At the end it prints, for each table, the rows and a checksum on each
side, and exits 0 only when they are all equal. Then start chorus-sim with
--firm-database-file FILE.
`

// runMigrateStore runs "chorus-sim migrate-store": 0 copied and verified,
// 1 failed or not equal (the message says which table), 2 a usage error.
func runMigrateStore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
		fmt.Fprint(stdout, migrateUsage)
		return 0
	}
	fs, data, _, _ := subcommand("chorus-sim migrate-store", migrateUsage, append([]string{"migrate-store"}, args...), stdout, stderr)
	to := fs.String("to-file", "", "a file holding the URL of the PostgreSQL server to copy to (required)")
	if fs.Parse(args) != nil || *data == "" || *to == "" || fs.NArg() > 0 {
		fmt.Fprint(stderr, migrateUsage)
		return 2
	}
	dsn, err := readDSNFile(*to)
	if err != nil {
		fmt.Fprintln(stderr, "chorus-sim migrate-store:", err)
		return 2
	}
	last := ""
	rep, err := firm.CopyStore(ctx, *data, dsn, func(table string, done, total int64) {
		if table != last || done == total || done%10000 == 0 {
			fmt.Fprintf(stderr, "%s: %d of %d rows\n", table, done, total)
			last = table
		}
	})
	if err != nil {
		fmt.Fprintln(stderr, "chorus-sim migrate-store:", err)
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tROWS IN FILE\tROWS IN POSTGRESQL\tCHECKSUM (FILE)\tCHECKSUM (POSTGRESQL)")
	for _, t := range rep.Tables {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.16s\t%.16s\n", t.Name, t.Source, t.Target, t.SourceSum, t.TargetSum)
	}
	tw.Flush()
	if err := firm.Faithful(rep); err != nil {
		fmt.Fprintln(stderr, "chorus-sim migrate-store: not equal:", err)
		return 1
	}
	fmt.Fprintln(stdout, "every table copied, counts and checksums equal")
	return 0
}

// readDSNFile reads a PostgreSQL server's URL (or key=value DSN) from a
// file; "" for no file. Its text is never printed: it may hold a password.
func readDSNFile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("the database file: %w", err)
	}
	dsn := strings.TrimSpace(string(b))
	switch {
	case dsn == "":
		return "", fmt.Errorf("the database file %s is empty", path)
	case strings.ContainsAny(dsn, "\n\r"):
		return "", fmt.Errorf("the database file %s holds more than one line: want the server's URL alone", path)
	case !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") && !strings.Contains(dsn, "="):
		return "", errors.New("the database file " + path + " does not hold a PostgreSQL URL (postgres://USER@HOST/DB?sslmode=verify-full)")
	}
	return dsn, nil
}
