package xlsxio

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/internal/hostile"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// readAll reads every row of a reader.
func readAll(t *testing.T, rd *csvio.Reader) []csvio.Row {
	t.Helper()
	var out []csvio.Row
	for {
		row, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
}

// clientsCSV is the CSV twin of the workbook clientsWorkbook writes.
const clientsCSV = "SIRET;Raison sociale;Adresse;Ville;Code postal;Téléphone\n" +
	"73282932000074;Ateliers Dupont;1 rue de la Paix;Paris;75002;0612457898\n" +
	"44306184100047;SCIERIE;1 chemin du Moulin;Épinal;88000;\n" +
	"35600000000048;La Poste;9 rue du Colonel Pierre Avia;Paris;75015;\n"

// clientsWorkbook is what an accountant's workbook looks like: a notes
// sheet first, then the clients with a French header, the SIRETs, postal
// codes and phones typed as numbers (Excel's default), a company name
// computed by a formula (with its computed value, as Excel saves it).
func clientsWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Notes"); err != nil {
		t.Fatal(err)
	}
	set := func(sheet, cell string, v any) {
		t.Helper()
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("Notes", "A1", "Clients à passer sur Chorus Pro avant septembre")
	if _, err := f.NewSheet("Clients"); err != nil {
		t.Fatal(err)
	}
	// Written as Excel saves it: numbers as numbers, B3 a formula with
	// its computed value (t="str").
	sw, err := f.NewStreamWriter("Clients")
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"SIRET", "Raison sociale", "Adresse", "Ville", "Code postal", "Téléphone"},
		{int64(73282932000074), "Ateliers Dupont", "1 rue de la Paix", "Paris", 75002, "0612457898"},
		{float64(44306184100047), excelize.Cell{Formula: `UPPER("scierie")`, Value: "SCIERIE"}, "1 chemin du Moulin", "Épinal", 88000},
		{"35600000000048", "La Poste", "9 rue du Colonel Pierre Avia", "Paris", 75015},
	}
	for r, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if fm, _ := f.GetCellFormula("Clients", "B3"); fm == "" {
		t.Fatal("B3 is no formula")
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestWorkbookReadsAsItsCSVTwin: numbers as SIRETs, a French header, two
// sheets and a formula cell read exactly as the same rows in CSV.
func TestWorkbookReadsAsItsCSVTwin(t *testing.T) {
	wb, err := Open(bytes.NewReader(clientsWorkbook(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if got := wb.Sheets(); !reflect.DeepEqual(got, []string{"Notes", "Clients"}) {
		t.Fatalf("sheets %v", got)
	}
	if got := wb.Usable(); !reflect.DeepEqual(got, []string{"Clients"}) {
		t.Fatalf("usable %v", got)
	}
	sheet, err := wb.FirstUsable()
	if err != nil || sheet != "Clients" {
		t.Fatalf("first usable %q %v", sheet, err)
	}
	rd, release, err := wb.Reader(sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	got := readAll(t, rd)
	twin, err := csvio.NewReader(strings.NewReader(clientsCSV))
	if err != nil {
		t.Fatal(err)
	}
	want := readAll(t, twin)
	if len(got) != 3 || !reflect.DeepEqual(got, want) {
		t.Fatalf("workbook rows\n%+v\nCSV rows\n%+v", got, want)
	}
	if _, _, err := wb.Reader("Notes"); !strings.Contains(err.Error(), "header") {
		t.Fatalf("the notes sheet: %v", err)
	}
}

// TestDigitsOfNumber: a stored number is written back as its digits
// exactly, or refused: never rounded.
func TestDigitsOfNumber(t *testing.T) {
	for _, tt := range []struct {
		in, want, code string
	}{
		{"73282932000074", "73282932000074", ""},
		{"7.3282932000074E13", "73282932000074", ""},
		{"7.3282932000074e+13", "73282932000074", ""},
		{"7.3282932E+13", "73282932000000", ""}, // what was stored: validation refuses its checksum
		{"75002", "75002", ""},
		{"612457898.0", "612457898", ""},
		{"75002.5", "75002.5", CodeNumber},
		{"01 23 45 67 89", "01 23 45 67 89", ""},
		{"0612457898", "0612457898", ""},
		{"ABC", "ABC", ""},
		{"", "", ""},
		{"0.5E1", "5", ""},
		{"000.000", "0", ""},
		{"0E999999999999", "0", ""},
		{"5E-1", "5E-1", CodeNumber},
		{"1E31", "1" + strings.Repeat("0", 31), ""},
		{"1E32", "1E32", CodeNumberTooLong},
		// Issue 29: an exponent of ten billion is refused at once, never
		// computed (it took minutes and 1.3 GB).
		{"1E10000000000", "1E10000000000", CodeNumberTooLong},
		{"1E+0010000000000", "1E+0010000000000", CodeNumberTooLong},
		{"1E-10000000000", "1E-10000000000", CodeNumber},
		{"12345678901234567890123456789012345", "12345678901234567890123456789012345", ""}, // no point: text as it is
	} {
		got, code := digitsOfNumber(tt.in)
		if got != tt.want || code != tt.code {
			t.Errorf("%q: %q %q, want %q %q", tt.in, got, code, tt.want, tt.code)
		}
	}
}

// FuzzDigitsOfNumber: a number written back is its digits exactly (the
// same value as a big.Float reads it), in bounded time, or refused.
func FuzzDigitsOfNumber(f *testing.F) {
	for _, s := range []string{"7.3282932000074E13", "75002.5", "1E10000000000", "0.5E1", "1E31", "000.0001e4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, code := digitsOfNumber(v)
		if code != "" || !number.MatchString(v) || !strings.ContainsAny(v, ".eE") {
			return
		}
		if len(got) > maxNumberDigits {
			t.Fatalf("%q gave %d digits", v, len(got))
		}
		want, ok := new(big.Float).SetPrec(4096).SetString(v)
		if !ok {
			return
		}
		i, _ := new(big.Int).SetString(got, 10)
		if want.Cmp(new(big.Float).SetPrec(4096).SetInt(i)) != 0 {
			t.Fatalf("%q gave %s", v, got)
		}
	})
}

// TestExportReimports: an exported workbook re-imports identically, holds
// no formula, types every cell as text, freezes and filters its header.
func TestExportReimports(t *testing.T) {
	recs := []core.StructureRecord{
		{Draft: core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "73282932000074", Kind: core.KindPrivate,
			CompanyName: "=HYPERLINK(\"http://x\")", Phone: "0612457898", PostalCode: "01000", City: "Bourg", Country: "FR"},
			Reform: core.Reform{Platform: "=1+1", MandateSigned: "2026-06-30", Addresses: []string{"732829320", "732829320_FACTURES"},
				CheckedOn: "2026-11-20", Seen: "@Pennylane", Note: "two\nlines", Category: core.CategoryETI},
			Sync: core.Sync{State: core.StateDraft}},
		{Draft: core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "00012345678901", Kind: core.KindPublic,
			CompanyName: "+33 Société", Address: "@home", NonDiffusible: true, Country: "FR"},
			Sync: core.Sync{State: core.StateCreated}},
	}
	var b bytes.Buffer
	w, err := NewStructureWriter(&b, i18n.FR)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(SheetName)
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	for r := range rows {
		for c := range rows[r] {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if fm, _ := f.GetCellFormula(SheetName, cell); fm != "" {
				t.Errorf("%s is a formula: %q", cell, fm)
			}
			typ, _ := f.GetCellType(SheetName, cell)
			if name := rows[0][c]; r > 0 && (name == core.FieldMandateSigned || name == core.FieldCheckedOn) {
				// Days are date cells: a number with a date format.
				style, _ := f.GetCellStyle(SheetName, cell)
				st, _ := f.GetStyle(style)
				if rows[r][c] != "" && (typ == excelize.CellTypeInlineString || st == nil || st.NumFmt != 14) {
					t.Errorf("%s (%q) is not a date cell: %v %+v", cell, rows[r][c], typ, st)
				}
				continue
			}
			if rows[r][c] != "" && typ != excelize.CellTypeInlineString {
				t.Errorf("%s (%q) is not a text cell: %v", cell, rows[r][c], typ)
			}
		}
	}
	if panes, err := f.GetPanes(SheetName); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	if tables, err := f.GetTables(SheetName); err != nil || len(tables) != 1 || tables[0].Range != "A1:W3" {
		t.Errorf("header not filtered: %+v %v", tables, err)
	}
	if wd, _ := f.GetColWidth(SheetName, "B"); wd < 18 {
		t.Errorf("identifier column %v wide", wd)
	}

	wb, err := Open(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rd, release, err := wb.Reader(SheetName)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	got := readAll(t, rd)
	for i, r := range got {
		if r.Draft != recs[i].Draft || len(r.Problems) != 0 {
			t.Errorf("row %d re-imports as\n%+v %v\nwant\n%+v", i, r.Draft, r.Problems, recs[i].Draft)
		}
		if fmt.Sprint(r.Reform) != fmt.Sprint(recs[i].Reform) || r.ReformSet != core.ReformAll {
			t.Errorf("row %d's reform re-imports as\n%+v (%b)\nwant\n%+v", i, r.Reform, r.ReformSet, recs[i].Reform)
		}
	}
}

// TestNotAWorkbook: a CSV renamed .xlsx, or nothing, is said to be no
// workbook.
func TestNotAWorkbook(t *testing.T) {
	for _, in := range []string{"", clientsCSV, "PK\x03\x04broken"} {
		if _, err := Open(strings.NewReader(in)); core.CodeOf(err) != CodeNotWorkbook {
			t.Errorf("%q: %v", in[:min(len(in), 10)], err)
		}
	}
}

// FuzzWorkbook: any bytes open as a workbook or are refused as none; an
// opened one's sheets read to the end or stop with an error, never a panic.
func FuzzWorkbook(f *testing.F) {
	var b bytes.Buffer
	w, err := NewStructureWriter(&b, i18n.EN)
	if err != nil {
		f.Fatal(err)
	}
	_ = w.Write(core.StructureRecord{Draft: core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "73282932000074", CompanyName: "A"}})
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte("PK\x03\x04"))
	for _, book := range [][]byte{hostile.Exponent(), hostile.BesideTheTable(), hostile.FarCells(3), hostile.SharedStrings(10), hostile.ZeroPart(1 << 10)} {
		f.Add(book)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		wb, err := Open(bytes.NewReader(data))
		if err != nil {
			if c := core.CodeOf(err); c != CodeNotWorkbook && c != CodeTooLarge {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		defer wb.Close()
		for _, s := range wb.Usable() {
			rd, release, err := wb.Reader(s)
			if err != nil {
				continue
			}
			for range 10_000 {
				if _, err := rd.Next(); err != nil {
					break
				}
			}
			release()
		}
	})
}

// TestHostileWorkbooks (issue 29): a client's workbook is untrusted. Each
// shape that cost minutes or gigabytes before is read, or refused, at
// once and in little memory. Measured before on this machine: a number with
// an exponent of six hundred million (over 120 s), a part of 1 GB of zeros
// in a 1.2 MB file (1 GB resident), 20 million shared strings in 2.5 MB
// (57 s, 2.2 GB), a note in Excel's last column on 20,000 rows (11 s). And
// what is typed beside the table is no part of a row, nor an error.
func TestHostileWorkbooks(t *testing.T) {
	for _, tt := range []struct {
		name    string
		book    func() []byte
		refused string   // the workbook's code when it is refused whole
		rows    []string // else each row: its identifier, or the code of its first problem
	}{
		{"exponent of six hundred million", hostile.Exponent, "", []string{CodeNumberTooLong, "73282932000074"}},
		{"1 GB of zeros in a part not read", func() []byte { return hostile.ZeroPart(1_000_000_000) }, CodeTooLarge, nil},
		{"20 million shared strings", func() []byte { return hostile.SharedStrings(20_000_000) }, CodeTooLarge, nil},
		{"3.5 million shared strings in a part under its cap", func() []byte { return hostile.SharedStrings(3_500_000) }, CodeTooManyStrings, nil},
		{"a note in the last column of 20,000 rows", func() []byte { return hostile.FarCells(20_000) }, "", nil},
		{"a cell of 2 MB of text", func() []byte {
			return hostile.Workbook(hostile.Row(2, "73282932000074", strings.Repeat("A", 2<<20), "Paris"), nil)
		}, CodeNotWorkbook, nil},
		{"a sheet that unpacks to more than its directory says", func() []byte {
			return lying(hostile.Workbook(hostile.Row(2, "73282932000074", "Ateliers Dupont", "Paris"), nil), "xl/worksheets/sheet1.xml")
		}, CodeNotWorkbook, nil},
		{"a total and notes beside the table", hostile.BesideTheTable, "", []string{"73282932000074", "44306184100047"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			book := tt.book()
			heap := testos.WatchHeap(t)
			start := time.Now()
			var got []string
			n := 0
			err := func() error {
				wb, err := Open(bytes.NewReader(book))
				if err != nil {
					return err
				}
				defer wb.Close()
				sheet, err := wb.FirstUsable()
				if err != nil {
					return err
				}
				rd, release, err := wb.Reader(sheet)
				if err != nil {
					return err
				}
				defer release()
				for {
					row, err := rd.Next()
					if err == io.EOF {
						return nil
					}
					if err != nil {
						return err
					}
					n++
					if len(rd.Cells()) > hostile.Columns {
						return fmt.Errorf("line %d: %d cells read, past the table's columns", row.Line, len(rd.Cells()))
					}
					if len(row.Problems) > 0 {
						got = append(got, row.Problems[0].Code)
					} else {
						got = append(got, row.Draft.Identifier)
					}
				}
			}()
			heap.Done()
			t.Logf("%d KB: %v, %d rows, in %v; live heap at most %d MB", len(book)>>10, err, n, time.Since(start).Round(time.Millisecond), heap.Live>>20)
			if tt.refused != "" {
				if core.CodeOf(err) != tt.refused {
					t.Fatalf("%v, want the workbook refused with %s", err, tt.refused)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if tt.rows != nil && !reflect.DeepEqual(got, tt.rows) {
				t.Errorf("rows %q, want %q", got, tt.rows)
			}
			if heap.Live > 256<<20 {
				t.Errorf("the live heap reached %d MB", heap.Live>>20)
			}
		})
	}
}

// lying rewrites a workbook so that the directory gives part a size of
// 100 bytes, far less than it unpacks to.
func lying(book []byte, part string) []byte {
	z, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, f := range z.File {
		raw, err := f.OpenRaw()
		if err != nil {
			panic(err)
		}
		h := f.FileHeader
		if f.Name == part {
			h.UncompressedSize64 = 100
		}
		out, err := w.CreateRaw(&h)
		if err != nil {
			panic(err)
		}
		if _, err := io.Copy(out, raw); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}
