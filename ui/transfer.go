package ui

import (
	"context"
	"fmt"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// sheetOptions says how a CSV is written for the spreadsheet that will
// open it: Excel in a French locale reads ";", elsewhere ","; both need the
// byte order mark to read accents as UTF-8.
func (u *UI) sheetOptions() csvio.WriterOptions {
	comma := ','
	if u.frenchSheets {
		comma = ';'
	}
	return csvio.WriterOptions{Lang: u.lang, Comma: comma, BOM: true}
}

// onImport asks for a CSV file to import.
func (w *workspaceScreen) onImport() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			w.setMessage(w.u.errorText(err))
			return
		}
		if r == nil {
			return // the user closed the dialog
		}
		// The dialog opened the file; the import opens it again in the
		// background, where reading belongs.
		uri := r.URI()
		_ = r.Close()
		w.u.confirmImport(uri)
	}, w.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".CSV", ".txt"}))
	d.Show()
}

// dropped imports a CSV file dropped on the window (the first one, if
// several: one import at a time).
func (u *UI) dropped(_ fyne.Position, uris []fyne.URI) {
	for _, uri := range uris {
		if ext := strings.ToLower(uri.Extension()); ext == ".csv" || ext == ".txt" {
			u.confirmImport(uri)
			return
		}
	}
	if len(uris) > 0 {
		dialog.ShowInformation(u.T("ws.import"), u.T("ws.import.not_csv"), u.win)
	}
}

// confirmImport says which file will be imported and asks whether its
// valid rows go to the portal at once or stay drafts to review.
func (u *UI) confirmImport(uri fyne.URI) {
	queue := widget.NewCheck(u.T("ws.import.queue"), nil)
	body := container.NewVBox(paragraph(i18n.Format(u.lang, "ws.import.confirm", map[string]string{"file": uri.Name()})), queue)
	if u.deps.Connection.Target().Portal == nil {
		queue.Disable() // Chorus Pro's own environments: the hand-off
	}
	d := dialog.NewCustomConfirm(u.T("ws.import"), u.T("ws.import.start"), u.T("button.cancel"), body, func(ok bool) {
		if ok {
			u.startImport(uri, queue.Checked)
		}
	}, u.win)
	d.Show()
}

// startImport imports a file on the workspace, with its progress (bytes
// read of the file's size) and Cancel, then shows the report.
func (u *UI) startImport(uri fyne.URI, queue bool) {
	if u.step != stepWorkspace || u.workspaceS == nil {
		u.show(stepWorkspace)
	}
	w := u.workspaceS
	p := w.progress
	p.unit = unitBytes
	runTask(u, w, p, "ws.importing", 0, func(ctx context.Context, progress onboarding.ProgressFunc) (*onboarding.ImportReport, error) {
		rc, err := storage.Reader(uri)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		var size int64
		if uri.Scheme() == "file" {
			if fi, err := os.Stat(uri.Path()); err == nil {
				size = fi.Size()
			}
		}
		progress(0, int(size))
		return w.flow.ImportCSV(ctx, rc, onboarding.ImportOptions{Size: size, Drafts: !queue, Sheet: u.sheetOptions(),
			Progress: func(read, size int64) { progress(int(min(read, max(size, read))), int(max(size, read))) }})
	}, func(rep *onboarding.ImportReport, err error) {
		p.unit = unitRows
		w.refresh()
		u.refreshStatus()
		if err != nil {
			w.setMessage(u.errorText(err))
			if rep == nil {
				return
			}
		}
		u.closeImportReport()
		u.importReport, u.importName = rep, uri.Name()
		u.show(stepImportReport)
	})
}

// closeImportReport deletes the report's file of rejected rows.
func (u *UI) closeImportReport() {
	if u.importReport != nil {
		_ = u.importReport.Close()
		u.importReport = nil
	}
}

// importReportScreen says what an import did: how many rows went in, and
// each rejected line with its field and what to do, with "Save the
// rejected rows" to fix them in a spreadsheet and import them again.
type importReportScreen struct {
	u       *UI
	rep     *onboarding.ImportReport
	summary *widget.Label
	list    *widget.List
	save    *widget.Button
	back    *widget.Button
	message *widget.Label
	content fyne.CanvasObject
}

func newImportReportScreen(u *UI, rep *onboarding.ImportReport, name string) *importReportScreen {
	s := &importReportScreen{u: u, rep: rep}
	if rep == nil {
		rep = &onboarding.ImportReport{}
		s.rep = rep
	}
	st := rep.ImportStats
	summary := i18n.Format(u.lang, "report.summary", map[string]string{"file": name, "imported": u.count(st.Imported),
		"updated": u.count(st.Updated), "rejected": u.count(st.Rejected)})
	if st.Duplicates > 0 {
		summary += " " + u.plural("report.duplicates", st.Duplicates)
	}
	if st.Unread > 0 {
		summary += " " + u.plural("report.unread", st.Unread)
	}
	if rep.Cancelled {
		summary += " " + u.T("report.cancelled")
	}
	if len(rep.Ignored) > 0 {
		summary += " " + i18n.Format(u.lang, "report.ignored", map[string]string{"columns": strings.Join(rep.Ignored, ", ")})
	}
	s.summary = paragraph(summary)
	rows := rep.Rejections
	s.list = widget.NewList(func() int { return len(rows) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), nil, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := rows[i]
			c := o.(*fyne.Container)
			icon := c.Objects[1].(*widget.Icon)
			if r.Warning {
				icon.SetResource(theme.WarningIcon())
			} else {
				icon.SetResource(theme.ErrorIcon())
			}
			c.Objects[0].(*widget.Label).SetText(fmt.Sprintf("%s %s · %s", u.T("report.line"), u.count(r.Line),
				csvio.RejectionText(u.lang, r)))
		})
	s.save = widget.NewButtonWithIcon(u.T("report.save"), theme.DocumentSaveIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	if rep.RejectedRows() == 0 {
		s.save.Disable()
	}
	s.back = widget.NewButtonWithIcon(u.T("review.back"), theme.NavigateBackIcon(), func() {
		u.closeImportReport()
		u.show(stepWorkspace)
	})
	s.message = paragraph("")
	more := widget.NewLabel("")
	if rep.MoreRejections > 0 {
		more.SetText(u.plural("report.more", rep.MoreRejections))
	}
	top := container.NewVBox(title(u.T("report.title")), s.summary)
	bottom := container.NewVBox(more, s.message, container.NewHBox(s.back, s.save))
	s.content = container.NewPadded(container.NewBorder(top, bottom, nil, nil, s.list))
	return s
}

// onSave asks where to write the rejected rows, then writes them in the
// background.
func (s *importReportScreen) onSave() {
	u := s.u
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			s.message.SetText(u.errorText(err))
			return
		}
		if wc == nil {
			return
		}
		s.saveTo(wc)
	}, u.win)
	d.SetFileName(u.T("report.file_name") + ".csv")
	d.Show()
}

// saveTo writes the rejected rows to wc, off the UI goroutine.
func (s *importReportScreen) saveTo(wc fyne.URIWriteCloser) {
	u := s.u
	rep := s.rep
	async(u, func(context.Context) (string, error) {
		err := rep.SaveRejected(wc)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = storage.Delete(wc.URI()) // never half a file
		}
		return wc.URI().Name(), err
	}, func(name string, err error) {
		if err != nil {
			s.message.SetText(u.errorText(err))
			return
		}
		s.message.SetText(i18n.Format(u.lang, "report.saved", map[string]string{"n": u.count(rep.RejectedRows()), "file": name}))
	})
}

// onExport asks where to write the selection, then writes it in the
// background; a cancelled or failed export leaves no half file.
func (w *workspaceScreen) onExport(format string) {
	ids := w.selected()
	u := w.u
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			w.setMessage(u.errorText(err))
			return
		}
		if wc == nil {
			return
		}
		w.exportTo(wc, ids, format)
	}, u.win)
	d.SetFileName(u.T("ws.export.file_name") + "-" + u.now().Format("2006-01-02") + "." + format)
	d.Show()
}

// exportTo writes the rows of ids to wc with progress and Cancel.
func (w *workspaceScreen) exportTo(wc fyne.URIWriteCloser, ids []int64, format string) {
	u := w.u
	runTask(u, w, w.progress, "ws.exporting", len(ids), func(ctx context.Context, p onboarding.ProgressFunc) (int, error) {
		n, err := w.flow.ExportStructures(ctx, wc, ids, format, u.sheetOptions(), p)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = storage.Delete(wc.URI())
		}
		return n, err
	}, func(n int, err error) {
		switch {
		case isCancelled(err):
			w.setMessage(u.T("ws.export.cancelled"))
		case err != nil:
			w.setMessage(u.errorText(err))
		default:
			w.setMessage(i18n.Format(u.lang, "ws.done.export", map[string]string{"n": u.count(n), "file": wc.URI().Name()}))
		}
	})
}

// progressUnit is what a progress bar counts.
type progressUnit int

const (
	unitRows progressUnit = iota
	unitBytes
)

// size writes a byte count as people read it: 3.4 MB.
func (u *UI) size(n int) string {
	units := []string{"B", "kB", "MB", "GB"}
	if u.lang == i18n.FR {
		units = []string{"o", "ko", "Mo", "Go"}
	}
	v, i := float64(n), 0
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	s := fmt.Sprintf("%.1f", v)
	if i == 0 {
		s = fmt.Sprint(n)
	}
	if u.lang == i18n.FR {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + "\u00a0" + units[i]
}
