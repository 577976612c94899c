package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/piste"
)

// fakeChorus is a func-field Chorus for the hand-off tests.
type fakeChorus struct {
	find   func(core.IdentifierType, string) (piste.StructureAAfficher, error)
	ratt   []piste.StructureRattachement
	expiry string
	cfg    onboarding.ChorusConfig
}

func (f *fakeChorus) FindStructure(_ context.Context, t core.IdentifierType, id string) (piste.StructureAAfficher, error) {
	if f.find == nil {
		return piste.StructureAAfficher{}, &core.E{Kind: core.KindNotFound, Code: "piste.not_found"}
	}
	return f.find(t, id)
}
func (f *fakeChorus) Consulter(context.Context, int64, string) (piste.WsRetourConsulterStructure, error) {
	return piste.WsRetourConsulterStructure{InformationGenerales: &piste.InformationsGeneralesStructure{DateExpirationMotPasseCompteTech: f.expiry}}, nil
}
func (f *fakeChorus) Rattachements(context.Context) ([]piste.StructureRattachement, error) {
	return f.ratt, nil
}

func TestHandoff(t *testing.T) {
	h := newHarness(t, "en")
	fc := &fakeChorus{}
	h.chorus = func(cfg onboarding.ChorusConfig) onboarding.Chorus { fc.cfg = cfg; return fc }
	// Qualification: the structure form keeps a draft, nothing is queued.
	test.Tap(h.ui.head.settings)
	st := h.ui.settingsS
	st.env.SetSelected("Chorus Pro qualification")
	st.clientID.SetText("app")
	st.login.SetText("TECH_1@cpro.fr")
	test.Tap(st.save)
	h.ui.show(stepStructure)
	s := h.ui.structureS
	test.Type(s.identifier, "73282932000074")
	// The registry pre-fills it in qualification too; PISTE says it is
	// not on Chorus Pro yet.
	if s.company.Text != "ATELIERS DUPONT ET FILS" || s.zip.Text != "75002" || !strings.HasPrefix(s.lookup.Text, "This structure is not present in Chorus Pro") {
		t.Fatalf("pre-filled %q %q, lookup %q", s.company.Text, s.zip.Text, s.lookup.Text)
	}
	test.Tap(s.submit)
	if ops, _ := h.store.Outbox.Ops(t.Context()); len(ops) != 0 {
		t.Fatalf("a qualification draft was queued for the sandbox: %+v", ops)
	}
	test.Tap(h.ui.bar.sync)
	ho := h.ui.handoffS
	if ho == nil || ho.current == nil || ho.copies[core.FieldIdentifier] == nil {
		t.Fatalf("hand-off screen: %+v", ho)
	}
	test.Tap(ho.copies[core.FieldIdentifier])
	if got := h.app.Clipboard().Content(); got != "73282932000074" {
		t.Fatalf("clipboard %q", got)
	}
	// Not created yet on the portal.
	fc.find = func(core.IdentifierType, string) (piste.StructureAAfficher, error) {
		return piste.StructureAAfficher{}, &core.E{Kind: core.KindNotFound}
	}
	test.Tap(ho.check)
	if !strings.HasPrefix(ho.message.Text, "Not on Chorus Pro yet") {
		t.Fatalf("message %q", ho.message.Text)
	}
	if fc.cfg.ClientID != "app" || fc.cfg.TechnicalLogin != "TECH_1@cpro.fr" {
		t.Fatalf("config %+v", fc.cfg)
	}
	// Created, with a technical password expiring in 10 days.
	fc.find = func(core.IdentifierType, string) (piste.StructureAAfficher, error) {
		return piste.StructureAAfficher{IDStructureCPP: 42, IdentifiantStructure: "73282932000074"}, nil
	}
	fc.expiry = time.Now().Add(10 * 24 * time.Hour).UTC().Format(time.RFC3339)
	test.Tap(ho.check)
	if !strings.Contains(ho.message.Text, "idStructureCPP 42") || !strings.Contains(ho.message.Text, "expires on") {
		t.Fatalf("message %q", ho.message.Text)
	}
	rec := h.structureByKey(core.IDSIRET, "73282932000074")
	if rec.Sync.State != core.StateCreated || rec.Sync.PortalID != "42" {
		t.Fatalf("local state %+v", rec.Sync)
	}
}

// TestHandoffAccount: the prepared account's fields come with copy buttons.
func TestHandoffAccount(t *testing.T) {
	h := newHarness(t, "en")
	test.Tap(h.ui.home.start)
	fillAccount(h.ui.accountS, "hand@example.fr")
	h.ui.accountS.saveNow()
	h.setEnv(core.EnvProduction)
	test.Tap(h.ui.bar.sync)
	b := h.ui.handoffS.copies["account."+core.FieldLoginEmail]
	if b == nil {
		t.Fatal("no copy button for the login e-mail")
	}
	test.Tap(b)
	if h.app.Clipboard().Content() != "hand@example.fr" {
		t.Fatalf("clipboard %q", h.app.Clipboard().Content())
	}
}

func TestHandoffAttachmentStatus(t *testing.T) {
	h := newHarness(t, "fr")
	if _, _, err := h.store.Structures.SaveStructure(t.Context(), core.SaveStructure{Checked: core.CheckStructure(core.StructureDraft{IdentifierType: core.IDSIRET,
		Identifier: "35600000049837", Kind: core.KindPrivate, CompanyName: "La Poste", Address: "1 rue", City: "Paris", PostalCode: "75015"})}); err != nil {
		t.Fatal(err)
	}
	if err := h.svc.Connection.SaveSettings(t.Context(), core.Settings{PISTEOAuthURL: "https://o", PISTEAPIURL: "https://a",
		PISTEClientID: "app", TechnicalLogin: "t"}); err != nil {
		t.Fatal(err)
	}
	fc := &fakeChorus{find: func(core.IdentifierType, string) (piste.StructureAAfficher, error) {
		return piste.StructureAAfficher{IDStructureCPP: 7}, nil
	}, ratt: []piste.StructureRattachement{{IDStructure: 7, StatutRattachementStructure: piste.StatutValidee}}}
	h.chorus = func(onboarding.ChorusConfig) onboarding.Chorus { return fc }
	h.setEnv(core.EnvProduction)
	test.Tap(h.ui.bar.sync)
	test.Tap(h.ui.handoffS.check)
	if h.ui.handoffS.message.Text != "Votre rattachement à cette structure : Validée." {
		t.Fatalf("message %q", h.ui.handoffS.message.Text)
	}
	rec := h.structureByKey(core.IDSIRET, "35600000049837")
	if rec.Sync.State != core.StateAttachmentApproved {
		t.Fatalf("state %s", rec.Sync.State)
	}
}
