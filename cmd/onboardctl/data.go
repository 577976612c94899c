package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// Each command below is split as cli/cli splits its commands: a function
// parses the command line into an options struct, whose open function
// gives the service the command uses (the real store's, or a test's
// fake), and a run function does the work with the IO of env. A test of
// what a command prints runs the run function with a fake; a few tests
// run the whole command on a real store.

// importer is what "import" needs of the application layer.
type importer interface {
	ImportCSV(ctx context.Context, r io.Reader, opt onboarding.ImportOptions) (*onboarding.ImportReport, error)
	ImportXLSX(ctx context.Context, r io.Reader, sheet string, opt onboarding.ImportOptions) (*onboarding.ImportReport, error)
}

// importOptions are "import [--db PATH] [--format csv|xlsx] [--sheet NAME]
// [--rejected FILE] FILE|-".
type importOptions struct {
	e    env
	lang i18n.Lang
	// file is the file to read, "-" for standard input; rejected, when
	// set, where the refused rows are written (an .xlsx name writes a
	// workbook).
	file, rejected string
	// format is csv or xlsx (by the file's extension unless given);
	// sheet, the workbook's sheet ("" for the first import can read).
	format, sheet string
	open          func(context.Context) (importer, func(), error)
}

// formatOf returns the format a flag names, else the file's extension's.
func formatOf(flag, file string, allowed ...string) (string, error) {
	f := strings.ToLower(flag)
	if f == "" {
		f = onboarding.FormatCSV
		if ext := strings.ToLower(filepath.Ext(file)); len(ext) > 1 && slices.Contains(allowed, ext[1:]) {
			f = ext[1:]
		}
	}
	if !slices.Contains(allowed, f) {
		return "", fmt.Errorf("%w: --format must be %s", errUsage, strings.Join(allowed, ", "))
	}
	return f, nil
}

// cmdImport runs "import". invalid reports rejected rows.
func cmdImport(args []string, e env) (invalid bool, err error) {
	fs := newFlags("import", e)
	db := dbFlag(fs)
	lang := langFlag(fs, e)
	rejected := fs.String("rejected", "", "write the rejected rows to this file (CSV, or an Excel workbook if it ends in .xlsx), with an error column, to fix and import again")
	format := fs.String("format", "", "csv or xlsx (an Excel workbook); by default the file's extension says, else csv")
	sheet := fs.String("sheet", "", "the workbook's sheet to read (by default the first whose header import reads)")
	if err := parseCommand(fs, args, 1, 1); err != nil {
		return false, err
	}
	f, err := formatOf(*format, fs.Arg(0), onboarding.FormatCSV, onboarding.FormatXLSX)
	if err != nil {
		return false, err
	}
	if *sheet != "" && f != onboarding.FormatXLSX {
		return false, fmt.Errorf("%w: --sheet is for a workbook (.xlsx)", errUsage)
	}
	path, err := db()
	if err != nil {
		return false, err
	}
	if *rejected != "" {
		if err := notTheDatabase(*rejected, path); err != nil {
			return false, err
		}
	}
	l, err := lang()
	if err != nil {
		return false, err
	}
	open := opener(path, checkedWrite, e)
	ctx, cancel := signalContext()
	defer cancel()
	return runImport(ctx, importOptions{e: e, lang: l, file: fs.Arg(0), rejected: *rejected, format: f, sheet: *sheet,
		open: func(ctx context.Context) (importer, func(), error) {
			svc, closeDB, err := open(ctx)
			return svc.Workspace, closeDB, err
		}})
}

// runImport imports o.file and prints each rejection as "line N: field:
// code: message", then the counts.
func runImport(ctx context.Context, o importOptions) (invalid bool, err error) {
	e, l := o.e, o.lang
	var in io.Reader = e.stdin
	if o.file != "-" {
		f, err := os.Open(o.file)
		if err != nil {
			return false, fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		in = f
	}
	w, closeDB, err := o.open(ctx)
	if err != nil {
		return false, err
	}
	defer closeDB()
	opt := onboarding.ImportOptions{
		Report: func(r csvio.Rejection) {
			fmt.Fprintf(e.stdout, "line %d: %s: %s: %s\n", r.Line, r.Field, r.Code, i18n.Format(l, r.Code, r.Params))
		},
		Sheet: csvio.WriterOptions{Lang: l, BOM: true},
	}
	var rep *onboarding.ImportReport
	if o.format == onboarding.FormatXLSX {
		rep, err = w.ImportXLSX(ctx, in, o.sheet, opt)
		if rep.Sheet != "" && o.sheet == "" {
			fmt.Fprintf(e.stderr, "onboardctl: read the sheet %q\n", rep.Sheet)
		}
	} else {
		rep, err = w.ImportCSV(ctx, in, opt)
	}
	defer rep.Close()
	if len(rep.Ignored) > 0 {
		fmt.Fprintf(e.stderr, "onboardctl: ignored columns: %s\n", strings.Join(rep.Ignored, ", "))
	}
	if err != nil {
		return false, fmt.Errorf("import: %w", err)
	}
	st := rep.ImportStats
	summary := fmt.Sprintf("imported %d, updated %d, rejected %d", st.Imported, st.Updated, st.Rejected)
	if st.Duplicates > 0 {
		summary += fmt.Sprintf(", duplicates %d", st.Duplicates)
	}
	if st.Unread > 0 {
		// Never a success for rows that were not read.
		summary += fmt.Sprintf(", lines not read %d", st.Unread)
	}
	if rep.Cancelled {
		summary += ", interrupted: the rows above were imported, the rest of the file was not read"
	}
	fmt.Fprintln(e.stdout, summary)
	if o.rejected != "" && rep.RejectedRows() > 0 {
		save := rep.SaveRejected
		if strings.EqualFold(filepath.Ext(o.rejected), ".xlsx") {
			save = rep.SaveRejectedXLSX
		}
		if err := localfs.WriteFileAtomic(o.rejected, save); err != nil {
			return false, fmt.Errorf("import: rejected rows: %w", err)
		}
		fmt.Fprintf(e.stdout, "rejected rows written to %s\n", o.rejected)
	}
	return st.Rejected > 0 || st.Unread > 0 || rep.Cancelled, nil
}

// exporter is what "export" needs.
type exporter interface {
	Export(ctx context.Context, out io.Writer, format string, lang i18n.Lang) error
}

// exportOptions are "export [--db PATH] [--format csv|json|xlsx] [FILE|-]".
type exportOptions struct {
	e      env
	lang   i18n.Lang
	format string
	// file is where to write, "" or "-" for standard output.
	file string
	open func(context.Context) (exporter, func(), error)
}

// cmdExport runs "export".
func cmdExport(args []string, e env) error {
	fs := newFlags("export", e)
	db := dbFlag(fs)
	format := fs.String("format", "", "csv, json or xlsx (an Excel workbook); by default the file's extension says, else csv")
	lang := langFlag(fs, e)
	if err := parseCommand(fs, args, 0, 1); err != nil {
		return err
	}
	f, err := formatOf(*format, fs.Arg(0), onboarding.FormatCSV, onboarding.FormatJSON, onboarding.FormatXLSX)
	if err != nil {
		return err
	}
	format = &f
	l, err := lang()
	if err != nil {
		return err
	}
	path, err := db()
	if err != nil {
		return err
	}
	if name := fs.Arg(0); name != "" && name != "-" {
		if err := notTheDatabase(name, path); err != nil {
			return err
		}
	}
	open := opener(path, readOnly, e)
	ctx, cancel := signalContext()
	defer cancel()
	return runExport(ctx, exportOptions{e: e, lang: l, format: *format, file: fs.Arg(0),
		open: func(ctx context.Context) (exporter, func(), error) {
			svc, closeDB, err := open(ctx)
			return svc.Workspace, closeDB, err
		}})
}

// runExport writes every structure to o.file: to a temporary name
// renamed when done, so a failed export never leaves half a file where the
// previous one was.
func runExport(ctx context.Context, o exportOptions) error {
	x, closeDB, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	write := func(w io.Writer) error { return x.Export(ctx, w, o.format, o.lang) }
	if o.file != "" && o.file != "-" {
		err = localfs.WriteFileAtomic(o.file, write)
	} else {
		err = write(o.e.stdout)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// notTheDatabase refuses an output file that is the database at db or one
// of its companion files: writing an export there would replace every
// draft.
func notTheDatabase(name, db string) error {
	out, err := os.Stat(name)
	if err != nil {
		return nil // a new file cannot be the database
	}
	for _, f := range []string{db, db + "-wal", db + "-shm", db + "-journal"} {
		if fi, err := os.Stat(f); err == nil && os.SameFile(fi, out) {
			return fmt.Errorf("%w: %s is the database itself: writing there would replace every draft; name another file", errUsage, name)
		}
	}
	return nil
}

// reader is what "list" and "status" need: the structures, and their
// counts.
type reader interface {
	EachStructure(ctx context.Context, fn func(core.StructureRecord) error) error
	QueryStructures(ctx context.Context, q core.StructureQuery) (core.StructureList, error)
	Counts(ctx context.Context) (map[core.SyncState]int, int, error)
	Unsettled(ctx context.Context) ([]core.StructureRecord, error)
}

// readOptions are "list [--db PATH]" and "status [--db PATH]".
type readOptions struct {
	e    env
	lang i18n.Lang
	open func(context.Context) (reader, func(), error)
}

// storeReader joins what list and status read, from two services.
type storeReader struct {
	*onboarding.Workspace
	*onboarding.Sync
}

// readCommand parses a command that takes only --db and --lang.
func readCommand(name string, args []string, e env) (readOptions, error) {
	fs := newFlags(name, e)
	db := dbFlag(fs)
	lang := langFlag(fs, e)
	if err := parseCommand(fs, args, 0, 0); err != nil {
		return readOptions{}, err
	}
	l, err := lang()
	if err != nil {
		return readOptions{}, err
	}
	path, err := db()
	if err != nil {
		return readOptions{}, err
	}
	open := opener(path, readOnly, e)
	return readOptions{e: e, lang: l, open: func(ctx context.Context) (reader, func(), error) {
		svc, closeDB, err := open(ctx)
		return storeReader{svc.Workspace, svc.Sync}, closeDB, err
	}}, nil
}

// cmdList runs "list": one tab-separated line per structure.
func cmdList(args []string, e env) error {
	o, err := readCommand("list", args, e)
	if err != nil {
		return err
	}
	ctx, cancel := signalContext()
	defer cancel()
	return runList(ctx, o)
}

func runList(ctx context.Context, o readOptions) error {
	r, closeDB, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	// The firm's columns: who is in charge, and "conflict" when a field
	// waits for the user to keep one of two values.
	list, err := r.QueryStructures(ctx, core.StructureQuery{})
	if err != nil {
		return err
	}
	firm := make(map[int64]core.StructureSummary, len(list.Rows))
	inFirm := false
	for _, s := range list.Rows {
		firm[s.ID] = s
		inFirm = inFirm || s.Firm
	}
	return r.EachStructure(ctx, func(s core.StructureRecord) error {
		line := fmt.Sprintf("%s\t%s\t%s\t%s", s.Draft.IdentifierType, s.Draft.Identifier, s.Draft.CompanyName, s.Sync.State)
		if inFirm {
			// Two more columns in a firm only: a script of a desktop in
			// none reads the four it always did.
			f := firm[s.ID]
			conflict := ""
			if f.Conflicts > 0 {
				conflict = "conflict"
			}
			line += "\t" + f.InCharge + "\t" + conflict
		}
		_, err := fmt.Fprintln(o.e.stdout, line)
		return err
	})
}

// cmdStatus runs "status": counts per state, then the failed structures
// with the portal's reasons in the user's language.
func cmdStatus(args []string, e env) error {
	o, err := readCommand("status", args, e)
	if err != nil {
		return err
	}
	ctx, cancel := signalContext()
	defer cancel()
	return runStatus(ctx, o)
}

func runStatus(ctx context.Context, o readOptions) error {
	r, closeDB, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	counts, pending, err := r.Counts(ctx)
	if err != nil {
		return err
	}
	for _, s := range core.SyncStates {
		fmt.Fprintf(o.e.stdout, "%s\t%d\n", s, counts[s])
	}
	fmt.Fprintf(o.e.stdout, "outbox pending\t%d\n", pending)
	if list, err := r.QueryStructures(ctx, core.StructureQuery{}); err == nil && list.Counts[core.FilterConflicts] > 0 {
		fmt.Fprintf(o.e.stdout, "conflicts\t%d\n", list.Counts[core.FilterConflicts])
	} else if err != nil {
		return err
	}
	unsettled, err := r.Unsettled(ctx)
	if err != nil {
		return err
	}
	for _, s := range unsettled {
		if s.Sync.State != core.StateFailed {
			continue
		}
		msg := strings.ReplaceAll(i18n.Text(o.lang, s.Sync.Notice), "\n", " · ")
		fmt.Fprintf(o.e.stdout, "failed\t%s\t%s\t%s\n", s.Draft.IdentifierType, s.Draft.Identifier, msg)
	}
	return nil
}
