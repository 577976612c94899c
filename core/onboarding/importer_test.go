package onboarding_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/connect"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// offline builds the services over a fresh store, with no portal: what an
// import needs.
func offline(t testing.TB) (onboarding.Services, *sqlite.DB) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(testos.TempDir(t), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := onboarding.New(t.Context(), connect.Stores(st), onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: testos.TempDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	return svc, st
}

// importText imports in through the workspace, as the window and
// onboardctl do, and returns the report with each rejection.
func importText(t *testing.T, w *onboarding.Workspace, in string, lang i18n.Lang) (*onboarding.ImportReport, string) {
	t.Helper()
	rep, err := w.ImportCSV(t.Context(), strings.NewReader(in), onboarding.ImportOptions{Sheet: csvio.WriterOptions{Lang: lang, Comma: ';', BOM: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })
	var rejected bytes.Buffer
	if err := rep.SaveRejected(&rejected); err != nil {
		t.Fatal(err)
	}
	return rep, rejected.String()
}

// TestImportReportsAndCounts: refused rows are said with their cells, a
// repeated identifier is said and its later values kept, a row the reader
// cannot parse is said, and the counts add up.
func TestImportReportsAndCounts(t *testing.T) {
	svc, st := offline(t)
	in := "identifier,company_name,address,city,postal_code\n" +
		"73282932000074,A,1 rue,Paris,75002\n" +
		"73282932000079,B,1 rue,Paris,75002\n" + // bad checksum
		"35600000049837,C,,Paris,7500\n" + // two problems
		"\n" +
		"73282932000074,A bis,1 rue,Paris,75002\n" + // same key: update
		"\"unterminated,D\n"
	rep, _ := importText(t, svc.Workspace, in, i18n.EN)
	var rej []csvio.Rejection
	var cells [][]string
	for _, r := range rep.Rejections {
		cells = append(cells, r.Cells)
		r.Cells = nil
		rej = append(rej, r)
	}
	// Each refused row comes with its cells as the file wrote them.
	if got := fmt.Sprint(cells); got != "[[73282932000079 B 1 rue Paris 75002] [35600000049837 C  Paris 7500] [35600000049837 C  Paris 7500] [] []]" {
		t.Errorf("cells %s", got)
	}
	if rep.ImportStats != (onboarding.ImportStats{Imported: 1, Updated: 1, Rejected: 3, Duplicates: 1}) {
		t.Errorf("stats %+v", rep.ImportStats)
	}
	// Line 6 repeats line 2's identifier: said, and its values kept
	// (nothing is dropped silently).
	want := []csvio.Rejection{{Line: 3, Field: "identifier", Code: "siret.checksum"}, {Line: 4, Field: "address", Code: "required"},
		{Line: 4, Field: "postal_code", Code: "postal.length"},
		{Line: 6, Field: "identifier", Code: csvio.CodeDuplicateInFile, Warning: true, Params: map[string]string{"first": "2", "line": "6"}},
		{Line: 7, Field: "csv", Code: csvio.CodeMalformed}}
	if !reflect.DeepEqual(rej, want) {
		t.Errorf("rejections\n%v\nwant\n%v", rej, want)
	}
	got, err := coretest.StructureByKey(t.Context(), st.Structures, core.IDSIRET, "73282932000074")
	if err != nil || got.Draft.CompanyName != "A bis" || got.Sync.State != core.StateQueued {
		t.Errorf("stored %+v %v", got, err)
	}
}

// TestRejectedRowsImportAgain: the file of refused rows says why in the
// user's language, keeps each row as it was (formulas guarded), imports
// again without a notice about its error column, and once fixed in a
// spreadsheet imports cleanly.
func TestRejectedRowsImportAgain(t *testing.T) {
	svc, st := offline(t)
	in := "SIRET;Raison sociale;Adresse;Ville;Code postal;Notes\n" +
		"'73282932000074;Bon;1 rue;Paris;75002;ok\n" +
		"'73282932000079;=1+2;1 rue;Paris;75002;mauvais SIRET\n" +
		"35600000049837;C;;Paris;7500;deux erreurs\n"
	rep, rejected := importText(t, svc.Workspace, in, i18n.FR)
	if rep.Imported != 1 || rep.Rejected != 2 {
		t.Fatalf("stats %+v", rep.ImportStats)
	}
	want := "\ufefferreur;SIRET;Raison sociale;Adresse;Ville;Code postal;Notes\n" +
		"ligne 3: " + i18n.T(i18n.FR, "field.identifier") + " : " + i18n.T(i18n.FR, "siret.checksum") + ";'73282932000079;'=1+2;1 rue;Paris;'75002;mauvais SIRET\n"
	if !strings.HasPrefix(rejected, want) {
		t.Errorf("rejected rows:\n%s", rejected)
	}
	if lines := strings.Count(rejected, "\n"); lines != 3 {
		t.Errorf("%d lines, want the header and one per refused row:\n%s", lines, rejected)
	}
	if !strings.Contains(rejected, "ligne 4: ") || !strings.Contains(rejected, i18n.T(i18n.FR, "field.address")) {
		t.Errorf("the row with two problems does not give both:\n%s", rejected)
	}
	// As it is, the file is refused for the same reasons, and its error
	// column is not an unknown column.
	rep, _ = importText(t, svc.Workspace, rejected, i18n.FR)
	if rep.Rejected != 2 || len(rep.Ignored) != 1 || rep.Ignored[0] != "Notes" {
		t.Errorf("re-import as is: %+v, ignored %v", rep.ImportStats, rep.Ignored)
	}
	// Fixed the way an accountant would, it goes in.
	fixed := strings.NewReplacer("'73282932000079", "44126652500019", ";;Paris;'7500;", ";2 rue;Paris;75015;").Replace(rejected)
	rep, again := importText(t, svc.Workspace, fixed, i18n.EN)
	if rep.Imported != 2 || rep.Rejected != 0 || again != "" {
		t.Errorf("after fixing: %+v\n%s", rep.ImportStats, again)
	}
	if got, _ := coretest.StructureByKey(t.Context(), st.Structures, core.IDSIRET, "44126652500019"); got.Draft.CompanyName != "=1+2" {
		t.Errorf("the guarded cell came back as %q", got.Draft.CompanyName)
	}
}

// TestImportReformColumns: a firm's sheet with the reform's columns in
// French keeps them; a row whose address is another company's, or whose
// date does not exist, is refused with its field; a later file with only
// the platform column changes the platform and keeps the rest.
func TestImportReformColumns(t *testing.T) {
	svc, st := offline(t)
	in := "SIRET;Raison sociale;Adresse;Ville;Code postal;Catégorie entreprise;Plateforme;Date mandat;Adresses de facturation;Annuaire vérifié le\n" +
		"73282932000074;A;1 rue;Paris;75002;micro;Facturo;30/06/2026;\"732829320; 732829320_FACTURES\";2026-11-20\n" +
		"35600000000048;B;1 rue;Paris;75015;GE;Facturo;31/02/2026;;\n" +
		"77984790400033;C;1 rue;Lyon;69007;PME;;;552100554;\n"
	rep, _ := importText(t, svc.Workspace, in, i18n.EN)
	if rep.Imported != 1 || rep.Rejected != 2 {
		t.Fatalf("imported %d, rejected %d: %+v", rep.Imported, rep.Rejected, rep.Rejections)
	}
	fields := map[string]string{}
	for _, x := range rep.Rejections {
		fields[x.Field] = x.Code
	}
	if fields[core.FieldMandateSigned] != "date.invalid" || fields[core.FieldAddresses] != "invoicing.other_siren" {
		t.Fatalf("rejections %+v", rep.Rejections)
	}
	var got core.Reform
	_ = st.Structures.EachStructure(t.Context(), func(r core.StructureRecord) error { got = r.Reform; return nil })
	want := core.Reform{Category: core.CategoryPME, CategorySource: core.CategoryFromUser, Platform: "Facturo", MandateSigned: "2026-06-30",
		Addresses: []string{"732829320", "732829320_FACTURES"}, CheckedOn: "2026-11-20"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("kept %+v\nwant %+v", got, want)
	}
	importText(t, svc.Workspace, "SIRET;Raison sociale;Adresse;Ville;Code postal;PA\n73282932000074;A;1 rue;Paris;75002;Libeo\n", i18n.EN)
	_ = st.Structures.EachStructure(t.Context(), func(r core.StructureRecord) error { got = r.Reform; return nil })
	want.Platform = "Libeo"
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after a platform-only file %+v\nwant %+v", got, want)
	}
}

// dayClock is a clock stopped on one day.
type dayClock struct{ t time.Time }

func (c dayClock) Now() time.Time { return c.t }

// TestImportReformDatesByTheServicesClock: an imported row's reform dates
// are judged against the services' clock, the same day as the reform
// form's, not this computer's: on 1 June 2026 a mandate signed on 30 June
// is after today and refuses its row, one of 31 May is kept.
func TestImportReformDatesByTheServicesClock(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(testos.TempDir(t), "onboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := dayClock{time.Date(2026, 6, 1, 10, 0, 0, 0, time.Local)}
	svc, err := onboarding.New(t.Context(), connect.Stores(st), onboarding.Config{NewOpID: sqlite.NewOpID, SpoolDir: testos.TempDir(t), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	in := "SIRET;Raison sociale;Adresse;Ville;Code postal;Date mandat\n" +
		"73282932000074;A;1 rue;Paris;75002;30/06/2026\n" +
		"35600000000048;B;1 rue;Paris;75015;31/05/2026\n"
	rep, _ := importText(t, svc.Workspace, in, i18n.EN)
	if rep.Imported != 1 || rep.Rejected != 1 || len(rep.Rejections) != 1 || rep.Rejections[0].Field != core.FieldMandateSigned {
		t.Fatalf("imported %d, rejected %d: %+v", rep.Imported, rep.Rejected, rep.Rejections)
	}
}
