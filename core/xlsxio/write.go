package xlsxio

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
)

// SheetName is the name of the sheet a workbook is written in.
const SheetName = "Structures"

// maxCell is Excel's limit on a cell's text (32,767 characters): a longer
// value is refused rather than cut without a word.
const maxCell = 32767

// Writer writes rows of text cells as a workbook: the header row frozen
// and filtered (an Excel table), each column sized and typed as text, so
// what a person types there later stays text too; no cell is a formula.
type Writer struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	header []string
	rows   int
}

// NewWriter starts a workbook of one sheet with header; Close writes it
// to out.
func NewWriter(out io.Writer, header []string) (*Writer, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(SheetName)
	if err != nil {
		return nil, err
	}
	w := &Writer{out: out, f: f, sw: sw, header: uniqueHeader(header)}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return nil, err
	}
	for i, h := range w.header {
		if err := sw.SetColWidth(i+1, i+1, widthOf(h)); err != nil {
			return nil, err
		}
	}
	if err := sw.SetColStyle(1, len(w.header), text); err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	return w, w.WriteRow(w.header)
}

// uniqueHeader returns the header with no name twice (an Excel table
// needs them unique) and none empty.
func uniqueHeader(h []string) []string {
	out := make([]string, len(h))
	seen := map[string]int{}
	for i, v := range h {
		if strings.TrimSpace(v) == "" {
			v = fmt.Sprintf("column_%d", i+1)
		}
		if n := seen[strings.ToLower(v)]; n > 0 {
			v = fmt.Sprintf("%s_%d", v, n+1)
		}
		seen[strings.ToLower(v)]++
		out[i] = v
	}
	return out
}

// widthOf sizes a column by what it holds, in Excel's character widths.
func widthOf(header string) float64 {
	switch csvio.FieldOf(header) {
	case core.FieldIdentifier:
		return 18
	case core.FieldCompanyName, core.FieldStructureName, core.FieldAddress, csvio.ColPortalMessage, csvio.ColError:
		return 36
	case core.FieldEmail:
		return 28
	case core.FieldPhone, core.FieldCity, core.FieldComplement1, core.FieldComplement2:
		return 18
	}
	return max(12, float64(utf8.RuneCountInString(header))+2)
}

// WriteRow writes one row, every value a text cell. A NUL byte is no text
// and is left out, as in a CSV export; a value beyond Excel's cell limit
// is refused.
func (w *Writer) WriteRow(cells []string) error {
	vals, err := textValues(cells)
	if err != nil {
		return err
	}
	return w.writeValues(vals)
}

// textValues are cells as text values: without NUL bytes, none beyond
// Excel's limit.
func textValues(cells []string) ([]any, error) {
	vals := make([]any, len(cells))
	for i, v := range cells {
		v = strings.ReplaceAll(v, "\x00", "")
		if utf8.RuneCountInString(v) > maxCell {
			return nil, &core.E{Kind: core.KindTooLarge, Code: "xlsx.cell_too_long", Op: "write workbook"}
		}
		vals[i] = v
	}
	return vals, nil
}

// writeValues writes one row of cells as they are.
func (w *Writer) writeValues(vals []any) error {
	w.rows++
	cell, err := excelize.CoordinatesToCellName(1, w.rows)
	if err != nil {
		return err
	}
	return w.sw.SetRow(cell, vals)
}

// Close ends the sheet (the header as a filtered table when there are
// rows) and writes the workbook to out.
func (w *Writer) Close() error {
	defer w.f.Close()
	if w.rows > 1 {
		last, err := excelize.CoordinatesToCellName(len(w.header), w.rows)
		if err != nil {
			return err
		}
		stripes := true
		if err := w.sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "Structures", StyleName: "TableStyleLight9",
			ShowRowStripes: &stripes}); err != nil {
			return err
		}
	}
	if err := w.sw.Flush(); err != nil {
		return err
	}
	return w.f.Write(w.out)
}

// StructureWriter writes structures as an export does: the canonical
// columns, the reform's, the state and the portal's last word; every cell
// text but the reform's days, which are date cells (Excel's short date
// of the reader's locale), so that a sheet sorts and filters them as
// dates.
type StructureWriter struct {
	*Writer
	lang      i18n.Lang
	dateStyle int
	dates     []int // the columns of days
}

// NewStructureWriter starts a workbook of structures.
func NewStructureWriter(out io.Writer, lang i18n.Lang) (*StructureWriter, error) {
	h := csvio.ExportHeader()
	w, err := NewWriter(out, h)
	if err != nil {
		return nil, err
	}
	style, err := w.f.NewStyle(&excelize.Style{NumFmt: 14}) // the locale's short date
	if err != nil {
		w.Abort()
		return nil, err
	}
	sw := &StructureWriter{Writer: w, lang: lang, dateStyle: style}
	for i, name := range h {
		if dateFields[name] {
			sw.dates = append(sw.dates, i)
		}
	}
	return sw, nil
}

// Write writes one structure.
func (w *StructureWriter) Write(r core.StructureRecord) error {
	cells := csvio.ExportCells(r, w.lang)
	vals, err := textValues(cells)
	if err != nil {
		return err
	}
	for _, i := range w.dates {
		if t := core.Date(cells[i]).Time(); !t.IsZero() {
			vals[i] = excelize.Cell{StyleID: w.dateStyle, Value: t}
		}
	}
	return w.writeValues(vals)
}

// Abort releases a workbook that will not be written (the rows could not
// all be read): nothing reaches out.
func (w *Writer) Abort() { _ = w.f.Close() }

// FromCSV writes a CSV file (an import's rejected rows, with comma as its
// separator) as a workbook: each value as import reads it (Unguard: no
// apostrophe the CSV needed), a text cell.
func FromCSV(out io.Writer, in io.Reader, comma rune) error {
	br := bufio.NewReader(in)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	var w *Writer
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if w != nil {
				w.Abort()
			}
			return err
		}
		for i, v := range rec {
			rec[i] = csvio.Unguard(v)
		}
		if w == nil {
			if w, err = NewWriter(out, rec); err != nil {
				return err
			}
			continue
		}
		if err := w.WriteRow(rec); err != nil {
			w.Abort()
			return err
		}
	}
	if w == nil {
		return nil
	}
	return w.Close()
}
