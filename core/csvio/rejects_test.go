package csvio

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
)

// importFile imports in and writes its refused rows as RejectWriter does.
func importFile(t *testing.T, s Saver, in string, lang i18n.Lang) (Stats, *Reader, string) {
	t.Helper()
	var rejected bytes.Buffer
	var rw *RejectWriter
	var rejections []Rejection
	st, rd, err := Import(context.Background(), s, strings.NewReader(in), func(r Rejection) { rejections = append(rejections, r) })
	if err != nil {
		t.Fatal(err)
	}
	rw, err = NewRejectWriter(&rejected, rd.Header(), WriterOptions{Lang: lang, Comma: ';', BOM: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rejections {
		if err := rw.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	return st, rd, rejected.String()
}

// TestRejectedRowsImportAgain: the file of refused rows says why in the
// user's language, keeps each row as it was (formulas guarded), imports
// again without a notice about its error column, and once fixed in a
// spreadsheet imports cleanly.
func TestRejectedRowsImportAgain(t *testing.T) {
	in := "SIRET;Raison sociale;Adresse;Ville;Code postal;Notes\n" +
		"'73282932000074;Bon;1 rue;Paris;75002;ok\n" +
		"'73282932000079;=1+2;1 rue;Paris;75002;mauvais SIRET\n" +
		"35600000049837;C;;Paris;7500;deux erreurs\n"
	s := &memSaver{byKey: map[string]core.SaveStructure{}}
	st, _, rejected := importFile(t, s, in, i18n.FR)
	if st.Imported != 1 || st.Rejected != 2 {
		t.Fatalf("stats %+v", st)
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
	st, rd, _ := importFile(t, s, rejected, i18n.FR)
	if st.Rejected != 2 || len(rd.Ignored) != 1 || rd.Ignored[0] != "Notes" {
		t.Errorf("re-import as is: %+v, ignored %v", st, rd.Ignored)
	}
	// Fixed the way an accountant would, it goes in.
	fixed := strings.NewReplacer("'73282932000079", "44126652500019", ";;Paris;'7500;", ";2 rue;Paris;75015;").Replace(rejected)
	st, _, again := importFile(t, s, fixed, i18n.EN)
	if st.Imported != 2 || st.Rejected != 0 || strings.Count(again, "\n") != 1 {
		t.Errorf("after fixing: %+v\n%s", st, again)
	}
	if got := s.byKey["SIRET:44126652500019"].Draft.CompanyName; got != "=1+2" {
		t.Errorf("the guarded cell came back as %q", got)
	}
}
