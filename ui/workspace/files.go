package workspace

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// files moves structures between files and the workspace: a file chosen
// or dropped is imported, a selection exported, and the import's report
// kept until the user leaves it.
type files struct {
	u *area
	// frenchSheets is true where Excel reads ";" (a French locale).
	frenchSheets bool
	// report is the last import's report, until the user leaves it (it
	// holds a file of rejected rows); reportName names its file.
	report     *onboarding.ImportReport
	reportName string
	// sheetPick is the import confirmation's choice of a sheet, when the
	// workbook offers several (tests choose with it).
	sheetPick *widgets.Select
}

// sheetOptions says how a CSV is written for the spreadsheet that will
// open it: Excel in a French locale reads ";", elsewhere ","; both need the
// byte order mark to read accents as UTF-8.
func (f *files) sheetOptions() csvio.WriterOptions {
	u := f.u
	comma := ','
	if f.frenchSheets {
		comma = ';'
	}
	return csvio.WriterOptions{Lang: u.Text().Lang(), Comma: comma, BOM: true}
}

// isWorkbook reports whether a file is an Excel workbook, by its name.
func isWorkbook(uri fyne.URI) bool { return strings.EqualFold(uri.Extension(), ".xlsx") }

// pick asks for a CSV file or an Excel workbook to import; say shows why
// the dialog failed.
func (f *files) pick(say func(string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			say(f.u.Text().ErrorText(err))
			return
		}
		if r == nil {
			return // the user closed the dialog
		}
		// The dialog opened the file; the import opens it again in the
		// background, where reading belongs.
		uri := r.URI()
		_ = r.Close()
		f.confirmImport(uri)
	}, f.u.Win())
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".CSV", ".txt", ".xlsx", ".XLSX"}))
	d.Show()
	widgets.FocusDialogField()
}

// dropped imports a CSV file dropped on the window (the first one, if
// several: one import at a time).
func (f *files) dropped(_ fyne.Position, uris []fyne.URI) {
	u := f.u
	for _, uri := range uris {
		if ext := strings.ToLower(uri.Extension()); ext == ".csv" || ext == ".txt" || ext == ".xlsx" {
			f.confirmImport(uri)
			return
		}
	}
	if len(uris) > 0 {
		dialog.ShowInformation(u.Text().T("ws.import"), u.Text().T("ws.import.not_csv"), u.Win())
	}
}

// confirmImport says which file will be imported and asks whether its
// valid rows go to the portal at once or stay drafts to review; for a
// workbook with several sheets import can read, which one (read off the
// UI goroutine first).
func (f *files) confirmImport(uri fyne.URI) {
	u := f.u
	if !isWorkbook(uri) {
		f.askImport(uri, nil)
		return
	}
	shell.Async(u.Shell, func(context.Context) ([]string, error) {
		rc, err := storage.Reader(uri)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return u.deps.Workspace.SheetsOf(rc)
	}, func(sheets []string, err error) {
		if err == nil && len(sheets) == 0 {
			err = &core.E{Kind: core.KindInvalid, Code: xlsxNoHeader}
		}
		if err != nil {
			dialog.ShowInformation(u.Text().T("ws.import"), u.Text().ErrorText(err), u.Win())
			return
		}
		f.askImport(uri, sheets)
	})
}

// xlsxNoHeader is core/xlsxio's code for a workbook with no sheet import
// can read.
const xlsxNoHeader = "xlsx.no_header"

// askImport is the confirmation: the file, the sheet when there is a
// choice, and whether to queue.
func (f *files) askImport(uri fyne.URI, sheets []string) {
	u := f.u
	queue := widgets.NewCheck(u.Text().T("ws.import.queue"), nil)
	items := []fyne.CanvasObject{widgets.Paragraph(i18n.Format(u.Text().Lang(), "ws.import.confirm", map[string]string{"file": uri.Name()}))}
	var pick *widgets.Select
	if len(sheets) > 1 {
		pick = widgets.NewSelect(sheets, nil)
		pick.SetSelectedIndex(0)
		items = append(items, widget.NewForm(widget.NewFormItem(u.Text().T("ws.import.sheet"), pick)))
	}
	items = append(items, queue)
	if u.Session().Target().Portal == nil {
		queue.Disable() // Chorus Pro's own environments: the hand-off
	}
	f.sheetPick = pick
	d := dialog.NewCustomConfirm(u.Text().T("ws.import"), u.Text().T("ws.import.start"), u.Text().T("button.cancel"), container.NewVBox(items...), func(ok bool) {
		if ok {
			sheet := ""
			if pick != nil {
				sheet = pick.Selected
			} else if len(sheets) == 1 {
				sheet = sheets[0]
			}
			f.startImport(uri, sheet, queue.Checked)
		}
	}, u.Win())
	d.Show()
	widgets.FocusDialogField()
}

// startImport imports a file on the workspace, with its progress (bytes
// read of the file's size) and Cancel, then shows the report.
func (f *files) startImport(uri fyne.URI, sheet string, queue bool) {
	u := f.u
	if u.Step() != shell.StepWorkspace || u.workspaceS == nil {
		u.Show(shell.StepWorkspace)
	}
	w := u.workspaceS
	p := w.progress
	p.Unit = widgets.UnitBytes
	shell.RunTask(u.Shell, w, p, "ws.importing", 0, func(ctx context.Context, progress onboarding.ProgressFunc) (*onboarding.ImportReport, error) {
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
		opt := onboarding.ImportOptions{Size: size, Drafts: !queue, Sheet: f.sheetOptions(),
			Progress: func(read, size int64) { progress(int(min(read, max(size, read))), int(max(size, read))) }}
		if isWorkbook(uri) {
			return w.flow.ImportXLSX(ctx, rc, sheet, opt)
		}
		return w.flow.ImportCSV(ctx, rc, opt)
	}, func(rep *onboarding.ImportReport, err error) {
		p.Unit = widgets.UnitRows
		w.refresh()
		u.Status().Refresh()
		if err != nil {
			w.setMessage(u.Text().ErrorText(err))
			if rep == nil {
				return
			}
		}
		f.closeReport()
		f.report, f.reportName = rep, uri.Name()
		u.Show(shell.StepImportReport)
	})
}

// closeReport deletes the report's file of rejected rows.
func (f *files) closeReport() {
	if f.report != nil {
		_ = f.report.Close()
		f.report = nil
	}
}

// importReportScreen says what an import did: how many rows went in, and
// each rejected line with its field and what to do, with "Save the
// rejected rows" to fix them in a spreadsheet and import them again.
type importReportScreen struct {
	u       *area
	rep     *onboarding.ImportReport
	summary *widget.Label
	list    *widgets.List
	save    *widgets.Button
	back    *widgets.Button
	message *widget.Label
	content fyne.CanvasObject
}

func newImportReportScreen(u *area, rep *onboarding.ImportReport, name string) *importReportScreen {
	s := &importReportScreen{u: u, rep: rep}
	if rep == nil {
		rep = &onboarding.ImportReport{}
		s.rep = rep
	}
	st := rep.ImportStats
	summary := i18n.Format(u.Text().Lang(), "report.summary", map[string]string{"file": name, "imported": u.Text().Count(st.Imported),
		"updated": u.Text().Count(st.Updated), "rejected": u.Text().Count(st.Rejected)})
	if st.Duplicates > 0 {
		summary += " " + u.Text().Plural("report.duplicates", st.Duplicates)
	}
	if st.Unread > 0 {
		summary += " " + u.Text().Plural("report.unread", st.Unread)
	}
	if rep.Cancelled {
		summary += " " + u.Text().T("report.cancelled")
	}
	if len(rep.Ignored) > 0 {
		summary += " " + i18n.Format(u.Text().Lang(), "report.ignored", map[string]string{"columns": strings.Join(rep.Ignored, ", ")})
	}
	s.summary = widgets.Paragraph(summary)
	rows := rep.Rejections
	s.list = widgets.NewList(u.Text().T("report.title"), func() int { return len(rows) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return widgets.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), nil, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := rows[i]
			c := o.(*fyne.Container)
			icon := c.Objects[0].(*widget.Icon)
			if r.Warning {
				icon.SetResource(theme.WarningIcon())
			} else {
				icon.SetResource(theme.ErrorIcon())
			}
			c.Objects[1].(*widget.Label).SetText(fmt.Sprintf("%s %s · %s", u.Text().T("report.line"), u.Text().Count(r.Line),
				csvio.RejectionText(u.Text().Lang(), r)))
		})
	s.save = widgets.NewButtonWithIcon(u.Text().T("report.save"), theme.DocumentSaveIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	if rep.RejectedRows() == 0 {
		s.save.Disable()
	}
	s.back = widgets.NewButtonWithIcon(u.Text().T("review.back"), theme.NavigateBackIcon(), func() {
		u.files.closeReport()
		u.Show(shell.StepWorkspace)
	})
	s.message = widgets.Paragraph("")
	more := widget.NewLabel("")
	if rep.MoreRejections > 0 {
		more.SetText(u.Text().Plural("report.more", rep.MoreRejections))
	}
	top := container.NewVBox(widgets.Title(u.Text().T("report.title")), s.summary)
	bottom := container.NewVBox(more, s.message, container.NewHBox(s.back, s.save))
	s.content = container.NewPadded(widgets.NewBorder(top, bottom, nil, nil, s.list))
	return s
}

// onSave asks where to write the rejected rows, then writes them in the
// background.
func (s *importReportScreen) onSave() {
	ext := ".csv"
	if s.rep.Sheet != "" {
		ext = ".xlsx" // from a workbook, back to one
	}
	s.u.Tasks().AskSaveAs(s.u.Text().T("report.file_name")+ext, s.message, s.saveTo)
}

// saveTo writes the rejected rows to wc, off the UI goroutine: a workbook
// when its name says so, else CSV.
func (s *importReportScreen) saveTo(wc fyne.URIWriteCloser) {
	u := s.u
	rep := s.rep
	save := rep.SaveRejected
	if strings.EqualFold(wc.URI().Extension(), ".xlsx") {
		save = rep.SaveRejectedXLSX
	}
	u.Tasks().SaveFile(wc, save, s.message, func(name string) string {
		return i18n.Format(u.Text().Lang(), "report.saved", map[string]string{"n": u.Text().Count(rep.RejectedRows()), "file": name})
	})
}

// export asks where to write the rows of ids, then writes them in the
// background on w; a cancelled or failed export leaves no half file.
func (f *files) export(w *workspaceScreen, ids []int64, format string) {
	u := f.u
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			w.setMessage(u.Text().ErrorText(err))
			return
		}
		if wc == nil {
			return
		}
		f.exportTo(w, wc, ids, format)
	}, u.Win())
	d.SetFileName(u.Text().T("ws.export.file_name") + "-" + u.Now().Format("2006-01-02") + "." + format)
	d.Show()
	widgets.FocusDialogField()
}

// exportTo writes the rows of ids to wc with progress and Cancel.
func (f *files) exportTo(w *workspaceScreen, wc fyne.URIWriteCloser, ids []int64, format string) {
	u := f.u
	shell.RunTask(u.Shell, w, w.progress, "ws.exporting", len(ids), func(ctx context.Context, p onboarding.ProgressFunc) (int, error) {
		n, err := w.flow.ExportStructures(ctx, wc, ids, format, f.sheetOptions(), p)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = storage.Delete(wc.URI())
		}
		return n, err
	}, func(n int, err error) {
		switch {
		case shell.IsCancelled(err):
			w.setMessage(u.Text().T("ws.export.cancelled"))
		case err != nil:
			w.setMessage(u.Text().ErrorText(err))
		default:
			w.setMessage(i18n.Format(u.Text().Lang(), "ws.done.export", map[string]string{"n": u.Text().Count(n), "file": wc.URI().Name()}))
		}
	})
}
