// Package xlsxio reads and writes the structures of a workspace as Excel
// workbooks (.xlsx), the accountant's own files, with
// github.com/xuri/excelize: a sheet is read through core/csvio's header
// and row reading, so a workbook imports exactly as its CSV twin would; a
// workbook is written with every value a text cell (an identifier, a
// phone, a postal code keep their zeros and digits; nothing is a formula),
// the header row frozen and filtered, the columns sized.
//
// Both stream: a sheet is read row by row (excelize spills a large sheet
// to a temporary file rather than to memory) and written with a stream
// writer, so a 100,000-row workbook goes through in bounded memory.
package xlsxio

import (
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
)

// Bounds on what a workbook may unpack to: a zip of a few megabytes can
// expand to gigabytes (a "zip bomb"). A sheet above sheetInMemory is
// spilled to a temporary file by excelize instead of being held.
const (
	maxUnzipped   = 1 << 30 // 1 GiB, every part together
	sheetInMemory = 16 << 20
)

// Codes of what reading a workbook can refuse.
const (
	// CodeNotWorkbook: the file is no .xlsx workbook (an old .xls, a CSV
	// renamed, a damaged file).
	CodeNotWorkbook = "xlsx.not_workbook"
	// CodeNoSheet: the workbook has no sheet of that name.
	CodeNoSheet = "xlsx.no_sheet"
	// CodeNoHeader: no sheet of the workbook has the needed columns.
	CodeNoHeader = "xlsx.no_header"
	// CodeNumber: an identifier, phone or postal code cell holds a number
	// with decimals, which no identifier is: the column was typed as
	// numbers and the value lost its digits.
	CodeNumber = "xlsx.number"
)

// Workbook is an open .xlsx file.
type Workbook struct {
	f *excelize.File
}

// Open reads a workbook from r (held in memory, bounded: see maxUnzipped).
func Open(r io.Reader) (*Workbook, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: sheetInMemory})
	if err != nil {
		return nil, &core.E{Kind: core.KindInvalid, Code: CodeNotWorkbook, Op: "open workbook", Err: err}
	}
	return &Workbook{f: f}, nil
}

// Close releases the workbook (and any temporary file excelize made).
func (w *Workbook) Close() error { return w.f.Close() }

// Sheets lists the workbook's sheets, in their order.
func (w *Workbook) Sheets() []string { return w.f.GetSheetList() }

// Usable lists the sheets whose first row is a header import reads (the
// identifier and company name columns at least): the ones a person may
// choose among.
func (w *Workbook) Usable() []string {
	var out []string
	for _, name := range w.Sheets() {
		if _, release, err := w.Reader(name); err == nil {
			out = append(out, name)
			release()
		}
	}
	return out
}

// Reader returns a reader of the structures of a sheet, positioned after
// its header, and a function that releases the sheet. The header is found
// as in a CSV file (French or English names).
func (w *Workbook) Reader(sheet string) (*csvio.Reader, func(), error) {
	rows, err := w.f.Rows(sheet)
	if err != nil {
		return nil, func() {}, &core.E{Kind: core.KindInvalid, Code: CodeNoSheet, Op: "read sheet", Err: err,
			Params: map[string]string{"sheet": sheet, "sheets": strings.Join(w.Sheets(), ", ")}}
	}
	release := func() { _ = rows.Close() }
	rd, err := csvio.NewRecordReader(&records{rows: rows})
	if err != nil {
		release()
		return nil, func() {}, err
	}
	return rd, release, nil
}

// FirstUsable returns the first sheet import can read, or an error that
// says none can.
func (w *Workbook) FirstUsable() (string, error) {
	if u := w.Usable(); len(u) > 0 {
		return u[0], nil
	}
	return "", &core.E{Kind: core.KindInvalid, Code: CodeNoHeader, Op: "read workbook",
		Err:    fmt.Errorf("%w: no sheet has the columns %s and %s", csvio.ErrHeader, core.FieldIdentifier, core.FieldCompanyName),
		Params: map[string]string{"sheets": strings.Join(w.Sheets(), ", ")}}
}

// records reads a sheet's rows as csvio records: each cell's stored value
// (not as displayed: a date format or a rounded number would lose it),
// with the numbers of identifier, phone and postal code columns written
// back as the digits they are.
type records struct {
	rows   *excelize.Rows
	line   int
	fields []string // by column: its field, from the header ("" for none)
	header bool     // the header was read
}

// digitFields are the fields whose values are digits: a spreadsheet that
// typed their column as numbers stores them as numbers.
var digitFields = map[string]bool{core.FieldIdentifier: true, core.FieldPhone: true, core.FieldPostalCode: true}

// dateFields are the columns of days: a workbook stores a date cell as
// its serial number of days.
var dateFields = map[string]bool{core.FieldMandateSigned: true, core.FieldCheckedOn: true}

// dateOfSerial turns a date cell's stored serial (46266, or 46266.5 with a
// time of day) into its day, 2026-08-31; text, and numbers outside the
// years 1900 to 9999, are returned as they are for the date rule to judge.
func dateOfSerial(v string) string {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !number.MatchString(v) || f < 1 || f > 2958465 {
		return v
	}
	t, err := excelize.ExcelDateToTime(math.Floor(f), false)
	if err != nil {
		return v
	}
	return string(core.DateOf(t))
}

// Next returns the next row of the sheet.
func (r *records) Next() (csvio.Record, error) {
	if !r.rows.Next() {
		if err := r.rows.Error(); err != nil {
			return csvio.Record{Line: r.line + 1}, fmt.Errorf("line %d: %w", r.line+1, err)
		}
		return csvio.Record{}, io.EOF
	}
	r.line++
	cells, err := r.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return csvio.Record{Line: r.line}, fmt.Errorf("line %d: %w", r.line, err)
	}
	rec := csvio.Record{Cells: cells, Line: r.line}
	if !r.header {
		// The header: which columns hold digits.
		r.header = true
		for _, h := range cells {
			r.fields = append(r.fields, csvio.FieldOf(h))
		}
		return rec, nil
	}
	for i, v := range cells {
		if i < len(r.fields) && dateFields[r.fields[i]] {
			cells[i] = dateOfSerial(v)
			continue
		}
		if i < len(r.fields) && digitFields[r.fields[i]] {
			d, ok := digitsOfNumber(v)
			if !ok {
				rec.Problems = append(rec.Problems, core.Problem{Field: r.fields[i], Code: CodeNumber, Severity: core.Error})
				continue
			}
			cells[i] = d
		}
	}
	return rec, nil
}

// number matches a number as a workbook stores it: digits, maybe a
// fraction, maybe an exponent (7.3282932E+13).
var number = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// digitsOfNumber writes a stored number as its integer digits, exactly
// (7.3282932000074E13 is 73282932000074); a value that is not a number in
// that form is returned as it is. A number with a fraction is no
// identifier: false.
func digitsOfNumber(v string) (string, bool) {
	if !number.MatchString(v) || !strings.ContainsAny(v, ".eE") {
		return v, true
	}
	f, ok := new(big.Float).SetPrec(256).SetString(v)
	if !ok {
		return v, true
	}
	if !f.IsInt() {
		return v, false
	}
	i, _ := f.Int(nil)
	return i.String(), true
}
