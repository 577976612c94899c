package widgets

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ProgressTexts are what a Progress writes, in the user's language: the
// bar's "done of total", how long is left, Cancel and its aftermath.
type ProgressTexts struct {
	// Of writes done of total (each already written as the unit wants).
	Of func(done, total string) string
	// Count writes a number of rows; Size a number of bytes.
	Count, Size func(int) string
	// Remaining says roughly how long is left.
	Remaining  func(time.Duration) string
	Cancel     string
	Cancelling string
}

// ProgressUnit is what a Progress counts.
type ProgressUnit int

// The units a Progress counts.
const (
	UnitRows ProgressUnit = iota
	UnitBytes
)

// Progress shows a long action: what it does, a bar with done of the
// total, the time left from the pace so far, and Cancel. It is hidden
// until Begin.
type Progress struct {
	Content *fyne.Container
	what    *widget.Label
	bar     *widget.ProgressBar
	eta     *widget.Label
	// CancelButton stops the action (tests tap it).
	CancelButton *Button

	texts       ProgressTexts
	now         func() time.Time
	start       time.Time
	done, total int
	stop        context.CancelFunc
	// Unit is what done and total count: rows, or bytes of a file.
	Unit ProgressUnit
	// Root is the screen the bar sits in, laid out again when the bar
	// appears or goes (its height changes).
	Root fyne.CanvasObject
}

// NewProgress returns a hidden progress line; now is the clock the time
// left is reckoned by.
func NewProgress(tx ProgressTexts, now func() time.Time) *Progress {
	p := &Progress{texts: tx, now: now, what: widget.NewLabel(""), bar: widget.NewProgressBar(), eta: widget.NewLabel("")}
	p.what.TextStyle.Bold = true
	p.bar.TextFormatter = func() string {
		done, total := tx.Count(p.done), tx.Count(p.total)
		if p.Unit == UnitBytes {
			if p.total <= 0 {
				return tx.Size(p.done) // a file of unknown size
			}
			done, total = tx.Size(p.done), tx.Size(p.total)
		}
		return tx.Of(done, total)
	}
	p.CancelButton = NewButtonWithIcon(tx.Cancel, theme.CancelIcon(), func() {
		if p.stop != nil {
			p.stop()
			p.CancelButton.Disable()
			p.eta.SetText(tx.Cancelling)
			p.Content.Refresh()
		}
	})
	p.Content = container.NewVBox(NewBorder(nil, nil, p.what, container.NewHBox(p.eta, p.CancelButton), p.bar))
	p.Content.Hide()
	return p
}

// Begin shows the bar for an action on total units; stop cancels it.
func (p *Progress) Begin(what string, total int, stop context.CancelFunc) {
	p.start, p.done, p.total, p.stop = p.now(), 0, total, stop
	p.what.SetText(what)
	p.eta.SetText("")
	p.CancelButton.Enable()
	p.bar.Max = float64(max(total, 1))
	p.bar.SetValue(0)
	p.Content.Show()
	p.relayout()
}

// relayout lays the screen out again around the bar.
func (p *Progress) relayout() {
	if p.Root != nil {
		p.Root.Refresh()
	}
}

// Set moves the bar and says how long is left, from the pace so far.
func (p *Progress) Set(done, total int) {
	p.done, p.total = done, total
	p.bar.Max = float64(max(total, 1))
	p.bar.SetValue(float64(done))
	if done > 0 && done < total && !p.CancelButton.Disabled() {
		elapsed := p.now().Sub(p.start)
		left := time.Duration(float64(elapsed) / float64(done) * float64(total-done))
		if text := p.texts.Remaining(left); text != p.eta.Text {
			p.eta.SetText(text)
			p.Content.Refresh() // the label's width changed
		}
	}
}

// End hides the bar.
func (p *Progress) End() {
	p.stop = nil
	p.Content.Hide()
	p.relayout()
}

// Value returns the bar's value (tests).
func (p *Progress) Value() float64 { return p.bar.Value }

// StartedAt moves the action's start, from which the time left is
// reckoned (a screenshot shows one begun a while ago).
func (p *Progress) StartedAt(t time.Time) { p.start = t }

// Done returns how many units are done so far (tests).
func (p *Progress) Done() int { return p.done }
