package workspace

import (
	"context"
	"slices"
	"strings"

	"github.com/chorusonboard/chorus-onboard/ui/shell"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// workspaceScreen is the accountant's workspace: every stored structure in
// one table, filtered as the user types, with bulk actions on a selection.
type workspaceScreen struct {
	u    *area
	flow workspaceFlow
	// alone holds the structures whose requests only the signed-in user
	// can approve on the portal (by identifierKey): marked in the
	// problems column, and said above the table.
	alone     map[string]bool
	aloneNote *widget.Label
	// firmRow holds the firm's chips (mine, conflicts) and who is in
	// charge, shown when the desktop is in a firm; person is that filter,
	// assignPick the choice of Assign to… while its dialog shows.
	firmRow    *fyne.Container
	person     *widgets.Select
	assignPick *widgets.Select
	view       *view

	search     *widgets.FocusEntry
	chips      map[core.StructureFilter]*widgets.Button
	table      *widgets.Table[core.StructureSummary]
	selection  *widget.Label
	bar        *fyne.Container
	filters    *fyne.Container
	selectAll  *widgets.Button
	clear      *widgets.Button
	queue      *widgets.Button
	prefill    *widgets.Button
	toDraft    *widgets.Button
	more       *widgets.Button
	newButton  *widgets.Button
	importButt *widgets.Button
	empty      fyne.CanvasObject
	noMatch    *widget.Label
	message    *widget.Label
	progress   *widgets.Progress
	content    fyne.CanvasObject

	rows   []core.StructureSummary
	counts map[core.StructureFilter]int
	// loaded is true once the first answer came; shownSeq is the seq of
	// the answer shown last (seq once the newest is on screen).
	loaded   bool
	shownSeq int
	// seq numbers queries: only the newest one's answer is shown.
	seq         int
	cancelQuery context.CancelFunc
	// running is true while a bulk action runs.
	running bool
}

// Busy reports whether a long action runs.
func (w *workspaceScreen) Busy() bool { return w.running }

// SetBusy disables what must wait while a long action runs.
func (w *workspaceScreen) SetBusy(b bool) {
	w.running = b
	w.selectionChanged()
}

// Column widths of the structures table, in Fyne units; the company
// takes what the window leaves beyond its own.
const (
	widthType     = 72
	widthID       = 146
	widthCompany  = 180
	widthCity     = 116
	widthPostal   = 100
	widthState    = 156
	widthProblem  = 100
	widthUpdated  = 138
	widthPlatform = 140
	widthChecked  = 190
)

func newWorkspaceScreen(u *area, flow workspaceFlow, people managedFlow) *workspaceScreen {
	w := &workspaceScreen{u: u, flow: flow, view: &u.workspace, chips: map[core.StructureFilter]*widgets.Button{}}
	w.search = u.NewEntry()
	// The shortcut in the prompt: Fyne's entries have no tooltip.
	w.search.SetPlaceHolder(u.Text().T("ws.search") + " (" + widgets.ShortcutText(fyne.KeyF, false) + ")")
	w.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	w.search.SetText(w.view.query.Text)
	w.search.OnChanged = func(text string) {
		w.view.query.Text = text
		w.clearSelection()
		w.refresh()
	}
	chipRow := container.NewHBox()
	reformRow := container.NewHBox(widget.NewLabelWithStyle(u.Text().T("ws.reform_chips"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	w.firmRow = container.NewHBox(widget.NewLabelWithStyle(u.Text().T("ws.firm_chips"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, f := range core.StructureFilters {
		b := widgets.NewButton("", func() { w.setFilter(f) })
		w.chips[f] = b
		switch {
		case slices.Contains(core.ReformFilters, f):
			reformRow.Add(b)
		case slices.Contains(core.FirmFilters, f):
			w.firmRow.Add(b)
		default:
			chipRow.Add(b)
		}
	}
	w.firmRow.Hide()
	workspaceFirm{w}.firmRowContent()
	w.table = widgets.NewTable(w.columns(), func() []core.StructureSummary { return w.rows },
		func(r core.StructureSummary) int64 { return r.ID }, true)
	w.table.Stretch = 2 // the company name
	w.table.SortKey, w.table.Desc = string(w.sortKey()), w.view.query.Desc
	w.table.OnSort = func(key string) { w.setSort(core.StructureSort(key)) }
	w.table.OnOpen = func(row int) { w.open(row, "") }
	w.table.OnCheck = w.selectionChanged
	w.table.OnCheckAll = func(on bool) {
		if on {
			w.checkAll()
		} else {
			w.clearSelection()
		}
	}
	w.selection = widget.NewLabel("")
	w.selectAll = widgets.NewButton("", w.checkAll)
	w.selectAll.Importance = widget.LowImportance
	w.clear = widgets.NewButton(u.Text().T("ws.clear"), w.clearSelection)
	w.clear.Importance = widget.LowImportance
	// The buttons say it short; the progress bar and the results say it
	// in full.
	w.queue = widgets.NewButtonWithIcon(u.Text().T("ws.btn.queue"), theme.UploadIcon(), w.onQueue)
	w.queue.Importance = widget.HighImportance
	w.prefill = widgets.NewButtonWithIcon(u.Text().T("ws.btn.prefill"), theme.DownloadIcon(), w.onPrefill)
	w.toDraft = widgets.NewButtonWithIcon(u.Text().T("ws.btn.to_draft"), theme.ContentUndoIcon(), w.onDraft)
	w.more = widgets.NewButtonWithIcon(u.Text().T("ws.more"), theme.MoreHorizontalIcon(), w.showMore)
	w.newButton = widgets.NewButtonWithIcon(u.Text().T("ws.new"), theme.ContentAddIcon(), func() { u.openStructure(0, "") })
	w.importButt = widgets.NewButtonWithIcon(u.Text().T("ws.import"), theme.FolderOpenIcon(), func() { u.files.pick(w.setMessage) })
	w.newButton.Tooltip, w.importButt.Tooltip = widgets.ShortcutText(fyne.KeyN, false), widgets.ShortcutText(fyne.KeyI, false)
	w.noMatch = widgets.Paragraph("")
	w.noMatch.Alignment = fyne.TextAlignCenter
	w.noMatch.Hide()
	w.message = widgets.Paragraph(w.view.message)
	w.aloneNote = widgets.Paragraph("")
	w.aloneNote.Importance = widget.WarningImportance
	w.aloneNote.Hide()
	w.progress = u.Tasks().NewProgress()
	w.empty = w.emptyState()
	w.empty.Hide()

	head := widgets.NewBorder(nil, nil, nil, container.NewHBox(w.newButton, w.importButt), widgets.Title(u.Text().T("ws.title")))
	w.bar = widgets.NewBorder(nil, nil, container.NewHBox(w.selection, w.selectAll, w.clear), container.NewHBox(w.queue, w.prefill, w.toDraft, w.more))
	bar := w.bar
	w.filters = container.NewVBox(w.search, container.NewHScroll(chipRow), container.NewHScroll(reformRow), w.firmRow, bar)
	top := container.NewVBox(head, w.aloneNote, w.filters)
	bottom := container.NewVBox(w.progress.Content, w.message)
	w.content = container.NewPadded(widgets.NewBorder(top, bottom, nil, nil,
		container.NewStack(w.table, container.NewVBox(w.noMatch), w.empty)))
	w.progress.Root = w.content
	w.selectionChanged()
	w.refresh()
	w.loadManaged(people)
	return w
}

// identifierKey names a structure across the store and the portal.
func identifierKey(t core.IdentifierType, id string) string { return string(t) + "\x00" + id }

// loadManaged asks the portal, once signed in, on which structures only
// the user can approve attachment requests: a principal who leaves
// without giving that right or the role leaves the requests with no one
// to decide them, which only a support ticket then fixes.
func (w *workspaceScreen) loadManaged(people managedFlow) {
	u := w.u
	if people == nil || u.Session().SignedIn() == "" || u.Session().Target().Portal == nil {
		return
	}
	shell.Async(u.Shell, people.Managed, func(ms []api.Managed, err error) {
		if err != nil {
			return // offline or signed out: the table shows what the store knows
		}
		w.alone = map[string]bool{}
		for _, m := range ms {
			if m.MayApprove && m.Approvers <= 1 {
				w.alone[identifierKey(m.IdentifierType, m.Identifier)] = true
			}
		}
		if n := len(w.alone); n > 0 {
			w.aloneNote.SetText(u.Text().Plural("ws.alone_note", n))
			w.aloneNote.Show()
		}
		w.table.Refresh()
	})
}

// columns are the table's columns after the check boxes.
func (w *workspaceScreen) columns() []widgets.Column[core.StructureSummary] {
	u := w.u
	cols := []widgets.Column[core.StructureSummary]{
		{Title: u.Text().T("ws.col.type"), Width: widthType, Sort: string(core.SortIdentifierType),
			Text: func(r core.StructureSummary) string { return u.Text().T("idtype.short." + string(r.IdentifierType)) }},
		{Title: u.Text().T("ws.col.identifier"), Width: widthID, Sort: string(core.SortIdentifier),
			Text: func(r core.StructureSummary) string { return widgets.GroupIdentifier(r.IdentifierType, r.Identifier) }},
		{Title: u.Text().T("ws.col.company"), Width: widthCompany, Sort: string(core.SortCompany),
			Text: func(r core.StructureSummary) string { return r.CompanyName }},
		{Title: u.Text().T("ws.col.city"), Width: widthCity, Sort: string(core.SortCity),
			Text: func(r core.StructureSummary) string { return r.City }},
		{Title: u.Text().T("ws.col.postal"), Width: widthPostal, Sort: string(core.SortPostalCode),
			Text: func(r core.StructureSummary) string { return r.PostalCode }},
		{Title: u.Text().T("ws.col.state"), Width: widthState, Sort: string(core.SortState),
			Chip: func(r core.StructureSummary) (string, widgets.Tone) {
				if r.Conflicts > 0 {
					return conflictChip(u.Text())
				}
				return u.Text().StateChipOf(r.State, r.Errors)
			}},
		{Title: u.Text().T("ws.col.problems"), Width: widthProblem, Sort: string(core.SortProblems),
			Text: func(r core.StructureSummary) string {
				if r.Errors == 0 && r.Warnings == 0 && w.alone[identifierKey(r.IdentifierType, r.Identifier)] {
					return u.Text().T("ws.alone")
				}
				return u.Text().ProblemsText(r.Errors, r.Warnings)
			},
			Tone: func(r core.StructureSummary) widget.Importance {
				switch {
				case r.Errors > 0:
					return widget.DangerImportance
				case r.Warnings > 0, w.alone[identifierKey(r.IdentifierType, r.Identifier)]:
					return widget.WarningImportance
				}
				return widget.MediumImportance
			}},
		{Title: u.Text().T("ws.col.platform"), Width: widthPlatform, Sort: string(core.SortPlatform),
			Text: func(r core.StructureSummary) string { return r.Platform }},
		{Title: u.Text().T("ws.col.checked"), Width: widthChecked, Sort: string(core.SortCheckedOn),
			// Due again: said in words as well as in the warning colour
			// (colour alone tells nothing to a person who cannot see it).
			Text: func(r core.StructureSummary) string {
				day := u.Text().DayText(r.CheckedOn)
				if core.FilterCheckDue.MatchesRow(r, core.DateOf(u.Now())) {
					return strings.TrimPrefix(day+" · "+u.Text().T("ws.check_again"), " · ")
				}
				return day
			},
			Tone: func(r core.StructureSummary) widget.Importance {
				if core.FilterCheckDue.MatchesRow(r, core.DateOf(u.Now())) {
					return widget.WarningImportance
				}
				return widget.MediumImportance
			}},
		{Title: u.Text().T("ws.col.updated"), Width: widthUpdated, Sort: string(core.SortUpdated),
			Text: func(r core.StructureSummary) string { return u.Text().DateTime(r.Updated) }},
	}
	if u.firm.in() {
		// Who is in charge, after the company: the firm's first question.
		inCharge := widgets.Column[core.StructureSummary]{Title: u.Text().T("ws.col.in_charge"), Width: widthCity,
			Text: workspaceFirm{w}.inChargeText,
			Tone: func(r core.StructureSummary) widget.Importance {
				if r.Mine {
					return widget.HighImportance
				}
				return widget.MediumImportance
			}}
		cols = slices.Insert(cols, 3, inCharge)
	}
	return cols
}

// emptyState is what a first-time accountant sees: how to get rows in.
func (w *workspaceScreen) emptyState() fyne.CanvasObject {
	u := w.u
	newB := widgets.NewButtonWithIcon(u.Text().T("ws.new"), theme.ContentAddIcon(), func() { u.openStructure(0, "") })
	newB.Importance = widget.HighImportance
	imp := widgets.NewButtonWithIcon(u.Text().T("ws.import"), theme.FolderOpenIcon(), func() { u.files.pick(w.setMessage) })
	newB.Tooltip, imp.Tooltip = widgets.ShortcutText(fyne.KeyN, false), widgets.ShortcutText(fyne.KeyI, false)
	text := widgets.Paragraph(u.Text().T("ws.empty.text"))
	text.Alignment = fyne.TextAlignCenter
	heading := widgets.Title(u.Text().T("ws.empty.title"))
	heading.Alignment = fyne.TextAlignCenter
	box := container.NewVBox(heading, text, container.NewCenter(container.NewHBox(newB, imp)))
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(560, box.MinSize().Height+40), box))
}

func (w *workspaceScreen) sortKey() core.StructureSort {
	if w.view.query.Sort == "" {
		return core.SortIdentifier
	}
	return w.view.query.Sort
}

func (w *workspaceScreen) setFilter(f core.StructureFilter) {
	w.view.query.Filter = f
	w.clearSelection()
	w.refresh()
}

func (w *workspaceScreen) setSort(key core.StructureSort) {
	q := &w.view.query
	if w.sortKey() == key {
		q.Desc = !q.Desc
	} else {
		q.Sort, q.Desc = key, false
	}
	w.table.SortKey, w.table.Desc = string(w.sortKey()), q.Desc
	w.refresh()
}

// refresh asks the store for the rows, off the UI goroutine; a newer
// refresh cancels an older one, whose answer is dropped.
func (w *workspaceScreen) refresh() {
	w.seq++
	seq := w.seq
	if w.cancelQuery != nil {
		w.cancelQuery()
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancelQuery = cancel
	q := w.view.query
	q.Today = core.DateOf(w.u.Now())
	w.u.Go(func() {
		list, err := w.flow.QueryStructures(ctx, q)
		w.u.Do(func() {
			if seq != w.seq {
				return // a newer keystroke's answer is on its way
			}
			cancel()
			w.shownSeq = seq
			w.show(list, err)
		})
	})
}

// show puts a query's answer on screen.
func (w *workspaceScreen) show(list core.StructureList, err error) {
	if err != nil {
		w.setMessage(w.u.Text().ErrorText(err))
		return
	}
	w.loaded = true
	w.rows, w.counts = list.Rows, list.Counts
	// The selection keeps only rows still listed.
	ids := make(map[int64]bool, len(w.rows))
	for _, r := range w.rows {
		ids[r.ID] = true
	}
	for id := range w.table.Checked {
		if !ids[id] {
			delete(w.table.Checked, id)
		}
	}
	filter := w.view.query.Filter
	if filter == "" {
		filter = core.FilterAll
	}
	for _, f := range core.StructureFilters {
		b := w.chips[f]
		b.SetText(reformChipText(w.u.Text(), f) + "  " + w.u.Text().Count(w.counts[f]))
		if f == filter {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.LowImportance
		}
		b.Refresh()
	}
	storeEmpty := w.counts[core.FilterAll] == 0 && strings.TrimSpace(w.view.query.Text) == ""
	// A first-time user sees how to get rows in, not an empty table.
	first := storeEmpty && filter == core.FilterAll
	for _, o := range []fyne.CanvasObject{w.table, w.filters} {
		if first {
			o.Hide()
		} else {
			o.Show()
		}
	}
	switch {
	case first:
		w.empty.Show()
		w.noMatch.Hide()
	case len(w.rows) == 0:
		w.empty.Hide()
		w.noMatch.SetText(w.u.Text().T("ws.no_match"))
		w.noMatch.Show()
	default:
		w.empty.Hide()
		w.noMatch.Hide()
	}
	w.content.Refresh()
	w.table.Refresh()
	if i := slices.IndexFunc(w.rows, func(r core.StructureSummary) bool { return r.ID == w.view.currentID }); i >= 0 && w.table.Current != i {
		w.table.FocusRow(i)
	}
	w.selectionChanged()
}

// showingRows returns how many rows the table lists (tests, benchmarks).
func (w *workspaceScreen) showingRows() int { return len(w.rows) }

// selectionChanged updates the selection bar and what the actions allow.
func (w *workspaceScreen) selectionChanged() {
	n := len(w.table.Checked)
	if n == 0 {
		w.selection.SetText(w.u.Text().T("ws.select_hint"))
	} else {
		w.selection.SetText(w.u.Text().Plural("ws.selected", n))
	}
	if len(w.rows) > 0 && n < len(w.rows) {
		w.selectAll.SetText(i18n.Format(w.u.Text().Lang(), "ws.select_all", map[string]string{"n": w.u.Text().Count(len(w.rows))}))
		w.selectAll.Show()
	} else {
		w.selectAll.Hide()
	}
	if n > 0 {
		w.clear.Show()
	} else {
		w.clear.Hide()
	}
	for _, b := range []*widgets.Button{w.queue, w.prefill, w.toDraft, w.more} {
		if n == 0 || w.running {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if w.u.Session().Target().Portal == nil {
		// Chorus Pro's own environments: the hand-off, not a queue.
		w.queue.Disable()
	}
	if w.bar != nil {
		w.bar.Refresh() // buttons came or went
	}
}

// checkAll selects every row the filter lists.
func (w *workspaceScreen) checkAll() {
	for _, r := range w.rows {
		w.table.Checked[r.ID] = true
	}
	w.table.Refresh()
	w.selectionChanged()
}

func (w *workspaceScreen) clearSelection() {
	if len(w.table.Checked) == 0 {
		return
	}
	clear(w.table.Checked)
	w.table.Refresh()
	w.selectionChanged()
}

// selected returns the checked rows' ids in the table's order, so that a
// bulk action goes down the table as the user sees it.
func (w *workspaceScreen) selected() []int64 {
	ids := make([]int64, 0, len(w.table.Checked))
	for _, r := range w.rows {
		if w.table.Checked[r.ID] {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// open shows the form on a row; focus names the field to put the cursor
// in ("" for the first).
func (w *workspaceScreen) open(row int, focus string) {
	if row < 0 || row >= len(w.rows) {
		return
	}
	w.view.currentID = w.rows[row].ID
	if focus == "" && w.rows[row].Errors > 0 {
		focus = shell.FocusFirstError
	}
	w.u.openStructure(w.rows[row].ID, focus)
}

// setMessage shows an action's outcome under the table, and keeps it for
// when the user comes back.
func (w *workspaceScreen) setMessage(s string) {
	w.view.message = s
	w.message.SetText(s)
}

// showMore opens the less frequent actions.
func (w *workspaceScreen) showMore() {
	u := w.u
	menu := fyne.NewMenu("",
		fyne.NewMenuItem(u.Text().T("ws.revalidate"), w.onRevalidate),
		fyne.NewMenuItem(u.Text().T("ws.export_csv"), func() { u.files.export(w, w.selected(), onboarding.FormatCSV) }),
		fyne.NewMenuItem(u.Text().T("ws.export_xlsx"), func() { u.files.export(w, w.selected(), onboarding.FormatXLSX) }),
		fyne.NewMenuItem(u.Text().T("ws.export_json"), func() { u.files.export(w, w.selected(), onboarding.FormatJSON) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(u.Text().T("ws.mark_checked"), workspaceReform{w}.onMarkChecked),
		fyne.NewMenuItem(u.Text().T("ws.set_platform")+"…", workspaceReform{w}.onSetPlatform),
		fyne.NewMenuItem(u.Text().T("reform.directory"), workspaceReform{w}.onDirectory),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(u.Text().T("ws.delete"), w.onDelete),
	)
	if u.firm.in() && u.firm.isAdmin() {
		menu.Items = append([]*fyne.MenuItem{fyne.NewMenuItem(u.Text().T("ws.assign")+"…", workspaceFirm{w}.onAssign), fyne.NewMenuItemSeparator()},
			menu.Items...)
	}
	c := u.Win().Canvas()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(w.more).Add(fyne.NewPos(0, w.more.Size().Height))
	widget.ShowPopUpMenuAtPosition(menu, c, pos)
}

// onQueue queues the valid rows of the selection.
func (w *workspaceScreen) onQueue() { w.bulk("ws.queue", "ws.done.queue", w.flow.QueueStructures) }

// onDraft takes the selection back to draft.
func (w *workspaceScreen) onDraft() {
	w.bulk("ws.to_draft", "ws.done.to_draft", w.flow.DraftStructures)
}

// bulk runs a bulk action on the selection and says, with done's text,
// how many rows it changed.
func (w *workspaceScreen) bulk(action, done string,
	fn func(context.Context, []int64, onboarding.ProgressFunc) (onboarding.BulkResult, error)) {
	ids := w.selected()
	runBulk(w, action, len(ids), func(ctx context.Context, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
		return fn(ctx, ids, p)
	}, func(r onboarding.BulkResult) string {
		w.u.Status().Refresh() // the status line's counts changed
		return w.u.Text().Plural(done, r.Done)
	})
}

// onDelete deletes the drafts of the selection the portal never saw, once
// the user confirms.
func (w *workspaceScreen) onDelete() {
	ids := w.selected()
	if len(ids) == 0 {
		return
	}
	u := w.u
	d := dialog.NewConfirm(u.Text().T("ws.delete"), u.Text().Plural("ws.delete.confirm", len(ids)), func(ok bool) {
		if !ok {
			return
		}
		runBulk(w, "ws.delete", len(ids), func(ctx context.Context, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
			return w.flow.DeleteStructures(ctx, ids, p)
		}, func(r onboarding.BulkResult) string { return u.Text().Plural("ws.done.delete", r.Done) })
	}, u.Win())
	d.SetConfirmText(u.Text().T("ws.delete.button"))
	d.SetDismissText(u.Text().T("button.cancel"))
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
	widgets.FocusDialogField()
}

// onRevalidate checks the selection again with this version's rules.
func (w *workspaceScreen) onRevalidate() {
	ids := w.selected()
	runBulk(w, "ws.revalidate", len(ids), func(ctx context.Context, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
		return w.flow.RevalidateStructures(ctx, ids, p)
	}, func(r onboarding.BulkResult) string {
		return w.u.Text().Plural("ws.done.revalidate", r.Done) + " " + w.u.Text().Plural("ws.done.with_errors", r.WithErrors)
	})
}
