package ui

import (
	"context"
	"errors"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// bulkProgress shows a long action: what it does, a bar with rows done of
// the total, the time left, and Cancel.
type bulkProgress struct {
	u       *UI
	content *fyne.Container
	what    *widget.Label
	bar     *widget.ProgressBar
	eta     *widget.Label
	cancel  *widget.Button

	start       time.Time
	done, total int
	stop        context.CancelFunc
	// unit is what done and total count: rows, or bytes of a file.
	unit progressUnit
	// root is the screen the bar sits in, laid out again when the bar
	// appears or goes (its height changes).
	root fyne.CanvasObject
}

func newBulkProgress(u *UI) *bulkProgress {
	p := &bulkProgress{u: u, what: widget.NewLabel(""), bar: widget.NewProgressBar(), eta: widget.NewLabel("")}
	p.what.TextStyle.Bold = true
	p.bar.TextFormatter = func() string {
		done, total := u.text.count(p.done), u.text.count(p.total)
		if p.unit == unitBytes {
			if p.total <= 0 {
				return u.text.size(p.done) // a file of unknown size
			}
			done, total = u.text.size(p.done), u.text.size(p.total)
		}
		return i18n.Format(u.text.lang, "bulk.progress", map[string]string{"done": done, "total": total})
	}
	p.cancel = widget.NewButtonWithIcon(u.text.T("button.cancel"), theme.CancelIcon(), func() {
		if p.stop != nil {
			p.stop()
			p.cancel.Disable()
			p.eta.SetText(u.text.T("bulk.cancelling"))
			p.content.Refresh()
		}
	})
	p.content = container.NewVBox(container.NewBorder(nil, nil, p.what, container.NewHBox(p.eta, p.cancel), p.bar))
	p.content.Hide()
	return p
}

// begin shows the bar for an action on total rows; stop cancels it.
func (p *bulkProgress) begin(what string, total int, stop context.CancelFunc) {
	p.start, p.done, p.total, p.stop = p.u.now(), 0, total, stop
	p.what.SetText(what)
	p.eta.SetText("")
	p.cancel.Enable()
	p.bar.Max = float64(max(total, 1))
	p.bar.SetValue(0)
	p.content.Show()
	p.relayout()
}

// relayout lays the screen out again around the bar.
func (p *bulkProgress) relayout() {
	if p.root != nil {
		p.root.Refresh()
	}
}

// set moves the bar and says how long is left, from the pace so far.
func (p *bulkProgress) set(done, total int) {
	p.done, p.total = done, total
	p.bar.Max = float64(max(total, 1))
	p.bar.SetValue(float64(done))
	if done > 0 && done < total && !p.cancel.Disabled() {
		elapsed := p.u.now().Sub(p.start)
		left := time.Duration(float64(elapsed) / float64(done) * float64(total-done))
		if text := p.u.remaining(left); text != p.eta.Text {
			p.eta.SetText(text)
			p.content.Refresh() // the label's width changed
		}
	}
}

// end hides the bar.
func (p *bulkProgress) end() {
	p.stop = nil
	p.content.Hide()
	p.relayout()
}

// remaining says roughly how long is left.
func (u *UI) remaining(d time.Duration) string {
	switch {
	case d < 5*time.Second:
		return u.text.T("bulk.eta.seconds")
	case d < 90*time.Second:
		return i18n.Format(u.text.lang, "bulk.eta.secs", map[string]string{"n": u.text.count(int(d.Round(5 * time.Second).Seconds()))})
	case d < 90*time.Minute:
		return i18n.Format(u.text.lang, "bulk.eta.mins", map[string]string{"n": u.text.count(int(d.Round(time.Minute).Minutes()))})
	}
	return i18n.Format(u.text.lang, "bulk.eta.hours", map[string]string{"n": u.text.count(int(d.Round(time.Hour).Hours()))})
}

// progressEvery is how often a running action redraws its bar at most:
// a thousand rows a second would otherwise flood the UI goroutine.
const progressEvery = 100 * time.Millisecond

// taskHost is a screen that runs long actions: it disables what must
// wait while one runs.
type taskHost interface {
	busy() bool
	setBusy(bool)
}

// runTask runs a long action in the background with a progress bar and
// Cancel; finish gets its result on the UI goroutine. Unlike async, no
// deadline: a pre-fill of thousands of rows at the registry's pace takes
// minutes.
func runTask[T any](u *UI, host taskHost, p *bulkProgress, action string, total int,
	work func(context.Context, onboarding.ProgressFunc) (T, error), finish func(T, error)) {
	if host.busy() {
		return
	}
	host.setBusy(true)
	ctx, cancel := context.WithCancel(context.Background())
	p.begin(u.text.T(action), total, cancel)
	do := u.deps.Do
	var mu sync.Mutex
	var last time.Time
	progress := func(done, total int) {
		mu.Lock()
		now := time.Now()
		send := done == total || now.Sub(last) >= progressEvery
		if send {
			last = now
		}
		mu.Unlock()
		if send {
			do(func() { p.set(done, total) })
		}
	}
	u.deps.Async(func() {
		v, err := work(ctx, progress)
		cancel()
		do(func() {
			p.end()
			host.setBusy(false)
			finish(v, err)
		})
	})
}

// runBulk runs a bulk action and reports what it did: summary's sentence,
// what was skipped and why, or that it was cancelled.
func runBulk(w *workspaceScreen, action string, total int,
	work func(context.Context, onboarding.ProgressFunc) (onboarding.BulkResult, error), summary func(onboarding.BulkResult) string) {
	runTask(w.u, w, w.progress, action, total, work, func(r onboarding.BulkResult, err error) {
		w.finishBulk(action, r, summary(r), err)
	})
}

// finishBulk says how a bulk action ended and shows the rows again.
func (w *workspaceScreen) finishBulk(action string, r onboarding.BulkResult, text string, err error) {
	u := w.u
	switch {
	case isCancelled(err):
		text = i18n.Format(u.text.lang, "bulk.cancelled", map[string]string{"done": u.text.count(r.Done), "total": u.text.count(r.Total)}) + " " + text
	case err != nil:
		text = u.text.errorText(err) + " " + text
	}
	if n := r.SkippedTotal(); n > 0 {
		text += " " + u.text.skippedText(r)
	}
	w.setMessage(text)
	w.refresh()
	if len(r.Notes) > 0 {
		// Rows left as they were, or warnings (a closed establishment):
		// each worth a look.
		u.showNotes(u.text.T(action), text, r.Notes)
	}
}

// isCancelled reports whether err is the user's Cancel.
func isCancelled(err error) bool { return errors.Is(err, context.Canceled) }

// showNotes lists the rows an action left as they were, with why: a
// virtualised list, however many.
func (u *UI) showNotes(heading, summary string, notes []onboarding.RowNote) {
	list := widget.NewList(func() int { return len(notes) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			n := notes[i]
			o.(*widget.Label).SetText(n.Label + "\n" + u.text.noteText(n))
		})
	// Two lines an item: the row, then why.
	height := 2*theme.TextSize() + 4*theme.Padding() + 6
	for i := range notes {
		list.SetItemHeight(i, height)
	}
	body := container.NewBorder(paragraph(summary), nil, nil, nil, list)
	d := dialog.NewCustom(heading, u.text.T("button.close"), body, u.win)
	d.Resize(fyne.NewSize(680, 460))
	d.Show()
}
