package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// databaseFlags are --database and --database-file: where the portal's
// records are when they are not in the data directory's SQLite files.
// Every command that opens them (the server, admin, mail, firm) takes
// both, so an operator's command reaches what the running portal uses.
type databaseFlags struct {
	url, file *string
}

// addDatabaseFlags registers --database and --database-file on fs.
func addDatabaseFlags(fs *flag.FlagSet) *databaseFlags {
	return &databaseFlags{
		url: fs.String("database", "", "the URL of the PostgreSQL server to keep everything on instead of the data directory "+
			"(postgres://USER@HOST/DB?sslmode=verify-full; without a password: use --database-file or a ~/.pgpass for one)"),
		file: fs.String("database-file", "", "a file holding the URL of that PostgreSQL server, password included if it needs one "+
			"(a systemd credential: %d/database)"),
	}
}

// dsn is the PostgreSQL server's URL the flags name, "" for the data
// directory's files. A URL on the command line with a password is
// refused: every user of the machine can read a process's arguments.
func (d *databaseFlags) dsn() (string, error) {
	switch {
	case *d.url != "" && *d.file != "":
		return "", errors.New("--database and --database-file name the same thing: give one")
	case *d.file != "":
		return readDSNFile(*d.file)
	case *d.url == "":
		return "", nil
	}
	dsn := strings.TrimSpace(*d.url)
	if !isPostgresURL(dsn) {
		return "", errors.New("--database: not a PostgreSQL URL (postgres://USER@HOST/DB?sslmode=verify-full)")
	}
	if hasPassword(dsn) {
		return "", errors.New("--database holds a password, which every user of this computer can read in the process list: " +
			"put the URL in a file read by --database-file (a systemd credential), or the password in ~/.pgpass")
	}
	return dsn, nil
}

// isPostgresURL reports whether s is a PostgreSQL URL or key=value DSN.
func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") || strings.Contains(s, "=")
}

// hasPassword reports whether a URL or key=value DSN carries a password.
func hasPassword(dsn string) bool {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		_, set := u.User.Password()
		return set || u.Query().Has("password")
	}
	for _, f := range strings.Fields(dsn) {
		if strings.HasPrefix(strings.ToLower(f), "password=") {
			return true
		}
	}
	return false
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
	case !isPostgresURL(dsn):
		return "", errors.New("the database file " + path + " does not hold a PostgreSQL URL (postgres://USER@HOST/DB?sslmode=verify-full)")
	}
	return dsn, nil
}
