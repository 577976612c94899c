package xlsxio

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
)

// What reading a workbook may cost, whatever the file. A workbook is held
// in memory (a zip is read from its end); every part is judged by the
// size the zip's directory gives it before it is unpacked, and
// archive/zip refuses a part that unpacks to more than that size, so the
// directory cannot lie.
const (
	// MaxWorkbookSize is the largest workbook import reads: 100,000
	// clients are a few megabytes.
	MaxWorkbookSize = 32 << 20
	// maxSheetPart bounds a sheet's XML: it streams, never held whole.
	maxSheetPart = 128 << 20
	// maxStringsPart bounds the shared strings' XML, maxStrings their
	// count and maxStringsBytes their text together: they are held for
	// the sheet's cells to point into.
	maxStringsPart  = 64 << 20
	maxStrings      = 1_000_000
	maxStringsBytes = 32 << 20
	// maxSmallPart bounds the workbook's description and relationships.
	maxSmallPart = 4 << 20
	// maxUnreadPart bounds a part import does not read (an image, a
	// printer's settings, a macro): it is never unpacked, but one this
	// large is no workbook as Excel saves it.
	maxUnreadPart = 64 << 20
	// maxParts bounds the entries of the zip, maxSheets the sheets read.
	maxParts  = 10_000
	maxSheets = 1024
	// maxHeaderColumns bounds the header row: the cells after it are not
	// read, nor those past the header's last name in every later row.
	maxHeaderColumns = 1024
	// maxRow is Excel's last row.
	maxRow = 1 << 20
	// maxRun bounds a run of characters between two tags (a cell's text,
	// an attribute): encoding/xml holds a token whole before it is seen.
	maxRun = 1 << 20
)

// Relationship types of the parts import reads.
const (
	relOfficeDocument = "/officeDocument"
	relWorksheet      = "/worksheet"
	relSharedStrings  = "/sharedStrings"
)

// Workbook is an open .xlsx file.
type Workbook struct {
	files   map[string]*zip.File
	sheets  []sheetRef
	strings string // the shared strings' part, "" if none
	// shared are the shared strings once read (sharedErr if they could
	// not be): read on the first sheet's first cell that points into them.
	shared    []string
	sharedErr error
	sharedOK  bool
}

// sheetRef is a sheet of the workbook: its name and its part.
type sheetRef struct{ name, part string }

// notWorkbook is the error of a file that is no workbook.
func notWorkbook(err error) error {
	return &core.E{Kind: core.KindInvalid, Code: CodeNotWorkbook, Op: "open workbook", Err: err}
}

// tooLarge is the error of a workbook or part over its limit.
func tooLarge(part string, limit int64) error {
	return &core.E{Kind: core.KindInvalid, Code: CodeTooLarge, Op: "open workbook",
		Err:    fmt.Errorf("%s is over %d MB", part, limit>>20),
		Params: map[string]string{"part": part, "limit": strconv.FormatInt(limit>>20, 10)}}
}

// Open reads a workbook from r: at most MaxWorkbookSize bytes, held in
// memory. The zip's directory is judged first: a part import reads that
// would unpack to more than its cap, or one it does not read over
// maxUnreadPart, refuses the workbook (CodeTooLarge) before anything is
// unpacked; a file that is no workbook is CodeNotWorkbook.
func Open(r io.Reader) (*Workbook, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxWorkbookSize+1))
	if err != nil {
		return nil, notWorkbook(err)
	}
	if len(data) > MaxWorkbookSize {
		return nil, tooLarge("the workbook", MaxWorkbookSize)
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, notWorkbook(err)
	}
	if len(z.File) > maxParts {
		return nil, notWorkbook(fmt.Errorf("%d parts", len(z.File)))
	}
	w := &Workbook{files: make(map[string]*zip.File, len(z.File))}
	for _, f := range z.File {
		w.files[strings.TrimPrefix(f.Name, "/")] = f
	}
	book := w.target("", "_rels/.rels", relOfficeDocument)
	if book == "" {
		book = "xl/workbook.xml"
	}
	if err := w.readBook(book); err != nil {
		return nil, err
	}
	// Judge every part by what it may unpack to, those read and the rest.
	read := map[string]int64{book: maxSmallPart, "_rels/.rels": maxSmallPart, relsOf(book): maxSmallPart, w.strings: maxStringsPart}
	for _, s := range w.sheets {
		read[s.part] = maxSheetPart
	}
	for name, f := range w.files {
		limit, ok := read[name]
		if !ok {
			limit = maxUnreadPart
		}
		if f.UncompressedSize64 > uint64(limit) {
			return nil, tooLarge(name, limit)
		}
	}
	return w, nil
}

// Close releases the workbook.
func (w *Workbook) Close() error { return nil }

// Sheets lists the workbook's sheets, in their order.
func (w *Workbook) Sheets() []string {
	out := make([]string, len(w.sheets))
	for i, s := range w.sheets {
		out[i] = s.name
	}
	return out
}

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

// FirstUsable returns the first sheet import can read, or an error that
// says none can: the first sheet's own when it is broken or too large,
// else that no sheet has the columns.
func (w *Workbook) FirstUsable() (string, error) {
	var broken error
	for _, name := range w.Sheets() {
		_, release, err := w.Reader(name)
		if err == nil {
			release()
			return name, nil
		}
		if c := core.CodeOf(err); broken == nil && (c == CodeNotWorkbook || c == CodeTooLarge) {
			broken = err
		}
	}
	if broken != nil {
		return "", broken
	}
	return "", &core.E{Kind: core.KindInvalid, Code: CodeNoHeader, Op: "read workbook",
		Err:    fmt.Errorf("%w: no sheet has the columns %s and %s", csvio.ErrHeader, core.FieldIdentifier, core.FieldCompanyName),
		Params: map[string]string{"sheets": strings.Join(w.Sheets(), ", ")}}
}

// Reader returns a reader of the structures of a sheet, positioned after
// its header, and a function that releases the sheet. The header is the
// sheet's first row with a value, found as in a CSV file (French or
// English names); every later row is read up to the header's last column.
func (w *Workbook) Reader(sheet string) (*csvio.Reader, func(), error) {
	part := ""
	for _, s := range w.sheets {
		if s.name == sheet {
			part = s.part
		}
	}
	f := w.files[part]
	if f == nil {
		return nil, func() {}, &core.E{Kind: core.KindInvalid, Code: CodeNoSheet, Op: "read sheet",
			Err: fmt.Errorf("no sheet %q", sheet), Params: map[string]string{"sheet": sheet, "sheets": strings.Join(w.Sheets(), ", ")}}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, func() {}, notWorkbook(err)
	}
	release := func() { _ = rc.Close() }
	recs := &records{wb: w, dec: newDecoder(rc), limit: maxHeaderColumns}
	rd, err := csvio.NewRecordReader(recs)
	if err != nil {
		release()
		if recs.err != nil {
			err = recs.err // the sheet itself is broken, not its header
		}
		return nil, func() {}, err
	}
	return rd, release, nil
}

// newDecoder reads XML from r with every run between tags bounded.
func newDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(&runLimiter{r: r})
	d.Strict = true
	return d
}

// runLimiter fails a read once maxRun bytes have passed without a '<':
// a cell's text or an attribute that long is no workbook Excel wrote, and
// encoding/xml would hold it whole.
type runLimiter struct {
	r   io.Reader
	run int
}

var errRun = errors.New("a value of the workbook is over 1 MB")

func (l *runLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, c := range p[:n] {
		if c == '<' {
			l.run = 0
		} else if l.run++; l.run > maxRun {
			return 0, errRun
		}
	}
	return n, err
}

// open opens a part no larger than limit.
func (w *Workbook) open(name string, limit int64) (io.ReadCloser, error) {
	f := w.files[name]
	if f == nil {
		return nil, notWorkbook(fmt.Errorf("no part %s", name))
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, tooLarge(name, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, notWorkbook(fmt.Errorf("%s: %w", name, err))
	}
	return rc, nil
}

// decodePart reads a small part (the workbook, relationships) into v.
func (w *Workbook) decodePart(name string, v any) error {
	rc, err := w.open(name, maxSmallPart)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := newDecoder(rc).Decode(v); err != nil {
		return notWorkbook(fmt.Errorf("%s: %w", name, err))
	}
	return nil
}

// relsOf is the relationships part of a part: xl/_rels/workbook.xml.rels.
func relsOf(part string) string {
	dir, file := path.Split(part)
	return dir + "_rels/" + file + ".rels"
}

// relationships is a .rels part.
type relationships struct {
	Rel []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// target returns the part a relationship of relsPart points to: by its
// id, or (id "") the first of the type whose name ends with typ; "" if
// none. Targets are relative to from's directory, or absolute.
func (w *Workbook) target(from, relsPart, typ string, id ...string) string {
	var rels relationships
	if w.decodePart(relsPart, &rels) != nil {
		return ""
	}
	for _, r := range rels.Rel {
		if len(id) > 0 && r.ID != id[0] || len(id) == 0 && !strings.HasSuffix(r.Type, typ) {
			continue
		}
		if strings.HasPrefix(r.Target, "/") {
			return path.Clean(strings.TrimPrefix(r.Target, "/"))
		}
		return path.Clean(path.Join(path.Dir(from), r.Target))
	}
	return ""
}

// readBook reads the workbook's sheets and where its shared strings are.
func (w *Workbook) readBook(book string) error {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			// Every attribute, for the relationship's id: its namespace
			// differs between transitional and strict files, its local
			// name does not.
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := w.decodePart(book, &wb); err != nil {
		return err
	}
	rels := relsOf(book)
	for _, s := range wb.Sheets {
		id := ""
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				id = a.Value
			}
		}
		if part := w.target(book, rels, relWorksheet, id); part != "" && len(w.sheets) < maxSheets {
			w.sheets = append(w.sheets, sheetRef{name: s.Name, part: part})
		}
	}
	if len(w.sheets) == 0 {
		return notWorkbook(errors.New("no sheet"))
	}
	w.strings = w.target(book, rels, relSharedStrings)
	return nil
}

// sharedStrings returns the workbook's shared strings, read once: every
// <si> as the text of its <t> runs (not its phonetic ones), at most
// maxStrings of them and maxStringsBytes of text (CodeTooLarge beyond).
func (w *Workbook) sharedStrings() ([]string, error) {
	if w.sharedOK || w.sharedErr != nil {
		return w.shared, w.sharedErr
	}
	w.shared, w.sharedErr = w.readStrings()
	w.sharedOK = w.sharedErr == nil
	return w.shared, w.sharedErr
}

func (w *Workbook) readStrings() ([]string, error) {
	if w.strings == "" || w.files[w.strings] == nil {
		return nil, nil
	}
	rc, err := w.open(w.strings, maxStringsPart)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := newDecoder(rc)
	var out []string
	total := 0
	var sb strings.Builder
	inSI, inT, phonetic := false, false, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, notWorkbook(fmt.Errorf("%s: %w", w.strings, err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				if len(out) == maxStrings {
					return nil, &core.E{Kind: core.KindInvalid, Code: CodeTooManyStrings, Op: "open workbook",
						Err: fmt.Errorf("%s: over %d strings", w.strings, maxStrings), Params: map[string]string{"limit": "1 000 000"}}
				}
				inSI = true
				sb.Reset()
			case "rPh":
				phonetic++
			case "t":
				inT = inSI && phonetic == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				inSI = false
				out = append(out, sb.String())
			case "rPh":
				phonetic--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				if total += len(t); total > maxStringsBytes {
					return nil, tooLarge(w.strings, maxStringsBytes)
				}
				sb.Write(t)
			}
		}
	}
}

// records reads a sheet's rows as csvio records: each cell's stored value
// (not as displayed: a date format or a rounded number would lose it),
// with the numbers of identifier, phone and postal code columns written
// back as the digits they are, and the day of date columns. The first row
// with a value is the header; after it, a row is read only up to the
// header's last named column, so a note or a total typed beside the table
// is not part of any row, and a row with nothing in the table's columns is
// blank (and skipped as an empty CSV line is).
type records struct {
	wb     *Workbook
	dec    *xml.Decoder
	limit  int      // columns read: maxHeaderColumns, then the header's
	fields []string // by column: its field, from the header ("" for none)
	header bool     // the header was read
	line   int      // the last row's number
	err    error    // the sheet's own failure, once it broke off
}

// Next returns the next row of the sheet. A sheet whose XML breaks off
// ends the import with CodeNotWorkbook (its line 0: not one row's fault).
func (r *records) Next() (csvio.Record, error) {
	for {
		cells, line, err := r.row()
		if err != nil {
			return csvio.Record{}, err
		}
		rec := csvio.Record{Cells: cells, Line: line}
		if !r.header {
			if blank(cells) {
				continue
			}
			r.header = true
			last := 0
			for i, h := range cells {
				r.fields = append(r.fields, csvio.FieldOf(h))
				if strings.TrimSpace(h) != "" {
					last = i + 1
				}
			}
			r.limit = last
			rec.Cells = cells[:last]
			return rec, nil
		}
		for i, v := range cells {
			switch {
			case i >= len(r.fields):
			case dateFields[r.fields[i]]:
				cells[i] = dateOfSerial(v)
			case digitFields[r.fields[i]]:
				d, code := digitsOfNumber(v)
				if code != "" {
					rec.Problems = append(rec.Problems, core.Problem{Field: r.fields[i], Code: code, Severity: core.Error})
					continue
				}
				cells[i] = d
			}
		}
		return rec, nil
	}
}

// blank reports whether no cell holds anything but spaces.
func blank(cells []string) bool {
	for _, v := range cells {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// row reads the sheet's next <row>: its cells up to r.limit (by their
// reference, so skipped cells stay empty) and its number; io.EOF after the
// last.
func (r *records) row() ([]string, int, error) {
	broken := func(err error) ([]string, int, error) {
		if core.CodeOf(err) == "" {
			err = notWorkbook(fmt.Errorf("row after %d: %w", r.line, err))
		}
		r.err = err
		return nil, 0, err
	}
	for {
		tok, err := r.dec.Token()
		if err == io.EOF {
			return nil, 0, io.EOF
		}
		if err != nil {
			return broken(err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok || start.Name.Local != "row" {
			continue
		}
		line := r.line + 1
		if v := attr(start, "r"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= r.line || n > maxRow {
				return broken(fmt.Errorf("row number %q", v))
			}
			line = n
		}
		r.line = line
		cells, err := r.cells()
		if err != nil {
			return broken(err)
		}
		return cells, line, nil
	}
}

// cells reads a row's cells up to its end tag.
func (r *records) cells() ([]string, error) {
	var out []string
	col := -1
	for {
		tok, err := r.dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if t.Name.Local == "row" {
				return out, nil
			}
		case xml.StartElement:
			if t.Name.Local != "c" {
				if err := r.dec.Skip(); err != nil {
					return nil, err
				}
				continue
			}
			col++
			if ref := attr(t, "r"); ref != "" {
				n, ok := columnOf(ref)
				if !ok || n < col {
					return nil, fmt.Errorf("cell %q", ref)
				}
				col = n
			}
			if col >= r.limit {
				// Past the table's columns (or Excel's): not read.
				if err := r.dec.Skip(); err != nil {
					return nil, err
				}
				continue
			}
			v, err := r.value(t)
			if err != nil {
				return nil, err
			}
			for len(out) < col {
				out = append(out, "")
			}
			out = append(out, v)
		}
	}
}

// value reads a cell's stored value up to its end tag: the shared string
// it points to, its inline string, or its <v> as written (a number, a
// formula's cached text, a boolean's 0 or 1, an error such as #N/A).
func (r *records) value(c xml.StartElement) (string, error) {
	typ := attr(c, "t")
	var v, inline strings.Builder
	depth, in := 0, ""
	phonetic := 0
	for {
		tok, err := r.dec.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch t.Name.Local {
			case "v":
				in = "v"
			case "t":
				if phonetic == 0 {
					in = "t"
				}
			case "rPh":
				phonetic++
			case "f":
				// The formula itself: its cached value is in <v>.
				if err := r.dec.Skip(); err != nil {
					return "", err
				}
				depth--
			}
		case xml.EndElement:
			if depth == 0 {
				// The cell's own end.
				if typ == "inlineStr" {
					return inline.String(), nil
				}
				if typ != "s" {
					return v.String(), nil
				}
				strs, err := r.wb.sharedStrings()
				if err != nil {
					return "", err
				}
				i, err := strconv.Atoi(strings.TrimSpace(v.String()))
				if err != nil || i < 0 || i >= len(strs) {
					return "", fmt.Errorf("shared string %q of %d", v.String(), len(strs))
				}
				return strs[i], nil
			}
			depth--
			if t.Name.Local == "rPh" {
				phonetic--
			}
			in = ""
		case xml.CharData:
			switch in {
			case "v":
				v.Write(t)
			case "t":
				inline.Write(t)
			}
		}
	}
}

// attr returns a start tag's attribute by its local name.
func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// columnOf returns the column index (0 for A) of a cell reference such
// as "AB12"; false for one that is not a reference within Excel's 16,384
// columns.
func columnOf(ref string) (int, bool) {
	n, i := 0, 0
	for ; i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z'; i++ {
		if i == 3 {
			return 0, false
		}
		n = n*26 + int(ref[i]-'A'+1)
	}
	if i == 0 || n > 16384 {
		return 0, false
	}
	for _, c := range ref[i:] {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return n - 1, true
}
