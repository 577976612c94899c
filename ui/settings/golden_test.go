package settings

import (
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// TestScreens draws the settings, in French and in English, and compares
// them with their golden images (uitest.Shots): a team portal behind an
// office proxy with its own authority, the requests in flight, and the
// settings an IT admin's policy locks. The wizard's walk (ui.TestScreens)
// draws the settings of a person on the Local sandbox.
func TestScreens(t *testing.T) {
	uitest.InEachLanguage(t, screens)
}

func screens(t *testing.T, lang string) {
	h := newHarness(t, lang)
	h.App.Settings().SetTheme(widgets.Theme{})
	h.Win.Resize(shell.WindowSize)
	shots := uitest.NewShots(t, h.Win, lang)
	shot := shots.Shot
	if err := h.Svc.Connection.SaveSettings(t.Context(), core.Settings{Environment: core.EnvQualification, PISTEClientID: "cabinet-app",
		TechnicalLogin: "TECH_1@cpro.fr"}); err != nil {
		t.Fatal(err)
	}
	h.Shell.EnvChanged()
	h.Shell.Show(shell.StepSettings)
	st := h.a.settingsS
	st.env.SetSelected(h.Shell.Text().T("env.team"))
	st.portalURL.SetText("https://onboarding.cabinet-martin.example")
	st.proxyURL.SetText("http://proxy.cabinet-martin.example:3128")
	st.proxyUser.SetText("jmartin")
	st.proxyPassword.SetText("correct horse battery")
	st.caFile.SetText("/etc/ssl/cabinet-martin/ca.pem")
	h.Win.Canvas().Unfocus()
	h.Shell.PageScroll().ScrollToTop()
	shot("23-settings-team-portal")
	h.Win.Canvas().Focus(st.caFile)
	shot("24-settings-proxy-and-ca")
	st.concurrency.SetText("16")
	h.Win.Canvas().Unfocus()
	h.Shell.PageScroll().ScrollToBottom()
	shot("26-settings-requests-in-flight")

	managed := newHarnessWith(t, lang, uitest.Options{Presets: adminPresets()})
	managed.App.Settings().SetTheme(widgets.Theme{})
	managed.Win.Resize(shell.WindowSize)
	managed.Shell.Show(shell.StepSettings)
	shots.On(managed.Win)
	shot("25-settings-managed")
}
