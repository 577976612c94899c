package csvio

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
)

func readAll(t *testing.T, data []byte) ([]Row, *Reader) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, r
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
}

const englishCSV = "identifier_type,identifier,structure_kind,company_name,structure_name,email,phone,address,address_complement_1,address_complement_2,city,postal_code,country,non_diffusible\n" +
	"SIRET,732 829 320 00074,PRIVEE,Société Générale d'Études,,compta@example.fr,01 23 45 67 89,\"1, rue de la Paix\",Bât. A,,Paris,75002,FR,false\n"

func TestHeadersAndValues(t *testing.T) {
	french := "Type d'identifiant;Identifiant;Type de structure;Raison sociale;Adresse;Ville;Code postal;Pays;Non diffusible\n" +
		"Structure européenne hors France;DE 811 363 057;Privée;Müller GmbH;Hauptstr. 1;Berlin;10115;Allemagne;oui\n" +
		";73282932000074;;Durand;1 rue;Lyon;69001;;\n"
	rows, r := readAll(t, []byte(french))
	if r.Delimiter != ';' || len(rows) != 2 {
		t.Fatalf("delimiter %q, %d rows", r.Delimiter, len(rows))
	}
	d := rows[0].Draft
	if d.IdentifierType != core.IDEUOutside || d.Kind != core.KindPrivate || d.Country != "DE" || !d.NonDiffusible || d.CompanyName != "Müller GmbH" {
		t.Errorf("row 1: %+v", d)
	}
	if rows[1].Draft.IdentifierType != core.IDSIRET || rows[1].Draft.EffectiveCountry() != core.DefaultCountry || rows[1].Draft.Kind != core.KindPrivate || rows[1].Line != 3 {
		t.Errorf("row 2 defaults: %+v line %d", rows[1].Draft, rows[1].Line)
	}
	rows, _ = readAll(t, []byte(englishCSV))
	if rows[0].Draft.Address != "1, rue de la Paix" || rows[0].Draft.Complement1 != "Bât. A" {
		t.Errorf("quoted field: %+v", rows[0].Draft)
	}
}

func TestBadCellsAreProblems(t *testing.T) {
	rows, _ := readAll(t, []byte("identifier_type,identifier,company_name,structure_kind,non_diffusible\nSIREN,1,X,ASSO,peut-être\n"))
	var codes []string
	for _, p := range rows[0].Problems {
		codes = append(codes, p.Field+":"+p.Code)
	}
	want := []string{"identifier_type:identifier_type.invalid", "structure_kind:structure_kind.invalid", "non_diffusible:non_diffusible.invalid"}
	if !slices.Equal(codes, want) {
		t.Errorf("problems %v, want %v", codes, want)
	}
}

func TestHeaderErrors(t *testing.T) {
	for _, in := range []string{"", "foo,bar\n1,2\n", "identifier,identifiant,company_name\n"} {
		if _, err := NewReader(strings.NewReader(in)); !errors.Is(err, ErrHeader) {
			t.Errorf("NewReader(%q) = %v, want a header error", in, err)
		}
	}
}

// TestEncodings: the same file as UTF-8, UTF-8 with BOM, and Windows-1252
// (Excel's "CSV (séparateur: point-virgule)" in France) reads the same.
func TestEncodings(t *testing.T) {
	text := "raison_sociale;identifiant;adresse;ville;code_postal\n" +
		"Crème & Café Œnologie — Société;73282932000074;12 allée des Châtaigniers;Saint-Étienne;42000\n"
	cp1252, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	variants := map[string][]byte{
		"utf-8":        []byte(text),
		"utf-8 bom":    append([]byte("\xef\xbb\xbf"), text...),
		"windows-1252": []byte(cp1252),
		"crlf":         []byte(strings.ReplaceAll(text, "\n", "\r\n")),
	}
	for name, data := range variants {
		rows, _ := readAll(t, data)
		d := rows[0].Draft
		if d.CompanyName != "Crème & Café Œnologie — Société" || d.City != "Saint-Étienne" || d.Address != "12 allée des Châtaigniers" {
			t.Errorf("%s: %+v", name, d)
		}
	}
}

// TestLongLines: a line longer than the read buffer (64 KiB), with
// multi-byte runes across the cut, reads back whole, its fields each under
// the 64 KiB a field may hold.
func TestLongLines(t *testing.T) {
	long := strings.Repeat("é", 30_000)  // 60,000 bytes
	other := strings.Repeat("ê", 10_000) // 20,000 more: the line is over 64 KiB
	rows, _ := readAll(t, []byte("identifier,company_name,address\n73282932000074,"+long+","+other+"\n"))
	if rows[0].Draft.CompanyName != long || rows[0].Draft.Address != other {
		t.Fatalf("long values: %d and %d bytes back, want %d and %d", len(rows[0].Draft.CompanyName), len(rows[0].Draft.Address), len(long), len(other))
	}
}

// TestRoundTrip: what Writer writes, Reader reads back to the same drafts.
func TestRoundTrip(t *testing.T) {
	recs := []core.StructureRecord{
		{Draft: core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "73282932000074", Kind: core.KindPrivate,
			CompanyName: "Société \"Les Amis\", SARL", StructureName: "Siège", Email: "a@b.fr", Phone: "+33123456789",
			Address: "1 rue\nBât. B", Complement1: "c1", Complement2: "c2", City: "Paris", PostalCode: "75002", Country: "FR", NonDiffusible: true},
			Sync: core.Sync{State: core.StateFailed, Notice: core.Notice{Code: "portal.text", Params: map[string]string{"text": "refusé ; voir"}}}},
		{Draft: core.StructureDraft{IdentifierType: core.IDOther, Identifier: "EN COURS 1", Kind: core.KindPublic,
			CompanyName: "Mairie", Address: "Place", City: "Papeete", PostalCode: "98714", Country: "PF"}},
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, WriterOptions{Lang: i18n.EN})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, rd := readAll(t, buf.Bytes())
	if len(rd.Ignored) != 0 {
		t.Errorf("export columns not recognised on import: %v", rd.Ignored)
	}
	for i, r := range rows {
		if r.Draft != recs[i].Draft || len(r.Problems) != 0 {
			t.Errorf("row %d:\n%+v\nwant\n%+v", i, r.Draft, recs[i].Draft)
		}
	}
}

// FuzzReader: any bytes give rows or errors, never a panic, and every row
// read is valid UTF-8 in every field.
func FuzzReader(f *testing.F) {
	f.Add([]byte(englishCSV))
	f.Add([]byte("raison_sociale;identifiant\n\"a;b\";1\n"))
	f.Add([]byte("\xef\xbb\xbfidentifier,company_name\n\xe9t\xe9,\"x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		for range 10_000 {
			row, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				continue
			}
			for _, v := range []string{row.Draft.Identifier, row.Draft.CompanyName, row.Draft.City} {
				if !utf8Valid(v) {
					t.Fatalf("invalid UTF-8 %q", v)
				}
			}
		}
	})
}

// FuzzRoundTrip: any draft written by Writer reads back unchanged.
func FuzzRoundTrip(f *testing.F) {
	f.Add("73282932000074", "Société", "1 rue", "Paris", "75002", true)
	f.Add("x\"y", "a,b;c", "l1\nl2", "\r", "", false)
	f.Add("0", "0", "0", "\x00", "", false) // a NUL byte is not written
	f.Fuzz(func(t *testing.T, id, name, addr, city, postal string, nd bool) {
		noNUL := func(s string) string { return strings.ReplaceAll(s, "\x00", "") }
		for _, s := range []string{id, name, addr, city, postal} {
			if !utf8Valid(s) || strings.ContainsRune(s, '\r') || strings.TrimSpace(noNUL(s)) != noNUL(s) {
				return // CSV normalises \r\n and our reader trims nothing, but spreadsheets do
			}
		}
		written := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: id, Kind: core.KindPrivate, CompanyName: name,
			Address: addr, City: city, PostalCode: postal, Country: "FR", NonDiffusible: nd}
		id, name, addr, city, postal = noNUL(id), noNUL(name), noNUL(addr), noNUL(city), noNUL(postal)
		d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: id, Kind: core.KindPrivate, CompanyName: name,
			Address: addr, City: city, PostalCode: postal, Country: "FR", NonDiffusible: nd}
		var buf bytes.Buffer
		w, _ := NewWriter(&buf, WriterOptions{Lang: i18n.EN})
		_ = w.Write(core.StructureRecord{Draft: written})
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		r, err := NewReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		row, err := r.Next()
		if id == "" && name == "" && addr == "" && city == "" && postal == "" {
			return // a blank data row is skipped, by design
		}
		if err != nil {
			t.Fatalf("%v\n%q", err, buf.String())
		}
		if row.Draft != d {
			t.Fatalf("got %+v\nwant %+v", row.Draft, d)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\x00") == s }

// TestNULAndMixedEncodings (hardening, second round, item 17): a NUL byte
// inside a value refuses its row (before: dropped, "7328293\0 2000074"
// read as a valid SIRET); a line mixing UTF-8 and Windows-1252 is refused
// (before: stored as mojibake), even inside a quoted field on two lines;
// the lines around them read as they are.
func TestNULAndMixedEncodings(t *testing.T) {
	data := []byte("identifiant;raison_sociale;ville\n" +
		"7328293\x00 2000074;Ateliers;Paris\n" +
		"73282932000074;Soci\xc3\xa9t\xc3\xa9 et Fr\xe8res;Paris\n" + // é in UTF-8, è in Windows-1252
		"44126652500019;\"Cabinet\nB\xe9rnard\";Lyon\n" + // Windows-1252 only, on two lines
		"77984790400033;\"Boulangerie\nd\xc3\xa9j\xe0 vue\";Lyon\n" + // mixed, on the record's second line
		"35600000000048;Soci\xc3\xa9t\xc3\xa9;Paris\n")
	rows, _ := readAll(t, data)
	if len(rows) != 5 {
		t.Fatalf("%d rows", len(rows))
	}
	want := []struct {
		line int
		code string
		name string
	}{
		{2, "identifier:" + CodeNUL, ""},
		{3, "csv:" + CodeMixedEncoding, ""},
		{4, "", "Cabinet\nBérnard"},
		{6, "csv:" + CodeMixedEncoding, ""},
		{8, "", "Société"},
	}
	for i, w := range want {
		r := rows[i]
		var codes []string
		for _, p := range r.Problems {
			codes = append(codes, p.Field+":"+p.Code)
		}
		if r.Line != w.line || strings.Join(codes, " ") != w.code || (w.name != "" && r.Draft.CompanyName != w.name) {
			t.Errorf("row %d: line %d, problems %v, name %q; want line %d, %q, %q", i, r.Line, codes, r.Draft.CompanyName, w.line, w.code, w.name)
		}
	}
}
