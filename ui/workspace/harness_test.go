package workspace

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

func TestMain(m *testing.M) { uitest.Main(m) }

// harness is the workspace on the real application layer
// (uitest.Harness).
type harness struct {
	*uitest.Harness
	a *area
	w *Workspace
}

func newHarness(t testing.TB, lang string) *harness { return newHarnessWith(t, lang, uitest.Options{}) }

func newHarnessWith(t testing.TB, lang string, opt uitest.Options) *harness {
	t.Helper()
	h := &harness{}
	h.Harness = uitest.New(t, lang, opt, func(x *uitest.Harness) {
		h.w = Register(x.Shell, Deps{Workspace: x.Svc.Workspace, Structures: x.Svc.Structures, Reform: x.Svc.Reform,
			People: x.Svc.People, Sync: x.Svc.Sync})
		h.a = h.w.a
		x.Shell.Show(shell.StepWorkspace)
		x.Shell.Status().Refresh()
	})
	return h
}

// newFakeArea builds the workspace on fakes of its services, in lang,
// everything run inline, on the workspace.
func newFakeArea(t *testing.T, lang string, f *uitest.Fakes) *area {
	t.Helper()
	s := uitest.FakeShell(t, lang, f)
	w := Register(s, Deps{Workspace: f.Workspace, Structures: f.Structures, Reform: f.Reform, People: f.People, Sync: f.Sync})
	s.Show(shell.StepWorkspace)
	return w.a
}

// fillStore stores n structures as an accountant's client base looks:
// mostly ready drafts, some queued, some on the portal, some with errors,
// a few refused.
func fillStore(t testing.TB, h *harness, n int) {
	t.Helper()
	ctx := t.Context()
	companies := sim.SyntheticCompanies(coretest.SIRETs(n))
	var batch []core.SaveStructure
	flush := func() {
		if _, err := h.Store.Structures.SaveStructures(ctx, batch); err != nil {
			t.Fatal(err)
		}
		batch = batch[:0]
	}
	title := cases.Title(language.French)
	for i, c := range companies {
		d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: c.SIRET, Kind: core.KindPrivate,
			CompanyName: title.String(c.Name), Address: c.Number + " " + strings.ToLower(c.StreetType+" "+c.Street),
			City: title.String(c.City), PostalCode: c.PostalCode, Email: fmt.Sprintf("compta%d@client.example", i)}
		if i%13 == 5 {
			d.PostalCode = d.PostalCode[:4]
		}
		checked := core.CheckStructure(d)
		// The registry's category, as a pre-fill records it: the reform's
		// dates follow from it.
		batch = append(batch, core.SaveStructure{Checked: checked, Queue: i%7 == 3 && !checked.Problems().HasErrors(),
			Reform: core.Reform{Category: core.CompanyCategory(c.Category), CategorySource: core.CategoryFromRegistry}, ReformSet: core.ReformCategory})
		if len(batch) == 500 {
			flush()
		}
	}
	flush()
	ids := map[string]int64{}
	if err := h.Store.Structures.EachStructure(ctx, func(r core.StructureRecord) error {
		ids[r.Draft.Identifier] = r.ID
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, c := range companies {
		state := map[int]core.SyncState{0: core.StateCreated, 40: core.StateAttachmentRequested, 80: core.StateFailed}[i%120]
		if state == "" || i%13 == 5 {
			continue
		}
		if err := h.Store.Structures.SetSync(ctx, ids[c.SIRET], core.Sync{State: state}); err != nil {
			t.Fatal(err)
		}
	}
}
