package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chorusonboard/chorus-onboard/core/xlsxio"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// writeWorkbook writes rows as a workbook's sheet (after a first sheet of
// notes), values as given: numbers stay numbers, as Excel saves them.
func writeWorkbook(t *testing.T, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Notes"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Clients"); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("Clients")
	if err != nil {
		t.Fatal(err)
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
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestImportExportXLSX: a workbook with numbers as SIRETs, a French
// header, a notes sheet first and a formula imports as its CSV twin; the
// rejected rows are written as a workbook; an exported workbook
// re-imports into another database identically.
func TestImportExportXLSX(t *testing.T) {
	dir := testos.TempDir(t)
	ids := sirets(3)
	in := filepath.Join(dir, "clients.xlsx")
	var n [3]int64
	for i := range ids {
		fmt.Sscan(ids[i], &n[i])
	}
	writeWorkbook(t, in, [][]any{
		{"SIRET", "Raison sociale", "Adresse", "Ville", "Code postal", "Téléphone"},
		{n[0], "Société 0", "1 rue", "Paris", 75002, "01 23 45 67 89"},
		{n[1], excelize.Cell{Formula: `"Société "&1`, Value: "Société 1"}, "1 rue", "Paris", 75002},
		{n[2], "Société 2", "1 rue", "Paris", 75002.5},
		{int64(73282932000079), "Bad", "1 rue", "Paris", 75002},
	})
	db := filepath.Join(dir, "onboard.db")
	rejected := filepath.Join(dir, "rejected.xlsx")
	code, out, errOut := runCLI(t, "", nil, "import", "--db", db, "--rejected", rejected, in)
	if code != 1 || !strings.Contains(out, "line 4: postal_code: xlsx.number:") || !strings.Contains(out, "line 5: identifier: siret.checksum:") ||
		!strings.HasSuffix(out, "imported 2, updated 0, rejected 2\nrejected rows written to "+rejected+"\n") ||
		!strings.Contains(errOut, `read the sheet "Clients"`) {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	f, err := excelize.OpenFile(rejected)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.GetRows(xlsxio.SheetName)
	f.Close()
	if err != nil || len(got) != 3 || !strings.Contains(got[1][0], "line 4") || got[2][1] != "73282932000079" {
		t.Fatalf("rejected workbook: %q %v", got, err)
	}
	// The CSV twin.
	twin := filepath.Join(dir, "twin.db")
	csvIn := "SIRET;Raison sociale;Adresse;Ville;Code postal;Téléphone\n" + ids[0] + ";Société 0;1 rue;Paris;75002;01 23 45 67 89\n" +
		ids[1] + ";Société 1;1 rue;Paris;75002;\n"
	if code, out, _ := runCLI(t, csvIn, nil, "import", "--db", twin, "-"); code != 0 {
		t.Fatal(out)
	}
	_, fromXLSX, _ := runCLI(t, "", nil, "export", "--db", db, "--format", "json")
	_, fromCSV, _ := runCLI(t, "", nil, "export", "--db", twin, "--format", "json")
	if fromXLSX != fromCSV {
		t.Fatalf("the workbook and its CSV twin differ:\n%s\n%s", fromXLSX, fromCSV)
	}

	out2 := filepath.Join(dir, "export.xlsx")
	if code, _, errOut := runCLI(t, "", nil, "export", "--db", db, out2); code != 0 {
		t.Fatal(errOut)
	}
	again := filepath.Join(dir, "again.db")
	if code, out, _ := runCLI(t, "", nil, "import", "--db", again, out2); code != 0 || !strings.HasPrefix(out, "imported 2,") {
		t.Fatalf("re-import: %d %s", code, out)
	}
	_, back, _ := runCLI(t, "", nil, "export", "--db", again, "--format", "json")
	if back != fromXLSX {
		t.Fatalf("round trip:\n%s\n%s", back, fromXLSX)
	}
	// Refusals say what to do.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "--db", db, "--sheet", "X", filepath.Join(dir, "a.csv")}, "--sheet is for a workbook"},
		{[]string{"import", "--db", db, "--format", "ods", in}, "--format must be csv, xlsx"},
		{[]string{"import", "--db", db, "--sheet", "Nope", in}, "Nope"},
	} {
		if code, _, errOut := runCLI(t, "", nil, tt.args...); code == 0 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d %q", tt.args, code, errOut)
		}
	}
	notBook := filepath.Join(dir, "fake.xlsx")
	if err := os.WriteFile(notBook, []byte(csvIn), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "", nil, "import", "--db", db, notBook); code != 2 || !strings.Contains(errOut, "xlsx") {
		t.Errorf("a CSV named .xlsx: exit %d %q", code, errOut)
	}
}

// TestLargeWorkbookImportStreams: 100,000 rows in a workbook import with
// the heap measured (the sheet streams; the workbook's zip is held).
func TestLargeWorkbookImportStreams(t *testing.T) {
	if raceDetector || testing.Short() {
		t.Skip("100,000 rows: make test runs it without -race")
	}
	const n = 100_000
	dir := testos.TempDir(t)
	in := filepath.Join(dir, "big.xlsx")
	var buf bytes.Buffer
	w, err := xlsxio.NewWriter(&buf, strings.Split(strings.TrimSpace(header), ","))
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range sirets(n) {
		if err := w.WriteRow([]string{"SIRET", id, "PRIVEE", fmt.Sprintf("Société %d", i), "", "", "", fmt.Sprintf("%d rue", i), "", "",
			"Paris", "75002", "FR", "false"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	size := buf.Len()
	buf = bytes.Buffer{}
	heap := testos.WatchHeap(t)
	var out, errOut bytes.Buffer
	code := run([]string{"import", "--db", filepath.Join(dir, "onboard.db"), in}, env{stdout: &out, stderr: &errOut, getenv: os.Getenv})
	heap.Done()
	if code != 0 || !strings.HasPrefix(out.String(), fmt.Sprintf("imported %d, updated 0, rejected 0", n)) {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	const limit = 128 << 20
	t.Logf("%d rows from a %d KiB workbook imported, live heap peak %d MiB (with garbage %d MiB)", n, size>>10, heap.Live>>20, heap.Alloc>>20)
	if heap.Live > limit {
		t.Fatalf("live heap peaked at %d MiB (limit %d MiB)", heap.Live>>20, limit>>20)
	}
}
