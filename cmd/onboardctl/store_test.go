package main

import (
	"bufio"
	"bytes"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"golang.org/x/text/encoding/charmap"

	"github.com/chorusonboard/chorus-onboard/assets"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
	"github.com/chorusonboard/chorus-onboard/core/secrets"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

const childEnv = "CHORUS_CLI_CHILD"

// TestMain lets the kill -9 test run onboardctl as a child process: the
// test binary re-executes itself with the command line in the environment.
func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		var a []string
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			os.Exit(99)
		}
		if g, err := time.ParseDuration(os.Getenv("CHORUS_TEST_SIGNAL_GRACE")); err == nil {
			signalGrace = g
		}
		os.Exit(run(a, env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}))
	}
	// No test reaches the data directory of whoever runs it: a test that
	// forgets --db writes into a throw-away one.
	if os.Getenv(localfs.DataDirEnv) == "" {
		dir, err := os.MkdirTemp("", "onboardctl-test-data-")
		if err != nil {
			os.Exit(98)
		}
		os.Setenv(localfs.DataDirEnv, dir)
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// mapBackend is an in-memory keyring backend.
type mapBackend struct {
	mu sync.Mutex
	m  map[string]string
}

func (b *mapBackend) Get(s, u string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[s+"|"+u]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (b *mapBackend) Set(s, u, p string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string]string{}
	}
	b.m[s+"|"+u] = p
	return nil
}

func (b *mapBackend) Delete(s, u string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.m[s+"|"+u]; !ok {
		return keyring.ErrNotFound
	}
	delete(b.m, s+"|"+u)
	return nil
}

// values returns every secret the keyring holds.
func (b *mapBackend) values() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, v := range b.m {
		out = append(out, v)
	}
	return out
}

// withFakeKeyring points forget at an in-memory keyring for one test.
func withFakeKeyring(t *testing.T) *mapBackend {
	b := &mapBackend{}
	old := keyringOptions
	keyringOptions = []secrets.Option{secrets.WithBackend(b)}
	t.Cleanup(func() { keyringOptions = old })
	return b
}

const header = "identifier_type,identifier,structure_kind,company_name,structure_name,email,phone,address,address_complement_1,address_complement_2,city,postal_code,country,non_diffusible\n"

// sirets returns n distinct valid SIRETs.
func sirets(n int) []string { return coretest.SIRETs(n) }

func csvRows(ids []string) string {
	var b strings.Builder
	b.WriteString(header)
	for i, id := range ids {
		fmt.Fprintf(&b, "SIRET,%s,PRIVEE,Société %d,,compta%d@example.fr,01 23 45 67 89,%d rue de la Paix,,,Paris,75002,FR,false\n", id, i, i, i)
	}
	return b.String()
}

func TestImportListExport(t *testing.T) {
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	ids := sirets(3)
	in := csvRows(ids) + "SIRET,73282932000079,PRIVEE,Bad,,,,1 rue,,,Paris,75002,FR,false\n"
	code, out, _ := runCLI(t, in, nil, "import", "--db", db, "-")
	want := "line 5: identifier: siret.checksum: This SIRET does not exist (its check digit is wrong): check the last 5 digits.\nimported 3, updated 0, rejected 1\n"
	if code != 1 || out != want {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	// Importing again updates, rejects nothing.
	code, out, _ = runCLI(t, csvRows(ids), nil, "import", "--db", db, "-")
	if code != 0 || out != "imported 0, updated 3, rejected 0\n" {
		t.Fatalf("re-import: exit %d %q", code, out)
	}
	code, out, _ = runCLI(t, "", nil, "list", "--db", db)
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(out, "SIRET\t"+ids[0]+"\tSociété 0\tqueued\n") {
		t.Fatalf("list: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "", nil, "export", "--db", db, "--format", "json")
	var recs []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &recs) != nil || len(recs) != 3 || recs[0]["state"] != "queued" || recs[0]["phone"] != "+33123456789" {
		t.Fatalf("export json: %d %s", code, out)
	}
	file := filepath.Join(testos.TempDir(t), "out.csv")
	if code, _, errOut := runCLI(t, "", nil, "export", "--db", db, file); code != 0 {
		t.Fatalf("export to file: %s", errOut)
	}
	b, _ := os.ReadFile(file)
	if !strings.HasPrefix(string(b), "identifier_type,identifier,") || strings.Count(string(b), "\n") != 4 {
		t.Fatalf("export file:\n%s", b)
	}
}

func TestUsageAndIOErrors(t *testing.T) {
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	for _, args := range [][]string{
		{"import", "--db", db},
		{"import", "--db", db, "a", "b"},
		{"import", "--db", db, filepath.Join(testos.TempDir(t), "missing.csv")},
		{"export", "--db", db, "--format", "xml"},
		{"forget", "--db", db},
		{"list", "--db", db, "extra"},
	} {
		if code, _, errOut := runCLI(t, "", nil, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	if code, out, _ := runCLI(t, "foo,bar\n1,2\n", nil, "import", "--db", db, "-"); code != 2 || out != "" {
		t.Errorf("bad header: exit %d %q", code, out)
	}
}

// TestCSVRoundTripAllEncodings: a file in UTF-8, UTF-8 with BOM or
// Windows-1252, with "," or ";", imports to the same data; its export
// re-imports to the same export.
func TestCSVRoundTripAllEncodings(t *testing.T) {
	ids := sirets(4)
	text := csvRows(ids) + "SIRET," + ids[0] + ",PRIVEE,Œuvre « Crème Brûlée »,,,,\"3, allée d'Été\",Bât. É,,Saint-Étienne,42000,France,oui\n"
	cp, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	variants := map[string]string{
		"utf-8": text, "utf-8 bom": "\xef\xbb\xbf" + text, "windows-1252": cp,
		"semicolon": strings.ReplaceAll(strings.ReplaceAll(text, ",", ";"), "\"3; allée", "\"3, allée"),
	}
	var reference string
	for name, data := range variants {
		db := filepath.Join(testos.TempDir(t), "onboard.db")
		if code, out, errOut := runCLI(t, data, nil, "import", "--db", db, "-"); code != 0 {
			t.Fatalf("%s: import exit %d\n%s%s", name, code, out, errOut)
		}
		_, exported, _ := runCLI(t, "", nil, "export", "--db", db)
		if reference == "" {
			reference = exported
		} else if exported != reference {
			t.Errorf("%s: export differs\n%s\nwant\n%s", name, exported, reference)
		}
		db2 := filepath.Join(testos.TempDir(t), "again.db")
		if code, _, _ := runCLI(t, exported, nil, "import", "--db", db2, "-"); code != 0 {
			t.Fatalf("%s: re-import failed", name)
		}
		_, again, _ := runCLI(t, "", nil, "export", "--db", db2)
		if again != exported {
			t.Errorf("%s: re-imported export differs\n%s\nwant\n%s", name, again, exported)
		}
	}
	if !strings.Contains(reference, "Œuvre « Crème Brûlée »") || !strings.Contains(reference, ",Saint-Étienne,'42000,FR,true,,,,,,,,queued,") {
		t.Errorf("export:\n%s", reference)
	}
}

// scanFiles counts the occurrences of each needle in every file under dirs.
func scanFiles(t *testing.T, needles []string, dirs ...string) map[string]int {
	t.Helper()
	hits := map[string]int{}
	for _, dir := range dirs {
		_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			for _, n := range needles {
				if c := bytes.Count(b, []byte(n)); c > 0 {
					hits[n] += c
					t.Logf("%q found %d times in %s", n, c, p)
				}
			}
			return nil
		})
	}
	return hits
}

func canary(prefix string) string {
	b := make([]byte, 8)
	_, _ = crand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// TestForgetLeavesNoTrace is the canary test: a canary secret goes through
// core/secrets, canary personal data through import and export; after
// forget, no file under the data directory or the temporary directory
// holds any of them, and the keyring entry is gone.
func TestForgetLeavesNoTrace(t *testing.T) {
	dataDir, tmp := testos.TempDir(t), testos.TempDir(t)
	t.Setenv("TMPDIR", tmp) // Unix
	t.Setenv("TMP", tmp)    // Windows
	t.Setenv("TEMP", tmp)
	t.Setenv(localfs.DataDirEnv, dataDir)
	backend := withFakeKeyring(t)
	if os.Getenv("CHORUS_REAL_KEYRING") == "1" {
		keyringOptions = nil // the real Secret Service of the CI job
	}
	secret := canary("secret-")
	kr := secrets.New(assets.AppID, core.EnvLocal, keyringOptions...)
	if err := kr.Set(t.Context(), core.SecretTechnicalPassword, secret); err != nil {
		t.Fatal(err)
	}
	email, name := canary("canary")+"@example.fr", canary("Nom")
	phone := "+33123456789"
	// The person's account in the Local sandbox, as the app leaves it.
	sandbox, err := sim.New(t.Context(), sim.Config{SecondFactorOff: true, DataDir: filepath.Join(dataDir, localfs.SandboxDir), Sandbox: true, PasswordIterations: 1})
	if err != nil {
		t.Fatal(err)
	}
	sandboxEmail := canary("sandbox") + "@example.fr"
	if err := sandbox.SeedPerson(t.Context(), sandboxEmail, "Sandbox-Passw0rd!", name, "Dupont"); err != nil {
		t.Fatal(err)
	}
	sandbox.Close()
	ids := sirets(200)
	data := csvRows(ids) + "SIRET," + ids[0] + ",PRIVEE," + name + ",," + email + ",01 23 45 67 89,1 rue,,,Paris,75002,FR,false\n"
	if code, out, errOut := runCLI(t, data, nil, "import", "-"); code != 0 {
		t.Fatalf("import: %s %s", out, errOut)
	}
	_, exported, _ := runCLI(t, "", nil, "export")
	if !strings.Contains(exported, email) {
		t.Fatal("the canary never reached the database: the test would prove nothing")
	}
	if hits := scanFiles(t, []string{email, sandboxEmail}, dataDir); hits[email] == 0 || hits[sandboxEmail] == 0 {
		t.Fatal("canary e-mails not found in the database files before forget: the scan is blind")
	}
	if code, out, errOut := runCLI(t, "", nil, "forget", "--yes"); code != 0 {
		t.Fatalf("forget: %d %s %s", code, out, errOut)
	}
	hits := scanFiles(t, []string{secret, email, sandboxEmail, name, phone, "0123456789"}, dataDir, tmp)
	if len(hits) != 0 {
		t.Fatalf("after forget: %v", hits)
	}
	var left []string
	_ = filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Fatalf("forget left files in the data directory: %v", left)
	}
	if _, err := kr.Get(t.Context(), core.SecretTechnicalPassword); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("keyring entry after forget: %v", err)
	}
	where := "fake keyring"
	if os.Getenv("CHORUS_REAL_KEYRING") == "1" {
		where = "the platform's keyring"
	}
	t.Logf("after forget: no file left in the data directory (database, sandbox), 0 canary hits; %s entry gone (fake keyring entries: %d)", where, len(backend.m))
}

// TestKill9Import kills "onboardctl import" of a 2,000-row file at random
// moments and runs it again until it finishes: the database always ends
// with exactly 2,000 structures, each with its outbox row, and a clean
// integrity check.
func TestKill9Import(t *testing.T) {
	if raceDetector {
		t.Skip("slow under -race: make test runs it without (test-heavy)")
	}
	trials := 8
	if testing.Short() {
		trials = 2
	}
	ids := sirets(2000)
	file := filepath.Join(testos.TempDir(t), "2000.csv")
	if err := os.WriteFile(file, []byte(csvRows(ids)), 0o600); err != nil {
		t.Fatal(err)
	}
	kills := 0
	for trial := range trials {
		db := filepath.Join(testos.TempDir(t), "onboard.db")
		for attempt := 0; ; attempt++ {
			args, _ := json.Marshal([]string{"import", "--db", db, file})
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"="+string(args))
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan string, 1)
			go func() { b, _ := io.ReadAll(bufio.NewReader(stdout)); done <- string(b) }()
			finished := make(chan error, 1)
			go func() { out := <-done; err := cmd.Wait(); _ = out; finished <- err }()
			var err error
			if attempt < 4 {
				select {
				case err = <-finished:
				case <-time.After(time.Duration(rand.IntN(200)) * time.Millisecond):
					_ = testos.Kill(cmd.Process)
					err = <-finished
				}
			} else {
				err = <-finished // enough kills: let it finish
			}
			if testos.Killed(cmd.ProcessState) {
				kills++
				continue
			}
			if err != nil {
				t.Fatalf("trial %d: import failed: %v", trial, err)
			}
			break
		}
		store, err := sqlite.Open(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		counts, _ := store.Structures.CountStructures(t.Context())
		ops, _ := store.Outbox.Ops(t.Context())
		check, _ := store.IntegrityCheck(t.Context())
		store.Close()
		if counts[core.StateQueued] != 2000 || len(counts) != 1 || len(ops) != 2000 || check != "ok" {
			t.Fatalf("trial %d: counts %v, %d outbox rows, integrity %q", trial, counts, len(ops), check)
		}
	}
	if kills == 0 {
		t.Fatal("no import was killed: the test proved nothing")
	}
	t.Logf("%d trials, %d kill -9 during imports: always exactly 2,000 structures, 2,000 outbox rows, integrity ok", trials, kills)
}

// TestLargeImportStreams imports 100,000 rows generated on the fly and
// checks the heap stays bounded: the file is never held in memory.
func TestLargeImportStreams(t *testing.T) {
	if raceDetector {
		t.Skip("slow under -race: make test runs it without (test-heavy)")
	}
	if testing.Short() {
		t.Skip("100,000 rows")
	}
	const n = 100_000
	ids := sirets(n)
	pr, pw := io.Pipe()
	go func(ids []string) {
		w := bufio.NewWriter(pw)
		w.WriteString(header)
		for i, id := range ids {
			fmt.Fprintf(w, "SIRET,%s,PRIVEE,Société %d,,,,%d rue,,,Paris,75002,FR,false\n", id, i, i)
		}
		w.Flush()
		pw.Close()
	}(ids)
	ids = nil
	heap := testos.WatchHeap(t)
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	var out bytes.Buffer
	code := run([]string{"import", "--db", db, "-"}, env{stdin: pr, stdout: &out, stderr: io.Discard, getenv: os.Getenv})
	heap.Done()
	if code != 0 || out.String() != fmt.Sprintf("imported %d, updated 0, rejected 0\n", n) {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	const limit = 96 << 20
	if heap.Live > limit {
		t.Fatalf("live heap peaked at %d MiB importing %d rows (limit %d MiB)", heap.Live>>20, n, limit>>20)
	}
	t.Logf("%d rows imported, live heap peak %d MiB (with garbage %d MiB)", n, heap.Live>>20, heap.Alloc>>20)
}
