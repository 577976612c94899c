package workspace

import (
	"database/sql"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/chorusonboard/chorus-onboard/core"
)

// TestSyncPanel: a structure the portal refuses shows with its message;
// discard takes it back to draft; retry now sends what waits.
func TestSyncPanel(t *testing.T) {
	h := newHarness(t, "en")
	if err := h.Sim.SeedAccount(t.Context(), "panel@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	h.SignIn("panel@example.fr", "Tr0ub4dor&3x-Lune")
	// Queued while "offline" (the rows were written, nothing sent yet).
	bad := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "73282932000079", Kind: core.KindPrivate,
		CompanyName: "Refusée", Address: "1 rue", City: "Paris", PostalCode: "75002", Country: "FR"}
	good := bad
	good.Identifier, good.CompanyName = "35600000049837", "Acceptée"
	queueRefused(t, h, bad)
	if _, _, err := h.Store.Structures.SaveStructure(t.Context(), core.SaveStructure{Checked: core.CheckStructure(good), Queue: true}); err != nil {
		t.Fatal(err)
	}
	test.Tap(h.Shell.Bars().Sync)
	p := h.a.syncS
	if len(p.list.Objects) != 2 || len(p.discard) != 2 {
		t.Fatalf("%d rows, %d discard buttons", len(p.list.Objects), len(p.discard))
	}
	test.Tap(p.retry)
	if len(p.discard) != 1 {
		t.Fatalf("after retry: %d rows still with a discard button", len(p.discard))
	}
	refused := h.StructureByKey(core.IDSIRET, "73282932000079")
	if refused.Sync.State != core.StateFailed || refused.Sync.Notice.IsZero() {
		t.Fatalf("refused: %+v", refused.Sync)
	}
	test.Tap(p.discard[refused.ID])
	refused = h.StructureByKey(core.IDSIRET, "73282932000079")
	if refused.Sync.State != core.StateDraft || len(p.discard) != 0 {
		t.Fatalf("after discard: %s, %d buttons", refused.Sync.State, len(p.discard))
	}
	h.w.NotifyBatch(SyncResult{Sent: 1, Created: 1})
	if !strings.Contains(p.summary.Text, "created 1") {
		t.Fatalf("summary %q", p.summary.Text)
	}
}

// TestRefusalFollowsTheLanguage: the portal's refusal is stored as a code
// with its parameters, so switching language shows it in the new one.
func TestRefusalFollowsTheLanguage(t *testing.T) {
	h := newHarness(t, "en")
	if err := h.Sim.SeedAccount(t.Context(), "lang@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	h.SignIn("lang@example.fr", "Tr0ub4dor&3x-Lune")
	bad := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "73282932000079", Kind: core.KindPrivate,
		CompanyName: "Refusée", Address: "1 rue", City: "Paris", PostalCode: "75002", Country: "FR"}
	queueRefused(t, h, bad)
	test.Tap(h.Shell.Bars().Sync)
	test.Tap(h.a.syncS.retry)
	text := func() string {
		var all []string
		for _, o := range h.a.syncS.list.Objects {
			for _, l := range test.LaidOutObjects(o) {
				if lbl, ok := l.(*widget.Label); ok {
					all = append(all, lbl.Text)
				}
			}
		}
		return strings.Join(all, "\n")
	}
	en := text()
	if !strings.Contains(en, "SIRET") || !strings.Contains(en, "check digit") {
		t.Fatalf("refusal in English: %q", en)
	}
	test.Tap(h.Shell.Bars().Lang)
	fr := text()
	if fr == en || !strings.Contains(fr, "clé de contrôle") || !strings.Contains(fr, "Identifiant : ") {
		t.Fatalf("refusal after switching to French: %q", fr)
	}
}

// queueRefused queues d, which the portal refuses, as an older version
// whose rules let it through would have: the store takes only what
// today's rules pass, so a valid structure is queued and its record and
// row rewritten underneath.
func queueRefused(t *testing.T, h *harness, d core.StructureDraft) {
	t.Helper()
	valid := d
	valid.Identifier = "73282932000074"
	if _, _, err := h.Store.Structures.SaveStructure(t.Context(), core.SaveStructure{Checked: core.CheckStructure(valid), Queue: true}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", h.Store.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(t.Context(), `UPDATE structure SET identifier = ? WHERE identifier = ?`, d.Identifier, valid.Identifier); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(t.Context(), `UPDATE outbox SET payload = ? WHERE structure_id = (SELECT id FROM structure WHERE identifier = ?)`,
		core.EncodeStructurePayload(d), d.Identifier); err != nil {
		t.Fatal(err)
	}
}
