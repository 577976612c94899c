// Package ui is Chorus Onboard's desktop interface, written with Fyne. It
// builds screens from the services it is given and never imports a driver,
// fyne/v2/app, the store, the keyring or the HTTP clients: cmd/chorus-onboard
// wires those in, which keeps every screen testable headless with
// fyne.io/fyne/v2/test (a test fences this).
//
// Conventions: a screen is a struct keeping pointers to the widgets a test
// types into or taps; background work reaches widgets only through fyne.Do;
// every text comes from core/i18n in the user's language.
package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/i18n"
)

// prefLang is the preference key of the language the user chose.
const prefLang = "lang"

// UI is the main window's content and the state shared by its screens.
type UI struct {
	app  fyne.App
	win  fyne.Window
	lang i18n.Lang

	// Widgets that tests drive or read.
	langButton *widget.Button
	envLabel   *widget.Label
	status     *widget.Label
	body       *fyne.Container
	home       *homeScreen
}

// New builds the interface in w: the language is the one the user chose
// last time, else the system's.
func New(a fyne.App, w fyne.Window) *UI {
	u := &UI{app: a, win: w, lang: initialLang(a)}
	u.langButton = widget.NewButton("", u.onToggleLang)
	u.langButton.Importance = widget.LowImportance
	u.envLabel = widget.NewLabel("")
	u.envLabel.Importance = widget.HighImportance
	u.status = widget.NewLabel("")
	u.status.Truncation = fyne.TextTruncateEllipsis
	u.body = container.NewStack()
	u.home = newHomeScreen()

	logo := canvas.NewImageFromResource(a.Icon())
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSquareSize(32))
	name := widget.NewLabelWithStyle("Chorus Onboard", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	header := container.NewBorder(nil, nil,
		container.NewHBox(logo, name),
		container.NewHBox(u.envLabel, u.langButton))
	w.SetContent(container.NewBorder(
		container.NewVBox(header, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), u.status),
		nil, nil, u.body))
	w.Resize(fyne.NewSize(900, 640))
	u.body.Objects = []fyne.CanvasObject{u.home.content}
	u.refreshTexts()
	return u
}

// initialLang returns the saved language, else the system locale's, else
// English.
func initialLang(a fyne.App) i18n.Lang {
	if l, ok := i18n.Parse(a.Preferences().String(prefLang)); ok {
		return l
	}
	l, _ := i18n.Parse(lang.SystemLocale().LanguageString())
	return l
}

// T returns the text of key in the current language.
func (u *UI) T(key string) string { return i18n.T(u.lang, key) }

// Lang returns the current language.
func (u *UI) Lang() i18n.Lang { return u.lang }

// SetLang switches every text to l and remembers the choice.
func (u *UI) SetLang(l i18n.Lang) {
	u.lang = l
	u.app.Preferences().SetString(prefLang, string(l))
	u.refreshTexts()
}

func (u *UI) onToggleLang() {
	if u.lang == i18n.FR {
		u.SetLang(i18n.EN)
	} else {
		u.SetLang(i18n.FR)
	}
}

// refreshTexts sets every visible text from the current language.
func (u *UI) refreshTexts() {
	u.win.SetTitle(u.T("app.name"))
	// The switch shows the other language in its own name, as the portal does.
	u.langButton.SetText(u.T("lang.switch"))
	u.envLabel.SetText(u.T("env.local"))
	u.status.SetText(u.T("status.offline_ready"))
	u.home.setTexts(u.T)
}

// homeScreen presents the six steps of the portal.
type homeScreen struct {
	title   *widget.Label
	intro   *widget.Label
	steps   []*widget.Label
	content fyne.CanvasObject
}

func newHomeScreen() *homeScreen {
	h := &homeScreen{
		title: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro: widget.NewLabel(""),
	}
	h.title.SizeName = theme.SizeNameHeadingText
	h.title.Wrapping = fyne.TextWrapWord
	h.intro.Wrapping = fyne.TextWrapWord
	list := container.NewVBox()
	for i := range 6 {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		h.steps = append(h.steps, l)
		list.Add(container.NewBorder(nil, nil, stepBadge(i+1), nil, l))
	}
	h.content = container.NewVScroll(container.NewPadded(container.NewVBox(h.title, h.intro, widget.NewSeparator(), list)))
	return h
}

func (h *homeScreen) setTexts(t func(string) string) {
	h.title.SetText(t("home.title"))
	h.intro.SetText(t("home.intro"))
	for i, l := range h.steps {
		l.SetText(t("home.step" + string(rune('1'+i))))
	}
}

// stepBadge draws a step number in a filled circle, as the portal's guide
// numbers its steps.
func stepBadge(n int) fyne.CanvasObject {
	c := canvas.NewCircle(theme.Color(theme.ColorNamePrimary))
	txt := canvas.NewText(string(rune('0'+n)), theme.Color(theme.ColorNameForegroundOnPrimary))
	txt.TextStyle.Bold = true
	txt.Alignment = fyne.TextAlignCenter
	box := container.NewStack(c, container.NewCenter(txt))
	return container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(28), box))
}
