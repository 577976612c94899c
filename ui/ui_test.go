package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/chorusonboard/chorus-onboard/core/i18n"
)

func newTestUI(t *testing.T, lang string) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	if lang != "" {
		a.Preferences().SetString(prefLang, lang)
	}
	w := test.NewTempWindow(t, nil)
	return New(a, w)
}

func TestHomeShowsTheSixSteps(t *testing.T) {
	u := newTestUI(t, "en")
	if got := u.win.Title(); got != "Chorus Onboard" {
		t.Errorf("title %q", got)
	}
	if got := u.home.title.Text; got != "Create an account and a structure in a few steps" {
		t.Errorf("heading %q", got)
	}
	want := []string{"Create an account", "Personal information", "Validate the captcha", "Activate your account"}
	for i, w := range want {
		if u.home.steps[i].Text != w {
			t.Errorf("step %d = %q, want %q", i+1, u.home.steps[i].Text, w)
		}
	}
	if u.envLabel.Text != "Local sandbox" {
		t.Errorf("environment %q", u.envLabel.Text)
	}
}

func TestLanguageSwitch(t *testing.T) {
	u := newTestUI(t, "en")
	if u.langButton.Text != "Français" {
		t.Fatalf("switch shows %q, want the other language", u.langButton.Text)
	}
	test.Tap(u.langButton)
	if u.Lang() != i18n.FR {
		t.Fatalf("language %s after tap", u.Lang())
	}
	if got := u.home.steps[1].Text; got != "Informations personnelles" {
		t.Errorf("step 2 in French = %q", got)
	}
	if u.envLabel.Text != "Bac à sable local" || u.langButton.Text != "English" {
		t.Errorf("header %q / %q", u.envLabel.Text, u.langButton.Text)
	}
	if got := u.app.Preferences().String(prefLang); got != "fr" {
		t.Errorf("saved language %q", got)
	}
	test.Tap(u.langButton)
	if u.home.steps[1].Text != "Personal information" {
		t.Errorf("back to English: %q", u.home.steps[1].Text)
	}
}

func TestSavedLanguageWins(t *testing.T) {
	u := newTestUI(t, "fr")
	if u.home.title.Text != "Créer un compte et une structure en quelques étapes" {
		t.Errorf("heading %q", u.home.title.Text)
	}
}
