package widgets

import (
	"image/color"
	"runtime"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
)

// Fyne 2.8 has no tooltips. Ours are drawn in a layer of the window's own
// content (WithTooltips), not in an overlay: an overlay takes the
// keyboard (Fyne gives each one its focus), and a tooltip shown while a
// keyboard user tabs would leave the focus nowhere. The layer holds no
// widget: pointer events go through it.

// TooltipDelay is how long the pointer rests on a button, or the focus
// stays on it, before its tooltip shows.
const TooltipDelay = 600 * time.Millisecond

// after runs f on the UI goroutine once d has passed and returns what
// cancels it; tests replace it to run f themselves. Without a desktop
// driver (headless tests, whose fyne.Do runs f on the timer's goroutine)
// there are no tooltips: nothing rests under a pointer there.
var after = func(d time.Duration, f func()) (stop func() bool) {
	if _, ok := fyne.CurrentApp().Driver().(desktop.Driver); !ok {
		return func() bool { return false }
	}
	return time.AfterFunc(d, func() { fyne.Do(f) }).Stop
}

// tooltipLayer is a window's tooltip: a tinted box with one line of text,
// placed below the widget it is about.
type tooltipLayer struct {
	box  *fyne.Container
	bg   *canvas.Rectangle
	text *canvas.Text
	// shown is the widget whose tooltip shows or is waited for; a timer
	// of another widget finds it changed and shows nothing.
	shown fyne.CanvasObject
	stop  func() bool
}

// tooltipLayers holds each window's layer, by canvas: one per window the
// app opens.
var tooltipLayers sync.Map // fyne.Canvas → *tooltipLayer

// WithTooltips returns content with the window c's tooltip layer over
// it: what the window shows (SetContent).
func WithTooltips(c fyne.Canvas, content fyne.CanvasObject) fyne.CanvasObject {
	l := &tooltipLayer{bg: canvas.NewRectangle(color.Black), text: canvas.NewText("", color.White)}
	l.bg.CornerRadius = 4
	l.box = container.NewWithoutLayout(l.bg, l.text)
	// The layer stays shown; its parts are hidden: a container shown
	// again after being hidden from the first frame was not drawn by
	// the GL driver until something else refreshed it.
	l.bg.Hide()
	l.text.Hide()
	tooltipLayers.Store(c, l)
	return container.NewStack(content, l.box)
}

// ShortcutText is how the platform writes the shortcut key with its
// modifier, Shift too when shift: "Ctrl+Shift+S", "⇧⌘S" on a Mac.
func ShortcutText(key fyne.KeyName, shift bool) string {
	if runtime.GOOS == "darwin" {
		if shift {
			return "⇧⌘" + string(key)
		}
		return "⌘" + string(key)
	}
	if shift {
		return "Ctrl+Shift+" + string(key)
	}
	return "Ctrl+" + string(key)
}

// showTooltip shows text below o once TooltipDelay has passed, unless
// hideTooltip came first.
func showTooltip(o fyne.CanvasObject, text string) {
	l := layerOf(o)
	if l == nil || strings.TrimSpace(text) == "" {
		return
	}
	l.hide()
	l.shown = o
	l.stop = after(TooltipDelay, func() {
		if l.shown == o {
			l.place(o, text)
		}
	})
}

// hideTooltip hides o's tooltip, shown or waited for.
func hideTooltip(o fyne.CanvasObject) {
	if l := layerOf(o); l != nil && l.shown == o {
		l.hide()
	}
}

func layerOf(o fyne.CanvasObject) *tooltipLayer {
	app := fyne.CurrentApp()
	if app == nil {
		return nil
	}
	c := app.Driver().CanvasForObject(o)
	if c == nil {
		return nil
	}
	l, _ := tooltipLayers.Load(c)
	t, _ := l.(*tooltipLayer)
	return t
}

func (l *tooltipLayer) hide() {
	if l.stop != nil {
		l.stop()
	}
	l.shown = nil
	if l.bg.Visible() {
		l.bg.Hide()
		l.text.Hide()
		canvas.Refresh(l.box)
	}
}

// visible reports whether the tooltip shows.
func (l *tooltipLayer) visible() bool { return l.bg.Visible() }

// place draws the tooltip below o (above it near the window's bottom),
// inside the window.
func (l *tooltipLayer) place(o fyne.CanvasObject, text string) {
	th := fyne.CurrentApp().Settings().Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	pad := th.Size(theme.SizeNameInnerPadding) / 2
	l.text.Text = text
	l.text.TextSize = th.Size(theme.SizeNameText)
	l.text.Color = th.Color(theme.ColorNameBackground, v)
	l.bg.FillColor = th.Color(theme.ColorNameForeground, v)
	ts := l.text.MinSize()
	size := fyne.NewSize(ts.Width+2*pad, ts.Height+2*pad)
	d := fyne.CurrentApp().Driver()
	at := d.AbsolutePositionForObject(o)
	area := d.CanvasForObject(o).Size()
	pos := fyne.NewPos(at.X, at.Y+o.Size().Height+4)
	if pos.Y+size.Height > area.Height {
		pos.Y = at.Y - size.Height - 4
	}
	pos.X = max(0, min(pos.X, area.Width-size.Width))
	l.bg.Move(pos)
	l.bg.Resize(size)
	l.text.Move(pos.AddXY(pad, pad))
	l.text.Resize(ts)
	l.bg.Show()
	l.text.Show()
	canvas.Refresh(l.bg)
	canvas.Refresh(l.text)
	canvas.Refresh(l.box)
}
