package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/chorusonboard/chorus-onboard/core/sim"
)

const migrateUsage = `chorus-sim migrate-store - move a portal's data directory to PostgreSQL

Usage:
  chorus-sim migrate-store --from DIR --to-file FILE
  chorus-sim migrate-store --from DIR --to postgres://USER@HOST/DB?sslmode=verify-full

migrate-store copies everything the portal keeps in its data directory
DIR (--data is the same) to the PostgreSQL server whose URL FILE holds (a
file: the URL may carry a password; --to takes a URL without one): the
accounts, sessions, second factors, structures and their people, the mail
and its queue, the idempotency records and the audit (schema portal), then
the firms' shared workspace (schema firm), creating the tables first.
Stop chorus-sim before, or its last changes are not copied; the files are
only read, never changed. Interrupted, run it again: it goes on from its
last batch. It refuses a database holding data it did not copy. At the
end it prints, for each table, the rows and a checksum on each side, and
exits 0 only when they are all equal. Then start every instance with
--database-file FILE.
`

// runMigrateStore runs "chorus-sim migrate-store": 0 copied and verified,
// 1 failed or not equal (the message says which table), 2 a usage error.
func runMigrateStore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
		fmt.Fprint(stdout, migrateUsage)
		return 0
	}
	fs, p, _, _ := subcommand("chorus-sim migrate-store", migrateUsage, append([]string{"migrate-store"}, args...), stdout, stderr)
	from := fs.String("from", "", "the portal's data directory to copy from (as --data)")
	to := &databaseFlags{url: fs.String("to", "", "the URL of the PostgreSQL server to copy to, without a password"),
		file: fs.String("to-file", "", "a file holding the URL of the PostgreSQL server to copy to")}
	if fs.Parse(args) != nil || fs.NArg() > 0 || *from != "" && *p.data != "" && *from != *p.data {
		fmt.Fprint(stderr, migrateUsage)
		return 2
	}
	if *from == "" {
		from = p.data
	}
	dsn, err := to.dsn()
	if err == nil && (*from == "" || dsn == "") {
		err = errors.New("--from DIR and --to-file FILE (or --to URL) are required")
	}
	if err != nil {
		fmt.Fprintln(stderr, "chorus-sim migrate-store:", strings.NewReplacer("--database-file", "--to-file", "--database", "--to").Replace(err.Error()))
		return 2
	}
	last := ""
	rep, err := sim.CopyStore(ctx, *from, dsn, func(table string, done, total int64) {
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
	if err := sim.Faithful(rep); err != nil {
		fmt.Fprintln(stderr, "chorus-sim migrate-store: not equal:", err)
		return 1
	}
	fmt.Fprintln(stdout, "every table copied, counts and checksums equal")
	return 0
}
