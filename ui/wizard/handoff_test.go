package wizard

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
)

// TestHandoff: on Chorus Pro qualification a structure stays a draft (the
// API cannot create it); the hand-off shows its fields with copy buttons,
// then reads the result back through PISTE.
func TestHandoff(t *testing.T) {
	h := newHarness(t, "en")
	fc := &uitest.FakeChorus{}
	h.Chorus = fc.New
	if err := h.Svc.Connection.SaveSettings(t.Context(), core.Settings{Environment: core.EnvQualification, PISTEClientID: "app",
		TechnicalLogin: "TECH_1@cpro.fr"}); err != nil {
		t.Fatal(err)
	}
	h.Shell.EnvChanged()
	if _, err := h.Svc.Structures.Submit(t.Context(), core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "73282932000074",
		Kind: core.KindPrivate, CompanyName: "ATELIERS DUPONT ET FILS", Address: "1 rue de la Paix", City: "Paris", PostalCode: "75002"}); err != nil {
		t.Fatal(err)
	}
	if ops, _ := h.Store.Outbox.Ops(t.Context()); len(ops) != 0 {
		t.Fatalf("a qualification draft was queued for the sandbox: %+v", ops)
	}
	test.Tap(h.Shell.Bars().Sync)
	ho := h.a.handoffS
	if ho == nil || ho.current == nil || ho.copies[core.FieldIdentifier] == nil {
		t.Fatalf("hand-off screen: %+v", ho)
	}
	test.Tap(ho.copies[core.FieldIdentifier])
	if got := h.App.Clipboard().Content(); got != "73282932000074" {
		t.Fatalf("clipboard %q", got)
	}
	// Not created yet on the portal.
	fc.Find = func(core.IdentifierType, string) (piste.StructureAAfficher, error) {
		return piste.StructureAAfficher{}, &core.E{Kind: core.KindNotFound}
	}
	test.Tap(ho.check)
	if !strings.HasPrefix(ho.message.Text, "Not on Chorus Pro yet") {
		t.Fatalf("message %q", ho.message.Text)
	}
	if fc.Config.ClientID != "app" || fc.Config.TechnicalLogin != "TECH_1@cpro.fr" {
		t.Fatalf("config %+v", fc.Config)
	}
	// Created, with a technical password expiring in 10 days.
	fc.Find = func(core.IdentifierType, string) (piste.StructureAAfficher, error) {
		return piste.StructureAAfficher{IDStructureCPP: 42, IdentifiantStructure: "73282932000074"}, nil
	}
	fc.Expiry = time.Now().Add(10 * 24 * time.Hour).UTC().Format(time.RFC3339)
	test.Tap(ho.check)
	if !strings.Contains(ho.message.Text, "idStructureCPP 42") || !strings.Contains(ho.message.Text, "expires on") {
		t.Fatalf("message %q", ho.message.Text)
	}
	rec := h.StructureByKey(core.IDSIRET, "73282932000074")
	if rec.Sync.State != core.StateCreated || rec.Sync.PortalID != "42" {
		t.Fatalf("local state %+v", rec.Sync)
	}
}

// TestHandoffAccount: the prepared account's fields come with copy buttons.
func TestHandoffAccount(t *testing.T) {
	h := newHarness(t, "en")
	test.Tap(h.a.home.start)
	fillAccount(h.a.accountS, "hand@example.fr")
	h.a.accountS.saveNow()
	h.SetEnv(core.EnvProduction)
	test.Tap(h.Shell.Bars().Sync)
	b := h.a.handoffS.copies["account."+core.FieldLoginEmail]
	if b == nil {
		t.Fatal("no copy button for the login e-mail")
	}
	test.Tap(b)
	if h.App.Clipboard().Content() != "hand@example.fr" {
		t.Fatalf("clipboard %q", h.App.Clipboard().Content())
	}
}

func TestHandoffAttachmentStatus(t *testing.T) {
	h := newHarness(t, "fr")
	if _, _, err := h.Store.Structures.SaveStructure(t.Context(), core.SaveStructure{Checked: core.CheckStructure(core.StructureDraft{IdentifierType: core.IDSIRET,
		Identifier: "35600000049837", Kind: core.KindPrivate, CompanyName: "La Poste", Address: "1 rue", City: "Paris", PostalCode: "75015"})}); err != nil {
		t.Fatal(err)
	}
	if err := h.Svc.Connection.SaveSettings(t.Context(), core.Settings{PISTEOAuthURL: "https://o", PISTEAPIURL: "https://a",
		PISTEClientID: "app", TechnicalLogin: "t"}); err != nil {
		t.Fatal(err)
	}
	fc := &uitest.FakeChorus{Find: func(core.IdentifierType, string) (piste.StructureAAfficher, error) {
		return piste.StructureAAfficher{IDStructureCPP: 7}, nil
	}, Rattachement: []piste.StructureRattachement{{IDStructure: 7, StatutRattachementStructure: piste.StatutValidee}}}
	h.Chorus = fc.New
	h.SetEnv(core.EnvProduction)
	test.Tap(h.Shell.Bars().Sync)
	test.Tap(h.a.handoffS.check)
	if h.a.handoffS.message.Text != "Votre rattachement à cette structure : Validée." {
		t.Fatalf("message %q", h.a.handoffS.message.Text)
	}
	rec := h.StructureByKey(core.IDSIRET, "35600000049837")
	if rec.Sync.State != core.StateAttachmentApproved {
		t.Fatalf("state %s", rec.Sync.State)
	}
}
