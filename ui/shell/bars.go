package shell

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// header is the window's top line: the areas (workspace, approvals), the
// environment in effect, the language and the settings.
type header struct {
	s         *Shell
	lang      *widgets.Button
	settings  *widgets.Button
	workspace *widgets.Button
	approvals *widgets.Button
	env       *widget.Label
	content   fyne.CanvasObject
	// heading is the shown screen's title, first in the window's title.
	heading string
}

// newHeader builds the header; langLocked greys the language switch out
// (an admin's policy chose it).
func newHeader(s *Shell, langLocked bool) *header {
	h := &header{s: s}
	h.lang = lowButton(nil, h.toggleLang)
	if langLocked {
		h.lang.Disable()
	}
	h.settings = lowButton(theme.SettingsIcon(), func() { s.Show(StepSettings) })
	h.workspace = lowButton(theme.ListIcon(), func() { s.Show(StepWorkspace) })
	h.approvals = lowButton(theme.MailComposeIcon(), func() { s.Show(StepApprovals) })
	h.env = widget.NewLabel("")
	h.env.Importance = widget.HighImportance
	logo := canvas.NewImageFromResource(s.app.Icon())
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSquareSize(32))
	name := widget.NewLabelWithStyle("Chorus Onboard", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.content = container.New(foldLayout{}, container.NewHBox(logo, name, h.workspace, h.approvals),
		container.NewHBox(h.env, h.lang, h.settings))
	return h
}

// foldLayout lays the header's two groups out: the areas at the start,
// the environment, language and settings at the end of one line; when the
// text size (Settings) makes them wider than half the width of a standard
// window together, the second group goes to a line of its own, so that
// at 200 % nothing overlaps in a 1,120-pixel window.
type foldLayout struct{}

// folded reports whether the groups need two lines.
func (foldLayout) folded(objs []fyne.CanvasObject) bool {
	return objs[0].MinSize().Width+objs[1].MinSize().Width > WindowSize.Width*0.9
}

func (l foldLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	if l.folded(objs) {
		return fyne.NewSize(max(a.Width, b.Width), a.Height+b.Height)
	}
	return fyne.NewSize(a.Width+b.Width, max(a.Height, b.Height))
}

func (l foldLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(a.Width, max(a.Height, b.Height)))
	if l.folded(objs) {
		objs[0].Resize(a)
		objs[1].Move(fyne.NewPos(max(size.Width-b.Width, 0), a.Height))
		objs[1].Resize(b)
		return
	}
	objs[1].Move(fyne.NewPos(size.Width-b.Width, 0))
	objs[1].Resize(fyne.NewSize(b.Width, max(a.Height, b.Height)))
}

// lowButton is a button of the bars: discreet, with an icon or none.
func lowButton(icon fyne.Resource, tapped func()) *widgets.Button {
	b := widgets.NewButtonWithIcon("", icon, tapped)
	b.Importance = widget.LowImportance
	return b
}

func (h *header) toggleLang() {
	if h.s.text.lang == i18n.FR {
		h.s.SetLang(i18n.EN)
	} else {
		h.s.SetLang(i18n.FR)
	}
}

// setTitle names the window after the screen, the app and the
// environment. The screen comes first: a screen reader says the window's
// title when a step changes (WCAG 2.4.2, page titled), and in the taskbar
// a person with two windows (or an admin checking a deployment) sees
// where each one sends.
func (h *header) setTitle(env string) {
	title := h.s.text.T("app.name") + " - " + env
	if h.heading != "" {
		title = h.heading + " - " + title
	}
	h.s.win.SetTitle(title)
}

// refresh shows the environment in effect and names the status bar's
// button after what it opens: the sync panel where the portal has an API,
// the hand-off elsewhere.
func (h *header) refresh() {
	u := h.s
	env := u.text.T("env." + string(u.deps.Connection.Target().Env))
	h.setTitle(env)
	h.lang.SetText(u.text.T("lang.switch"))
	h.workspace.SetText(u.text.T("ws.title"))
	h.settings.Label = u.text.T("settings.title")
	h.approvals.SetText(u.text.T("approvals.button"))
	h.env.SetText(env)
	if u.session.HasPortal() {
		h.approvals.Show()
		u.bar.sync.SetText(u.text.T("sync.button"))
	} else {
		h.approvals.Hide()
		u.bar.sync.SetText(u.text.T("handoff.button"))
	}
	// The bars' texts changed width: lay the window out again.
	if c := u.win.Content(); c != nil {
		c.Refresh()
	}
}

// Status is the window's bottom line: whether the portal answers, what
// waits, and buttons opening the structures that need a look.
type Status struct {
	u    *Shell
	line *widget.Label
	// counts open the workspace on the states that need a look: queued,
	// refused, failed.
	counts map[core.StructureFilter]*widgets.Button
	sync   *widgets.Button
	firm   *widgets.Button
	footer *fyne.Container
	// elsewhere counts the changes queued for another environment.
	elsewhere int
	// presetsReported is set once the line said that some admin presets
	// were ignored.
	presetsReported bool
	// starting is set while a request waits for the Local sandbox, which
	// starts after the window: the line says so rather than "offline".
	starting bool
}

func newStatusBar(u *Shell) *Status {
	b := &Status{u: u, counts: map[core.StructureFilter]*widgets.Button{}}
	b.sync = lowButton(theme.UploadIcon(), func() {
		if u.session.HasPortal() {
			u.Show(StepSync)
		} else {
			u.Show(StepHandoff)
		}
	})
	counts := container.NewHBox()
	for _, f := range []core.StructureFilter{core.FilterQueued, core.FilterRefused, core.FilterFailed} {
		btn := lowButton(nil, func() { u.ShowWith(StepWorkspace, WorkspaceView{Filter: f}) })
		btn.Hide()
		b.counts[f] = btn
		counts.Add(btn)
	}
	b.line = widget.NewLabel("")
	b.line.Truncation = fyne.TextTruncateEllipsis
	// The firm's state: a button that opens the firm's screen, hidden
	// while the desktop is in no firm.
	b.firm = lowButton(theme.AccountIcon(), func() { u.Show(StepFirm) })
	b.firm.Hide()
	b.footer = widgets.NewBorder(nil, nil, nil, container.NewHBox(b.firm, counts, b.sync), b.line)
	return b
}

// ShowFirm says where the desktop stands with its firm ("" hides it: in
// no firm). Call it on the UI goroutine.
func (b *Status) ShowFirm(text string) {
	if text == "" {
		b.firm.Hide()
		return
	}
	b.firm.SetText(text)
	b.firm.Show()
}

// set shows a line.
func (b *Status) set(s string) { b.line.SetText(s) }

// show shows what the background worker reports: online or not, and
// outbox rows waiting; the counts beside it are read again (the pass may
// have changed states).
func (b *Status) show(online bool, pending int) {
	u := b.u
	line := u.text.T("status.offline")
	if b.starting {
		line = u.text.T("status.sandbox_starting")
	} else if online {
		line = u.text.T("status.online") + " · " + u.text.T("env."+string(u.deps.Connection.Target().Env))
	}
	if pending > 0 {
		line += " · " + u.text.Plural("status.pending", pending)
	}
	if b.elsewhere > 0 {
		line += " · " + u.text.Plural("status.elsewhere", b.elsewhere)
	}
	b.set(line)
	b.refreshCounts()
}

// showStarting says whether a request waits for the Local sandbox to
// start; once none does, the line is read again.
func (b *Status) showStarting(waiting bool) {
	b.starting = waiting
	if waiting {
		b.set(b.u.text.T("status.sandbox_starting"))
		return
	}
	b.refresh()
}

// showCounts shows the structures that need a look (queued, refused,
// failed), each opening the table on them.
func (b *Status) showCounts(counts map[core.SyncState]int) {
	n := map[core.StructureFilter]int{}
	for st, k := range counts {
		for f := range b.counts {
			if f.Matches(st, 0) {
				n[f] += k
			}
		}
	}
	changed := false
	for f, btn := range b.counts {
		if (n[f] > 0) != btn.Visible() {
			changed = true
		}
		if n[f] == 0 {
			btn.Hide()
			continue
		}
		btn.SetText(b.u.text.Plural("status.count."+string(f), n[f]))
		btn.Show()
	}
	if changed {
		// Buttons came or went: the bar's height may change with them, so
		// the whole window is laid out again.
		b.u.win.Content().Refresh()
	} else {
		b.footer.Refresh()
	}
}

// refreshCounts reads the counts per state, and the rows waiting for
// another environment, off the UI goroutine.
func (b *Status) refreshCounts() {
	type counted struct {
		states    map[core.SyncState]int
		elsewhere int
	}
	sync := b.u.deps.Counts
	Async(b.u, func(ctx context.Context) (counted, error) {
		counts, _, err := sync.Counts(ctx)
		if err != nil {
			return counted{}, err
		}
		elsewhere, err := sync.PendingElsewhere(ctx)
		return counted{counts, elsewhere}, err
	}, func(c counted, err error) {
		if err == nil {
			b.showCounts(c.states)
			if c.elsewhere != b.elsewhere {
				b.elsewhere = c.elsewhere
				b.refresh()
			}
		}
	})
}

// refresh asks whether the portal answers and what waits: online or
// offline comes from reaching it, never from guessing. Both questions run
// off the UI goroutine.
func (b *Status) refresh() {
	type status struct {
		online  bool
		pending int
		counts  map[core.SyncState]int
	}
	u := b.u
	conn, sync := u.deps.Connection, u.deps.Counts
	Async(u, func(ctx context.Context) (status, error) {
		st := status{online: conn.Health(ctx) == nil}
		counts, pending, err := sync.Counts(ctx)
		if err == nil {
			st.pending, st.counts = pending, counts
		}
		return st, nil
	}, func(st status, _ error) {
		b.showCounts(st.counts)
		if problems := conn.Effective().Problems; len(problems) > 0 && !b.presetsReported {
			// Said once, with the first: onboardctl policy and the
			// settings screen list them all.
			b.presetsReported = true
			b.set(u.text.T("settings.presets_ignored") + " " + i18n.PresetProblem(u.text.lang, core.SortedPresetProblems(problems)[0]))
			return
		}
		if !u.session.HasPortal() {
			b.set(u.text.T("env."+string(conn.Target().Env)) + " · " + u.text.T("settings.real_env"))
			return
		}
		b.show(st.online, st.pending)
	})
}

// Refresh reads again what the line shows (the states and counts
// changed).
func (b *Status) Refresh() { b.refresh() }

// ShowSync shows what the background worker reports: online or not, and
// outbox rows waiting. Call it on the UI goroutine.
func (b *Status) ShowSync(online bool, pending int) { b.show(online, pending) }

// ShowSandboxStarting says whether a request waits for the Local sandbox,
// which the app starts once its window is up (connect.Starting tells).
// Call it on the UI goroutine.
func (b *Status) ShowSandboxStarting(waiting bool) { b.showStarting(waiting) }
