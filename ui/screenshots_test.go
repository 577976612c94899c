package ui

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"

	"github.com/xuri/excelize/v2"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/internal/simtest"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// goldenDir holds the golden image of every screen, in both languages.
const goldenDir = "screens"

var codeInMail = regexp.MustCompile(`\b\d{6}\b`)

// TestScreens walks through every screen in French and in English and
// compares each with its golden image in testdata/screens, pixel for pixel:
// a label that moves, a field that disappears, a text that changes fails
// the test, and the image it drew is left in testdata/failed to look at.
// CHORUS_UPDATE_GOLDENS=1 (make goldens) writes the images as the new
// goldens instead, and fails for each one it changed, so that the mode can
// never pass for a comparison; CI refuses the mode (CI set).
// CHORUS_SCREENSHOTS=DIR (make screenshots) also writes them to DIR, to
// share (the documentation shows the goldens themselves).
func TestScreens(t *testing.T) {
	update := os.Getenv("CHORUS_UPDATE_GOLDENS") != ""
	if update && os.Getenv("CI") != "" {
		t.Fatal("CHORUS_UPDATE_GOLDENS is set in CI: there the goldens are compared, never written")
	}
	docs := os.Getenv("CHORUS_SCREENSHOTS")
	// The data directory the start-up error screen shows.
	const dataDir = "/home/ana/.local/share/chorus-onboard"
	if os.Getenv(onlyEnv) == "" && runtime.GOOS != "windows" {
		t.Parallel() // its two languages run in processes of their own
	}
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			if inOwnProcess(t) {
				return
			}
			screens(t, lang, update, docs, dataDir)
		})
	}
}

// screens walks through every screen in lang.
func screens(t *testing.T, lang string, update bool, docs, dataDir string) {
	h := newHarnessWith(t, lang, harnessOptions{secondFactor: true})
	h.app.Settings().SetTheme(theme.DefaultTheme())
	h.win.Resize(windowSize)
	shot := func(name string) {
		t.Helper()
		img := h.win.Canvas().Capture()
		file := lang + "-" + name + ".png"
		if docs != "" {
			writePNG(t, filepath.Join(docs, file), img)
		}
		if update {
			path := filepath.Join("testdata", goldenDir, file)
			var now bytes.Buffer
			if err := png.Encode(&now, img); err != nil {
				t.Fatal(err)
			}
			if was, err := os.ReadFile(path); err == nil && bytes.Equal(was, now.Bytes()) {
				return
			}
			writePNG(t, path, img)
			t.Errorf("%s written anew: look at it, then run the test without CHORUS_UPDATE_GOLDENS", path)
			return
		}
		test.AssertImageMatches(t, filepath.Join(goldenDir, file), img)
	}
	closeDialogs := func() {
		for h.win.Canvas().Overlays().Top() != nil {
			h.win.Canvas().Overlays().Remove(h.win.Canvas().Overlays().Top())
		}
	}
	// typeIn moves the focus as a person's Tab would, so the
	// field left behind shows its error as the app does.
	typeIn := func(e fyne.Focusable, text string) {
		h.win.Canvas().Focus(e)
		test.Type(e, text)
	}
	shot("0-home")
	// The window comes before the Local sandbox: a request that waits for
	// it says so on the status line.
	h.ui.ShowSandboxStarting(true)
	shot("0-home-sandbox-starting")
	h.ui.ShowSandboxStarting(false)
	h.ui.show(stepWorkspace)
	shot("13-workspace-empty")
	h.ui.show(stepHome)
	test.Tap(h.ui.home.start)
	a := h.ui.accountS
	typeIn(a.loginEmail, "jeanne.martin@example")
	typeIn(a.confirmEmail, "jeanne.martin@example.fr")
	typeIn(a.phone, "07 12")
	h.win.Canvas().Focus(a.firstName)
	shot("1-account-errors")
	a.phone.SetText("")
	typeIn(a.loginEmail, ".fr")
	typeIn(a.firstName, "Jeanne")
	typeIn(a.lastName, "Martin")
	typeIn(a.phone, "06 12 45 78 98")
	h.win.Canvas().Unfocus()
	test.Tap(a.conditions)
	a.saveNow()
	shot("2-personal-information")
	test.Tap(a.submit)
	c := h.ui.captchaS
	// The challenge is random at every run: show a fixed one.
	c.image.Image, c.image.Resource = fixedCaptcha(), nil
	c.image.Refresh()
	shot("3-captcha")
	test.Tap(c.emailCode)
	test.Tap(c.mailbox.button)
	shot("3-captcha-mailbox")
	closeDialogs()
	mails, err := h.portal.Mailbox(t.Context(), "jeanne.martin@example.fr")
	if err != nil || len(mails) == 0 {
		t.Fatalf("mailbox %v %v", mails, err)
	}
	typeIn(c.answer, codeInMail.FindString(mails[0].Body))
	test.Tap(c.validate)
	act := h.ui.activateS
	test.Tap(act.mailbox.button)
	shot("4-sandbox-mailbox")
	test.Tap(act.mailbox.useLink[0])
	typeIn(act.password, "Jeanne-2026")
	shot("4-password-checklist")
	act.password.SetText("")
	typeIn(act.password, "Tr0ub4dor&3x-Lune")
	typeIn(act.confirm, "Tr0ub4dor&3x-Lune")
	shot("4-activation")
	test.Tap(act.resend)
	act.resendImage.Image, act.resendImage.Resource = fixedCaptcha(), nil
	act.resendImage.Refresh()
	shot("4-resend-link")
	closeDialogs()
	test.Tap(act.submit)
	// The first sign-in sets up the second factor.
	shot("4e-second-factor-choice")
	test.Tap(h.ui.secondS.useApp)
	sf := h.ui.secondS
	shot("4f-authenticator-app")
	secret := strings.ReplaceAll(sf.secretTx.Text, " ", "")
	typeIn(sf.code, totpAt(t, secret, h.clock.simNow()))
	test.Tap(sf.submit)
	shot("4g-recovery-codes")
	test.Tap(h.ui.secondS.saved)
	test.Tap(h.ui.secondS.cont)
	shot("5-congratulations")
	test.Tap(h.ui.doneS.create)
	s := h.ui.structureS
	typeIn(s.identifier, "73282932000074")
	shot("6-structure")
	test.Tap(s.submit)
	shot("6-structure-created")
	closeDialogs()
	h.ui.showAttach("SIRET", "73282932000074")
	shot("7-attachment")
	h.ui.show(stepSettings)
	shot("8-settings")
	h.ui.show(stepSignIn)
	shot("9-sign-in")
	// A later sign-in: the code, a recovery code instead, trust this
	// computer; then the settings list it.
	typeIn(h.ui.signInS.password, "Tr0ub4dor&3x-Lune")
	test.Tap(h.ui.signInS.submit)
	if h.ui.step != stepSecondFactor {
		t.Fatalf("sign-in: %s, %q", h.ui.step, h.ui.signInS.message.Text)
	}
	sf = h.ui.secondS
	h.win.Canvas().Unfocus()
	shot("9-sign-in-code")
	// The next 30 seconds' code: the enrolment used this one's.
	typeIn(sf.code, totpAt(t, secret, h.clock.simNow().Add(30*time.Second)))
	test.Tap(sf.trust)
	test.Tap(sf.submit)
	if h.ui.step != stepDone {
		t.Fatalf("second factor: %s, %q", h.ui.step, sf.message.Text)
	}
	h.ui.show(stepSettings)
	h.ui.pageScroll.ScrollToBottom()
	shot("8-settings-trusted-computers")
	// The password change, its new password half typed (issue 29).
	test.Tap(h.ui.settingsS.devices.change)
	pw := h.ui.settingsS.devices.pw
	typeIn(pw.current, "Tr0ub4dor&3x-Lune")
	typeIn(pw.next, "Nouveau-M0t")
	shot("8-settings-change-password")
	closeDialogs()
	h.ui.show(stepSync)
	shot("10-sync")
	h.setEnv("qualification")
	h.ui.show(stepHandoff)
	shot("11-hand-off")
	h.ui.pageScroll.ScrollToBottom()
	shot("11-hand-off-portal-asks")
	ShowStartupError(h.app, h.win, &core.E{Kind: core.KindInvalid, Code: "store.newer_schema", Err: errors.New("schema 9")}, dataDir, i18n.Lang(lang))
	h.win.Resize(windowSize)
	shot("12-startup-error")
	// The accountant's screens, on the Local sandbox again, in a
	// window opened anew.
	h.setEnv(core.EnvLocal)
	h.open()
	h.win.Resize(windowSize)
	workspaceShots(t, h, shot)
	environmentShots(t, h, shot)
	managed := newHarnessWith(t, lang, harnessOptions{presets: adminPresets()})
	managed.app.Settings().SetTheme(theme.DefaultTheme())
	managed.win.Resize(windowSize)
	managed.ui.show(stepSettings)
	h = managed
	shot("25-settings-managed")
}

// writeClientsWorkbook writes the rows of a ";" CSV as an Excel workbook
// of two sheets (Novembre, Décembre) as an accountant's looks: SIRETs and
// postal codes that are digits typed as numbers.
func writeClientsWorkbook(t *testing.T, path, csvText string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range []string{"Novembre", "Décembre"} {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, line := range strings.Split(strings.TrimSpace(csvText), "\n") {
			if i == 0 && r > 1 {
				break // November: one client
			}
			for c, v := range strings.Split(line, ";") {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				var val any = v
				if n, err := strconv.ParseInt(v, 10, 64); err == nil && r > 0 && (c == 0 || c == 4) {
					val = n
				}
				if v == "" {
					continue
				}
				if err := f.SetCellValue(name, cell, val); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// totpAt is the authenticator app's code for secret at t.
func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := simtest.Code(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// environmentShots takes the pictures of the real environments: the
// structure form in qualification, pre-filled from the registry, then on a
// SIRET Chorus Pro already has; the settings of a team portal behind an
// office proxy.
func environmentShots(t *testing.T, h *harness, shot func(string)) {
	t.Helper()
	u := h.ui
	h.chorus = func(onboarding.ChorusConfig) onboarding.Chorus {
		return &fakeChorus{find: func(_ core.IdentifierType, id string) (piste.StructureAAfficher, error) {
			if id == "73282932000074" {
				return piste.StructureAAfficher{IDStructureCPP: 25_000_123, IdentifiantStructure: id}, nil
			}
			return piste.StructureAAfficher{}, &core.E{Kind: core.KindNotFound, Code: "piste.not_found"}
		}}
	}
	if err := h.svc.Connection.SaveSettings(t.Context(), core.Settings{Environment: core.EnvQualification, PISTEClientID: "cabinet-app",
		TechnicalLogin: "TECH_1@cpro.fr"}); err != nil {
		t.Fatal(err)
	}
	u.envChanged()
	u.show(stepStructure)
	test.Type(u.structureS.identifier, "77984790400033")
	shot("21-qualification-prefilled")
	u.show(stepStructure)
	test.Type(u.structureS.identifier, "73282932000074")
	shot("22-qualification-on-chorus-pro")

	u.show(stepSettings)
	st := u.settingsS
	st.env.SetSelected(u.text.T("env.team"))
	st.portalURL.SetText("https://onboarding.cabinet-martin.example")
	st.proxyURL.SetText("http://proxy.cabinet-martin.example:3128")
	st.proxyUser.SetText("jmartin")
	st.proxyPassword.SetText("correct horse battery")
	st.caFile.SetText("/etc/ssl/cabinet-martin/ca.pem")
	u.win.Canvas().Unfocus()
	u.pageScroll.ScrollToTop()
	shot("23-settings-team-portal")
	u.win.Canvas().Focus(st.caFile)
	shot("24-settings-proxy-and-ca")
	st.concurrency.SetText("16")
	u.win.Canvas().Unfocus()
	u.pageScroll.ScrollToBottom()
	shot("26-settings-requests-in-flight")
}

// workspaceShots takes the workspace's pictures: 10,000 structures,
// filtered, a pre-fill under way, an import's report, the registry's
// differences, the approvals table and the form opened to fix a row.
func workspaceShots(t *testing.T, h *harness, shot func(string)) {
	t.Helper()
	ctx := t.Context()
	u := h.ui
	fillStore(t, h, 10_000)
	u.show(stepWorkspace)
	shot("14-workspace")
	ws := u.workspaceS
	test.Type(ws.search, "lyon")
	ws.setFilter(core.FilterReady)
	test.Tap(ws.selectAll)
	shot("15-workspace-filtered")
	// A pre-fill of 500 rows, 120 done after 18 seconds: the registry's
	// pace, drawn as the running action draws it.
	ws.setBusy(true)
	ws.progress.begin(u.text.T("ws.prefill"), 500, func() {})
	ws.progress.start = u.now().Add(-18 * time.Second)
	ws.progress.set(120, 500)
	shot("16-prefill-progress")
	ws.progress.end()
	ws.setBusy(false)

	in := "SIRET;Raison sociale;Adresse;Ville;Code postal;Téléphone\n" +
		"44306184100047;Scierie Vosgienne;1 chemin du Moulin;Épinal;88000;03 29 00 00 00\n" +
		"35600000000048;La Poste;9 rue du Colonel Pierre Avia;Paris;75015;\n" +
		"73282932000079;Atelier Dupond;12 rue de la Paix;Paris;75002;\n" +
		"52524288900042;Caraïbes Services;;Fort-de-France;97200;\n" +
		"41816609600069;Garage Leroy;4 avenue Jean Jaurès;Lyon;6900;0478\n" +
		"79068156300017;=Marie Durand;8 impasse des Lilas;Bordeaux;33000;\n"
	path := filepath.Join(testos.TempDir(t), "clients-decembre.csv")
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	u.files.startImport(storage.NewFileURI(path), "", false)
	shot("17-import-report")
	test.Tap(u.reportS.back)

	// The same clients in an Excel workbook of two sheets, SIRETs and
	// postal codes typed as numbers: the sheet is chosen, the report the
	// same.
	book := filepath.Join(testos.TempDir(t), "clients.xlsx")
	writeClientsWorkbook(t, book, in)
	u.files.confirmImport(storage.NewFileURI(book))
	if u.files.sheetPick == nil {
		t.Fatal("no choice of sheet for a workbook of two")
	}
	u.files.sheetPick.SetSelected("Décembre")
	shot("17-import-xlsx-sheet")
	tapDialogIn(t, h.win, u.text.T("ws.import.start"))
	shot("17-import-report-xlsx")
	test.Tap(u.reportS.back)

	// A pre-fill whose answers differ from what was typed.
	var ids []int64
	for _, d := range []core.StructureDraft{
		{CompanyName: "Boulangerie Martin & Fils", Identifier: "77984790400033", Address: "4 av. Jean Jaurès", City: "Lyon", PostalCode: "69003"},
		{CompanyName: "Cabinet Bernard", Identifier: "44126652500019", Address: "3 place Bellecour", City: "Lyon 2e", PostalCode: "69002"},
		{CompanyName: "Caraïbes Services", Identifier: "52524288900042", Address: "27 rue Victor Hugo", City: "Fort-de-France", PostalCode: "97200"},
	} {
		d.IdentifierType, d.Kind = core.IDSIRET, core.KindPrivate
		rec, _, err := h.svc.Structures.Save(ctx, 0, d, false)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	res, err := h.svc.Workspace.PrefillStructures(ctx, ids, nil)
	if err != nil || len(res.Differences) != 2 {
		t.Fatalf("pre-fill: %+v %v", res, err)
	}
	u.review = &res
	u.show(stepReview)
	u.reviewS.accepted[res.Differences[0].ID] = true
	u.reviewS.list.Refresh()
	u.reviewS.changed()
	shot("18-registry-review")

	// Twenty people ask to join Jeanne's structure; she decides.
	seedRequests(t, h, 20, "73282932000074")
	if err := h.svc.Accounts.SignIn(ctx, "jeanne.martin@example.fr", "Tr0ub4dor&3x-Lune"); err != nil {
		t.Fatal(err)
	}
	u.signedIn = "jeanne.martin@example.fr"
	// Her structure has no other manager yet: the workspace says so.
	u.showFiltered(core.FilterAll)
	test.Type(u.workspaceS.search, "732 829 320")
	shot("19-workspace-only-you")
	u.workspaceS.search.SetText("")
	u.show(stepApprovals)
	a := u.approvalsS
	for _, r := range a.waitingRows[:3] {
		a.waiting.Checked[r.ID] = true
	}
	a.waiting.Refresh()
	a.changed()
	shot("19-approvals")

	// Jeanne approves three, makes one a secondary manager, and looks
	// at the people of her structure.
	if _, err := h.svc.Attachments.DecideAttachments(ctx, a.waitingRows[:3], true, nil); err != nil {
		t.Fatal(err)
	}
	managed, err := h.svc.People.Managed(ctx)
	if err != nil || len(managed) != 1 {
		t.Fatalf("managed %v %v", managed, err)
	}
	members, err := h.svc.People.Members(ctx, managed[0].StructureID)
	if err != nil || len(members) != 4 {
		t.Fatalf("members %v %v", members, err)
	}
	for _, m := range members {
		if m.Role == api.RoleUser {
			if _, err := h.svc.People.ChangeMember(ctx, managed[0].StructureID, m.AccountID, api.MemberPromote); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	u.show(stepApprovals)
	u.approvalsS.tabs.SelectIndex(2)
	u.approvalsS.people.structures.Select(0)
	shot("19-people")

	// The form opened on a row with an error, cursor in the field.
	u.showFiltered(core.FilterErrors)
	u.workspaceS.open(0, "")
	shot("20-structure-fix")

	// The reform: Jeanne's firm records platforms and looks in the
	// directory; the workspace's chips find who has no platform yet.
	recs, err := h.svc.Workspace.QueryStructures(ctx, core.StructureQuery{Text: "732 829 320"})
	if err != nil || len(recs.Rows) != 1 {
		t.Fatalf("the reform's structure: %v %v", recs.Rows, err)
	}
	dupont := recs.Rows[0].ID
	all, err := h.svc.Workspace.QueryStructures(ctx, core.StructureQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var some []int64
	for i, r := range all.Rows {
		if i%3 == 0 {
			some = append(some, r.ID)
		}
	}
	if _, err := h.svc.Reform.SetPlatform(ctx, some, "PA Atlantique (démo)", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Reform.MarkChecked(ctx, some[:len(some)/2], nil); err != nil {
		t.Fatal(err)
	}
	if _, p, err := h.svc.Reform.SaveReform(ctx, dupont, core.Reform{Platform: "Facturo (démo)", MandateSigned: "2026-06-30",
		Addresses: []string{"732829320", "732829320_FACTURES"}, CheckedOn: "2026-11-20",
		Seen: "Facturo (démo) depuis le 01/07/2026 ; 2 adresses actives", Note: "Relancer pour l'émission en 2027",
		Category: core.CategoryPME, CategorySource: core.CategoryFromRegistry}); err != nil {
		t.Fatalf("save reform: %v %v", p, err)
	}
	u.showFiltered(core.FilterNoPlatform)
	shot("21-workspace-reform")
	u.openStructure(dupont, "")
	u.pageScroll.ScrollToBottom()
	shot("22-structure-reform")
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
		if _, err := h.store.Structures.SaveStructures(ctx, batch); err != nil {
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
	if err := h.store.Structures.EachStructure(ctx, func(r core.StructureRecord) error {
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
		if err := h.store.Structures.SetSync(ctx, ids[c.SIRET], core.Sync{State: state}); err != nil {
			t.Fatal(err)
		}
	}
}

// fixedCaptcha is a stand-in for the portal's random challenge: dots
// and curves drawn from a fixed seed, so the screen's golden image holds.
func fixedCaptcha() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, api.CaptchaWidth, api.CaptchaHeight))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	r := rand.New(rand.NewPCG(3, 5))
	for range 900 {
		img.Set(r.IntN(api.CaptchaWidth), r.IntN(api.CaptchaHeight), color.NRGBA{uint8(r.IntN(200)), uint8(r.IntN(200)), uint8(r.IntN(200)), 255})
	}
	for x := range api.CaptchaWidth {
		img.Set(x, 40+(x%40-20)/2, color.NRGBA{120, 40, 160, 255})
	}
	return img
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
