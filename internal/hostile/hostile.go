// Package hostile builds the workbooks an attacker (or a broken
// exporter) hands an accountant, for the tests, fuzz seeds and benchmarks
// that hold the import to bounded time and memory (issue 29): small files
// that cost the most to read. Each is a valid .xlsx as far as a zip reader
// and Excel's part names go, written part by part with archive/zip so
// that every size and count is exactly what the test says.
package hostile

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
)

// Part is one file of a workbook's zip.
type Part struct {
	Name string
	// Body is the part's content; when nil, Zeros bytes of '0' are
	// written instead (a part that compresses a thousandfold).
	Body  []byte
	Zeros int64
}

// header is the sheet's first row: the columns import reads.
const header = `<row r="1"><c r="A1" t="inlineStr"><is><t>SIRET</t></is></c><c r="B1" t="inlineStr"><is><t>Raison sociale</t></is></c>` +
	`<c r="C1" t="inlineStr"><is><t>Adresse</t></is></c><c r="D1" t="inlineStr"><is><t>Code postal</t></is></c>` +
	`<c r="E1" t="inlineStr"><is><t>Ville</t></is></c></row>`

// Columns is how many columns the table has.
const Columns = 5

// Workbook writes a workbook of one sheet, "Clients", whose sheetData is
// rows (after the header row), with the shared strings sst (none when
// empty) and the extra parts.
func Workbook(rows string, sst []byte, extra ...Part) []byte {
	parts := []Part{
		{Name: "[Content_Types].xml", Body: []byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)},
		{Name: "_rels/.rels", Body: []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{Name: "xl/workbook.xml", Body: []byte(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
			`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Clients" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		{Name: "xl/_rels/workbook.xml.rels", Body: []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)},
		{Name: "xl/worksheets/sheet1.xml", Body: []byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			header + rows + `</sheetData></worksheet>`)},
	}
	if len(sst) > 0 {
		parts = append(parts, Part{Name: "xl/sharedStrings.xml", Body: sst})
	}
	return Zip(append(parts, extra...)...)
}

// Zip writes parts as a zip, each deflated.
func Zip(parts ...Part) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for _, p := range parts {
		w, err := z.Create(p.Name)
		if err != nil {
			panic(err)
		}
		if p.Body != nil {
			_, err = w.Write(p.Body)
		} else {
			_, err = io.CopyN(w, zeros{}, p.Zeros)
		}
		if err != nil {
			panic(err)
		}
	}
	if err := z.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// zeros reads '0' forever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// Row is one data row: a SIRET (written as given: a number cell when it
// has no letters), a company name, an address and postal code in Paris,
// and a city.
func Row(n int, siret, name, city string) string {
	t := ""
	v := `<v>` + siret + `</v>`
	if strings.ContainsAny(siret, "ABCDFGHIJKLMNOPQRSTUVWXYZabcdfghijklmnopqrstuvwxyz ") {
		t, v = ` t="inlineStr"`, `<is><t>`+siret+`</t></is>`
	}
	return fmt.Sprintf(`<row r="%d"><c r="A%d"%s>%s</c><c r="B%d" t="inlineStr"><is><t>%s</t></is></c>`+
		`<c r="C%d" t="inlineStr"><is><t>1 rue de la Paix</t></is></c><c r="D%d"><v>75002</v></c>`+
		`<c r="E%d" t="inlineStr"><is><t>%s</t></is></c></row>`,
		n, n, t, v, n, name, n, n, n, city)
}

// Exponent is a workbook of a few hundred bytes whose identifier cell is a
// number with an exponent of six hundred million: read as exact digits, it
// is a number of six hundred million digits (a big.Float takes it, and
// minutes and gigabytes to write it out).
func Exponent() []byte {
	return Workbook(Row(2, "1E600000000", "Ateliers Dupont", "Paris")+Row(3, "73282932000074", "Scierie", "Épinal"), nil)
}

// ZeroPart is a workbook of about a megabyte that carries a part of size
// bytes of zeros the import does not read (a "printer setting"); at 1 GB,
// just under excelize's limit on a workbook's parts together, it was
// unpacked into memory.
func ZeroPart(size int64) []byte {
	return Workbook(Row(2, "73282932000074", "Ateliers Dupont", "Paris"), nil, Part{Name: "xl/printerSettings/printerSettings1.bin", Zeros: size})
}

// SharedStrings is a workbook whose shared strings are n one-letter
// entries (20 million fit in under a megabyte, zipped); its one client's
// city is the last of them, so a reader must read them all.
func SharedStrings(n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, n, n)
	for range n {
		b.WriteString(`<si><t>a</t></si>`)
	}
	b.WriteString(`</sst>`)
	row := strings.Replace(Row(2, "73282932000074", "Ateliers Dupont", "Paris"), `<c r="E2" t="inlineStr"><is><t>Paris</t></is></c>`,
		fmt.Sprintf(`<c r="E2" t="s"><v>%d</v></c>`, n-1), 1)
	return Workbook(row, b.Bytes())
}

// FarCells is a workbook of rows clients, each with a note in Excel's last
// column (XFD): a row read to its last cell is 16,384 cells.
func FarCells(rows int) []byte {
	var b strings.Builder
	for i := range rows {
		n := i + 2
		r := Row(n, "73282932000074", "Ateliers Dupont", "Paris")
		b.WriteString(strings.TrimSuffix(r, "</row>"))
		fmt.Fprintf(&b, `<c r="XFD%d" t="inlineStr"><is><t>note</t></is></c></row>`, n)
	}
	return Workbook(b.String(), nil)
}

// BesideTheTable is a workbook whose rows have a total and a note typed
// to the right of the table, and a row holding only such a note: none of
// it is part of a row.
func BesideTheTable() []byte {
	rows := Row(2, "73282932000074", "Ateliers Dupont", "Paris")
	rows = strings.TrimSuffix(rows, "</row>") + `<c r="G2"><v>1250.5</v></c><c r="H2" t="inlineStr"><is><t>relancé le 3/11</t></is></c></row>`
	rows += `<row r="3"><c r="H3" t="inlineStr"><is><t>Total</t></is></c><c r="I3"><v>1250.5</v></c></row>`
	rows += Row(4, "44306184100047", "Scierie", "Épinal")
	return Workbook(rows, nil)
}
