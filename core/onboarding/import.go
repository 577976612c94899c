package onboarding

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
	"github.com/chorusonboard/chorus-onboard/core/xlsxio"
)

// ImportOptions are what an import asks for beyond the file.
type ImportOptions struct {
	// Size is the file's size in bytes, 0 when unknown. Progress, when
	// set, receives the bytes read so far as the import goes.
	Size     int64
	Progress func(read, size int64)
	// Report, when set, receives each rejection as it is found (the
	// command line prints them); the report keeps the first MaxListed.
	Report func(csvio.Rejection)
	// Drafts keeps the valid rows as drafts, to review before queueing
	// them; otherwise they are queued for the portal.
	Drafts bool
	// Sheet says how the file of rejected rows is written: the language
	// of its error column, its separator (the file's own when zero) and
	// byte order mark.
	Sheet csvio.WriterOptions
}

// ImportReport is what an import did.
type ImportReport struct {
	ImportStats
	// Rejections are what was said of rows (refusals, and warnings about
	// rows kept), the first MaxListed; MoreRejections counts the others.
	Rejections     []csvio.Rejection
	MoreRejections int
	// Ignored lists the file's columns that are not ours.
	Ignored []string
	// Sheet is the workbook's sheet that was read ("" for a CSV file).
	Sheet string
	// Cancelled says the import stopped before the end of the file: the
	// rows committed before stay, and are counted.
	Cancelled bool

	// rejected holds the refused rows, as a file to fix and import again
	// (csvio.RejectWriter); nil when none was refused.
	rejected *os.File
	rows     int
	comma    rune // the separator of the rejected file
}

// RejectedRows returns how many rows the file of rejected rows holds.
func (r *ImportReport) RejectedRows() int { return r.rows }

// SaveRejected writes the file of rejected rows to w: the file's header
// and each refused row as it was, with an error column first.
func (r *ImportReport) SaveRejected(w io.Writer) error {
	if r.rejected == nil {
		return nil
	}
	if _, err := r.rejected.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, r.rejected)
	return err
}

// SaveRejectedXLSX writes the file of rejected rows to w as an Excel
// workbook: the same rows and error column as SaveRejected's CSV, every
// value a text cell.
func (r *ImportReport) SaveRejectedXLSX(w io.Writer) error {
	if r.rejected == nil {
		return nil
	}
	if _, err := r.rejected.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return xlsxio.FromCSV(w, r.rejected, r.comma)
}

// Close deletes the file of rejected rows. Call it when the report is no
// longer shown.
func (r *ImportReport) Close() error {
	if r.rejected == nil {
		return nil
	}
	name := r.rejected.Name()
	r.rejected.Close()
	r.rejected = nil
	return os.Remove(name)
}

// SpoolPattern names the files of rejected rows (in the spool directory,
// the data directory in the app); spoolTTL is how old one left by a crash
// may get before an import deletes it.
const (
	SpoolPattern = "rejected-*.csv"
	spoolTTL     = 24 * time.Hour
)

// ImportCSV reads structures from r and keeps the valid rows, queued for the
// portal unless opt.Drafts (importRows). The rows refused are
// kept, as the file wrote them, in a file of their own (in the spool
// directory, readable by the user alone) that the report saves where the
// user chooses and deletes on Close. A cancelled ctx stops the import: the
// rows committed before stay and are counted, and the report says so.
func (s *Workspace) ImportCSV(ctx context.Context, r io.Reader, opt ImportOptions) (*ImportReport, error) {
	if opt.Progress != nil {
		r = &countingReader{r: r, size: opt.Size, progress: opt.Progress}
	}
	rd, err := csvio.NewReader(r)
	if err != nil {
		return &ImportReport{}, err
	}
	return s.importFrom(ctx, rd, opt)
}

// ImportXLSX reads structures from a sheet of an Excel workbook (sheet ""
// for the first whose header import reads) exactly as ImportCSV reads a
// CSV file: the same columns, rules, report and file of rejected rows.
// The workbook is read into memory (a few megabytes for 100,000 rows);
// its sheet streams.
func (s *Workspace) ImportXLSX(ctx context.Context, r io.Reader, sheet string, opt ImportOptions) (*ImportReport, error) {
	if opt.Progress != nil {
		r = &countingReader{r: r, size: opt.Size, progress: opt.Progress}
	}
	wb, err := xlsxio.Open(r)
	if err != nil {
		return &ImportReport{}, err
	}
	defer wb.Close()
	if sheet == "" {
		if sheet, err = wb.FirstUsable(); err != nil {
			return &ImportReport{}, err
		}
	}
	rd, release, err := wb.Reader(sheet)
	if err != nil {
		return &ImportReport{}, err
	}
	defer release()
	rep, err := s.importFrom(ctx, rd, opt)
	rep.Sheet = sheet
	return rep, err
}

// SheetsOf lists the sheets of a workbook import can read, to choose
// among when there are several.
func (s *Workspace) SheetsOf(r io.Reader) ([]string, error) {
	wb, err := xlsxio.Open(r)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	return wb.Usable(), nil
}

// importFrom imports the rows of rd (importRows), keeping the refused
// ones in a file of their own.
func (s *Workspace) importFrom(ctx context.Context, rd *csvio.Reader, opt ImportOptions) (*ImportReport, error) {
	rep := &ImportReport{}
	s.sweepSpool()
	rep.Ignored = rd.Ignored
	var rw *csvio.RejectWriter
	var spool *os.File
	var spoolErr error
	report := func(x csvio.Rejection) {
		if opt.Report != nil {
			opt.Report(x)
		}
		if len(rep.Rejections) < MaxListed {
			rep.Rejections = append(rep.Rejections, x)
		} else {
			rep.MoreRejections++
		}
		if x.Warning || spoolErr != nil {
			return
		}
		if rw == nil {
			if spool, spoolErr = localfs.CreateTemp(s.spool(), SpoolPattern); spoolErr != nil {
				return
			}
			rep.rejected = spool
			sheet := opt.Sheet
			if sheet.Comma == 0 {
				sheet.Comma = rd.Delimiter // as the file was
			}
			if sheet.Comma == 0 {
				sheet.Comma = ',' // a workbook's rows
			}
			rep.comma = sheet.Comma
			if rw, spoolErr = csvio.NewRejectWriter(spool, rd.Header(), sheet); spoolErr != nil {
				return
			}
		}
		spoolErr = rw.Add(x)
	}
	st, err := s.importRows(ctx, rd, !opt.Drafts, report)
	rep.ImportStats = st
	if rw != nil && spoolErr == nil {
		spoolErr = rw.Flush()
		rep.rows = rw.Rows()
	}
	if isCancel(err) {
		rep.Cancelled, err = true, nil
	}
	if err == nil && spoolErr != nil {
		// The import itself went through and the refusals are listed, but
		// the file of refused rows could not be written.
		err = fmt.Errorf("write the rejected rows: %w", spoolErr)
	}
	return rep, err
}

// spool is where files of rejected rows wait to be saved.
func (s *Workspace) spool() string {
	if s.spoolDir != "" {
		return s.spoolDir
	}
	return os.TempDir()
}

// sweepSpool deletes files of rejected rows a crash left behind.
func (s *Workspace) sweepSpool() {
	names, _ := filepath.Glob(filepath.Join(s.spool(), SpoolPattern))
	for _, name := range names {
		if fi, err := os.Stat(name); err == nil && time.Since(fi.ModTime()) > spoolTTL {
			_ = os.Remove(name) // best effort: the next import tries again
		}
	}
}

// countingReader reports the bytes read so far.
type countingReader struct {
	r        io.Reader
	read     int64
	size     int64
	progress func(read, size int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.read += int64(n)
		c.progress(c.read, c.size)
	}
	return n, err
}
