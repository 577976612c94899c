package shell

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// Tasks runs the screens' long actions and their files: progress lines,
// notes, saving a file where the user chooses, opening a page.
type Tasks struct{ s *Shell }

// NewProgress returns the progress line of a long action, in the user's
// language, on the shell's clock.
func (t *Tasks) NewProgress() *widgets.Progress {
	s := t.s
	tx := s.text
	return widgets.NewProgress(widgets.ProgressTexts{
		Of: func(done, total string) string {
			return i18n.Format(tx.lang, "bulk.progress", map[string]string{"done": done, "total": total})
		},
		Count: tx.Count, Size: tx.Size, Remaining: tx.Remaining,
		Cancel: tx.T("button.cancel"), Cancelling: tx.T("bulk.cancelling"),
	}, s.Now)
}

// Remaining says roughly how long is left.
func (tx *Texts) Remaining(d time.Duration) string {
	switch {
	case d < 5*time.Second:
		return tx.T("bulk.eta.seconds")
	case d < 90*time.Second:
		return i18n.Format(tx.lang, "bulk.eta.secs", map[string]string{"n": tx.Count(int(d.Round(5 * time.Second).Seconds()))})
	case d < 90*time.Minute:
		return i18n.Format(tx.lang, "bulk.eta.mins", map[string]string{"n": tx.Count(int(d.Round(time.Minute).Minutes()))})
	}
	return i18n.Format(tx.lang, "bulk.eta.hours", map[string]string{"n": tx.Count(int(d.Round(time.Hour).Hours()))})
}

// progressEvery is how often a running action redraws its bar at most:
// a thousand rows a second would otherwise flood the UI goroutine.
const progressEvery = 100 * time.Millisecond

// TaskHost is a screen that runs long actions: it disables what must
// wait while one runs.
type TaskHost interface {
	Busy() bool
	SetBusy(bool)
}

// RunTask runs a long action in the background with a progress bar and
// Cancel; finish gets its result on the UI goroutine. Unlike Async, no
// deadline: a pre-fill of thousands of rows at the registry's pace takes
// minutes.
func RunTask[T any](s *Shell, host TaskHost, p *widgets.Progress, action string, total int,
	work func(context.Context, onboarding.ProgressFunc) (T, error), finish func(T, error)) {
	if host.Busy() {
		return
	}
	host.SetBusy(true)
	ctx, cancel := context.WithCancel(context.Background())
	p.Begin(s.text.T(action), total, cancel)
	do := s.deps.Do
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
			do(func() { p.Set(done, total) })
		}
	}
	s.deps.Async(func() {
		v, err := work(ctx, progress)
		cancel()
		do(func() {
			p.End()
			host.SetBusy(false)
			finish(v, err)
		})
	})
}

// IsCancelled reports whether err is the user's Cancel.
func IsCancelled(err error) bool { return errors.Is(err, context.Canceled) }

// BulkText says how a bulk action ended: text, after what stopped it
// (Cancel, an error), and what was skipped and why.
func (tx *Texts) BulkText(r onboarding.BulkResult, text string, err error) string {
	switch {
	case IsCancelled(err):
		text = i18n.Format(tx.lang, "bulk.cancelled", map[string]string{"done": tx.Count(r.Done), "total": tx.Count(r.Total)}) + " " + text
	case err != nil:
		text = tx.ErrorText(err) + " " + text
	}
	if n := r.SkippedTotal(); n > 0 {
		text += " " + tx.SkippedText(r)
	}
	return text
}

// ShowNotes lists the rows an action left as they were, with why: a
// virtualised list, however many.
func (t *Tasks) ShowNotes(heading, summary string, notes []onboarding.RowNote) {
	s := t.s
	list := widgets.NewList(heading, func() int { return len(notes) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			n := notes[i]
			o.(*widget.Label).SetText(n.Label + "\n" + s.text.NoteText(n))
		})
	// Two lines an item: the row, then why.
	height := 2*theme.TextSize() + 4*theme.Padding() + 6
	for i := range notes {
		list.SetItemHeight(i, height)
	}
	body := widgets.NewBorder(widgets.Paragraph(summary), nil, nil, nil, list)
	d := dialog.NewCustom(heading, s.text.T("button.close"), body, s.win)
	d.Resize(fyne.NewSize(680, 460))
	d.Show()
	widgets.FocusDialogField()
}

// AskSaveAs shows the save dialog proposing fileName and hands the file
// the user chose to save; a failure of the dialog is said in message.
func (t *Tasks) AskSaveAs(fileName string, message *widget.Label, save func(fyne.URIWriteCloser)) {
	s := t.s
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			message.SetText(s.text.ErrorText(err))
			return
		}
		if wc != nil { // nil: the user closed the dialog
			save(wc)
		}
	}, s.win)
	d.SetFileName(fileName)
	d.Show()
	widgets.FocusDialogField()
}

// SaveFile writes a file the user chose with write, off the UI goroutine,
// then says in message done(its name), or the error; a file that could
// not be written whole is deleted: never half a file.
func (t *Tasks) SaveFile(wc fyne.URIWriteCloser, write func(io.Writer) error, message *widget.Label, done func(name string) string) {
	s := t.s
	Async(s, func(context.Context) (string, error) {
		err := write(wc)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = storage.Delete(wc.URI())
		}
		return wc.URI().Name(), err
	}, func(name string, err error) {
		if err != nil {
			message.SetText(s.text.ErrorText(err))
			return
		}
		message.SetText(done(name))
	})
}
