package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TestScreenshots walks through every step in French and in English and
// writes a PNG of each to $CHORUS_SCREENSHOTS (make screenshots sets it to
// docs/screenshots). Without the variable it only checks each capture is not
// blank.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("CHORUS_SCREENSHOTS")
	for _, lang := range []string{"fr", "en"} {
		h := newHarness(t, lang)
		h.app.Settings().SetTheme(theme.DefaultTheme())
		h.win.Resize(fyne.NewSize(960, 720))
		shot := func(name string) {
			t.Helper()
			img := h.win.Canvas().Capture()
			if img.Bounds().Dx() < 900 {
				t.Fatalf("%s: capture %v", name, img.Bounds())
			}
			if dir == "" {
				return
			}
			f, err := os.Create(filepath.Join(dir, lang+"-"+name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
		}
		// typeIn moves the focus as a person's Tab would, so the
		// field left behind shows its error as the app does.
		typeIn := func(e *widget.Entry, text string) {
			h.win.Canvas().Focus(e)
			test.Type(e, text)
		}
		shot("0-home")
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
		shot("3-captcha")
		c := h.ui.captchaS
		test.Tap(c.emailCode)
		mails, _ := h.portal.Mailbox(t.Context(), "jeanne.martin@example.fr")
		body := mails[0].Body
		code := strings.Fields(strings.SplitN(body, "est ", 2)[1])[0][:6]
		typeIn(c.answer, code)
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
		test.Tap(act.submit)
		shot("5-congratulations")
		test.Tap(h.ui.doneS.create)
		s := h.ui.structureS
		typeIn(s.identifier, "73282932000074")
		shot("6-structure")
		test.Tap(s.submit)
		shot("6-structure-created")
		for h.win.Canvas().Overlays().Top() != nil {
			h.win.Canvas().Overlays().Remove(h.win.Canvas().Overlays().Top())
		}
		h.ui.showAttach("SIRET", "73282932000074")
		shot("7-attachment")
		h.ui.show(stepSettings)
		shot("8-settings")
		h.ui.show(stepSignIn)
		shot("9-sign-in")
		h.ui.show(stepSync)
		shot("10-sync")
		h.setEnv("qualification")
		h.ui.show(stepHandoff)
		shot("11-hand-off")
	}
}
