package workspace

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// The firm's shared workspace in the workspace: who is in charge of each
// client (a column, a Mine chip, a filter by person), the clients in
// conflict (a chip, a filter, and in the form both values side by side to
// keep one), each client's history, and, for the firm's admin, Assign
// to….

// What the workspace asks of the firm.
type (
	// firmFlow is the desktop's side of the firm.
	firmFlow interface {
		Link(ctx context.Context) (core.FirmLink, error)
		Conflicts(ctx context.Context, structureID int64) ([]core.FieldConflict, error)
		Resolve(ctx context.Context, structureID int64, keep core.ClientFields) error
		History(ctx context.Context, structureID int64) ([]api.FirmAuditEntry, error)
	}
	// assignFlow is the firm's members, and the admin's assignment.
	assignFlow interface {
		Members(ctx context.Context) ([]api.FirmMember, error)
		Assign(ctx context.Context, structureIDs []int64, account int64) (int, error)
	}
)

var (
	_ firmFlow   = (*onboarding.Firm)(nil)
	_ assignFlow = (*onboarding.FirmAdmin)(nil)
)

// firmState is what the workspace knows of the firm: the link, and its
// members (for the names in charge and the filter by person).
type firmState struct {
	link    core.FirmLink
	members []api.FirmMember
}

// in reports whether the desktop is in a firm.
func (f firmState) in() bool { return !f.link.IsZero() }

// loadFirm reads the link and the members, off the UI goroutine, then
// runs done.
func (u *area) loadFirm(done func()) {
	if u.deps.Firm == nil {
		return
	}
	shell.Async(u.Shell, func(ctx context.Context) (firmState, error) {
		var st firmState
		var err error
		if st.link, err = u.deps.Firm.Link(ctx); err != nil || st.link.IsZero() || u.deps.Assign == nil {
			return st, err
		}
		st.members, _ = u.deps.Assign.Members(ctx) // offline: the addresses alone
		return st, nil
	}, func(st firmState, err error) {
		if err != nil {
			return
		}
		was := u.firm.in()
		u.firm = st
		u.workspace.query.Me = st.link.Email
		if done != nil && (was != st.in() || st.in()) {
			done()
		}
	})
}

// FirmChanged follows the firm's exchange: the workspace's rows again (a
// colleague's change arrived), its firm's columns when the desktop joined
// or left. Call it on the UI goroutine.
func (w *Workspace) FirmChanged(st onboarding.FirmStatus) {
	a := w.a
	joined := !st.Link.IsZero()
	if joined != a.firm.in() || joined && a.firm.link.Role != st.Link.Role {
		a.loadFirm(func() {
			if a.Step() == shell.StepWorkspace {
				a.Show(shell.StepWorkspace)
			}
		})
		return
	}
	if a.Step() == shell.StepWorkspace && a.workspaceS != nil {
		a.workspaceS.refresh()
	}
}

// workspaceFirm is the workspace's side of the firm, apart from its
// other parts (as workspaceReform).
type workspaceFirm struct{ w *workspaceScreen }

// inChargeText names who is in charge of a row: "me", a member's name, or
// their address.
func (f workspaceFirm) inChargeText(r core.StructureSummary) string {
	u := f.w.u
	switch {
	case r.InCharge == "":
		return ""
	case r.Mine:
		return u.Text().T("ws.in_charge.me")
	}
	for _, m := range u.firm.members {
		if strings.EqualFold(m.Email, r.InCharge) && strings.TrimSpace(m.Name) != "" {
			return strings.TrimSpace(m.Name)
		}
	}
	return r.InCharge
}

// firmRowContent fills the firm's row of the filters: the chips, and who
// is in charge.
func (f workspaceFirm) firmRowContent() {
	w := f.w
	u := w.u
	if !u.firm.in() {
		w.firmRow.Hide()
		return
	}
	people := []string{u.Text().T("ws.in_charge.anyone")}
	for _, m := range u.firm.members {
		people = append(people, m.Email)
	}
	w.person = widgets.NewSelect(people, func(p string) {
		if p == u.Text().T("ws.in_charge.anyone") {
			p = ""
		}
		if p != w.view.query.InCharge {
			w.view.query.InCharge = p
			w.clearSelection()
			w.refresh()
		}
	})
	sel := w.view.query.InCharge
	if sel == "" {
		sel = people[0]
	}
	w.person.SetSelected(sel)
	w.firmRow.Add(widget.NewLabel(u.Text().T("ws.in_charge.filter")))
	w.firmRow.Add(w.person)
	w.firmRow.Show()
}

// conflictChip is the state column's chip of a row in conflict.
func conflictChip(tx *shell.Texts) (string, widgets.Tone) {
	return tx.T("ws.state.conflict"), widgets.ToneWarning
}

// onAssign asks to whom the rows selected go (the firm's admin), then puts
// them in that member's charge.
func (f workspaceFirm) onAssign() {
	w := f.w
	u := w.u
	ids := w.selected()
	if len(ids) == 0 || u.deps.Assign == nil {
		return
	}
	tx := u.Text()
	nobody := tx.T("ws.assign.nobody")
	options := []string{nobody}
	accounts := map[string]int64{nobody: 0}
	for _, m := range u.firm.members {
		label := m.Email
		if n := strings.TrimSpace(m.Name); n != "" {
			label = n + " <" + m.Email + ">"
		}
		options = append(options, label)
		accounts[label] = m.AccountID
	}
	pick := widgets.NewSelect(options, nil)
	pick.SetSelected(options[min(1, len(options)-1)])
	w.assignPick = pick
	d := dialog.NewCustomConfirm(tx.T("ws.assign"), tx.T("ws.assign.go"), tx.T("button.cancel"),
		container.NewVBox(widgets.Paragraph(tx.Plural("ws.assign.text", len(ids))), pick), func(ok bool) {
			w.assignPick = nil
			if !ok {
				return
			}
			account := accounts[pick.Selected]
			shell.Async(u.Shell, func(ctx context.Context) (int, error) { return u.deps.Assign.Assign(ctx, ids, account) },
				func(skipped int, err error) {
					if err != nil {
						w.setMessage(tx.ErrorText(err))
						return
					}
					msg := tx.F("ws.assigned", "n", tx.Count(len(ids)-skipped), "who", pick.Selected)
					if skipped > 0 {
						msg += " " + tx.Plural("ws.assign.skipped", skipped)
					}
					w.setMessage(msg)
					w.refresh()
				})
		}, u.Win())
	d.Show()
	widgets.FocusDialogField()
}

// conflictPanel is the form's list of fields in conflict: each with this
// computer's value and the firm's (who, when), one to keep.
type conflictPanel struct {
	content *fyne.Container
	choices map[string]*widgets.Radio
	keep    *widgets.Button
}

// newConflictPanel shows the conflicts of the record being edited, each
// field with this computer's value beside the firm's (who, when) and the
// choice of one; done runs once the user kept their values (the form
// opens again on them).
func newConflictPanel(u *area, structureID int64, cs []core.FieldConflict, done func(error)) *conflictPanel {
	tx := u.Text()
	p := &conflictPanel{content: container.NewVBox(), choices: map[string]*widgets.Radio{}}
	intro := widgets.Paragraph(tx.T("editor.conflicts_intro"))
	intro.Importance = widget.WarningImportance
	p.content.Add(widget.NewLabelWithStyle(tx.Plural("editor.conflicts", len(cs)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	p.content.Add(intro)
	values := map[string][2]string{}
	mineLabel, theirsLabel := tx.T("editor.conflict.keep_mine"), tx.T("editor.conflict.keep_theirs")
	for _, c := range cs {
		values[c.Field] = [2]string{c.Mine, c.Theirs}
		mine := widgets.Paragraph(tx.T("editor.conflict.mine") + "\n" + shown(tx, c.Mine))
		theirs := widgets.Paragraph(tx.T("editor.conflict.theirs") + " (" + tx.F("editor.conflict.by", "who", c.TheirsBy,
			"when", tx.DateTime(c.TheirsAt)) + ")\n" + shown(tx, c.Theirs))
		r := widgets.NewRadio([]string{mineLabel, theirsLabel}, nil)
		r.Horizontal = true
		r.SetSelected(mineLabel)
		p.choices[c.Field] = r
		p.content.Add(widget.NewLabelWithStyle(tx.T("field."+c.Field), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		p.content.Add(container.NewGridWithColumns(2, mine, theirs))
		p.content.Add(r)
	}
	p.keep = widgets.NewButtonWithIcon(tx.T("editor.conflict.apply"), theme.ConfirmIcon(), func() {
		keep := core.ClientFields{}
		for f, r := range p.choices {
			v := values[f]
			keep[f] = v[0]
			if r.Selected == theirsLabel {
				keep[f] = v[1]
			}
		}
		shell.Async(u.Shell, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, u.deps.Firm.Resolve(ctx, structureID, keep)
		}, func(_ struct{}, err error) { done(err) })
	})
	p.keep.Importance = widget.HighImportance
	p.content.Add(container.NewHBox(p.keep))
	p.content.Add(widget.NewSeparator())
	return p
}

// shown is a value as the conflict panel shows it ("(empty)" for none).
func shown(tx *shell.Texts, v string) string {
	if v == "" {
		return tx.T("editor.conflict.empty")
	}
	return v
}

// showHistory opens a client's history: who changed which field, from
// what to what, when, from which computer, newest first.
func showHistory(u *area, structureID int64, name string) {
	tx := u.Text()
	shell.Async(u.Shell, func(ctx context.Context) ([]api.FirmAuditEntry, error) { return u.deps.Firm.History(ctx, structureID) },
		func(list []api.FirmAuditEntry, err error) {
			if err != nil {
				dialog.ShowInformation(tx.T("editor.history"), tx.ErrorText(err), u.Win())
				return
			}
			lines := container.NewVBox()
			if len(list) == 0 {
				lines.Add(widgets.Paragraph(tx.T("editor.history.none")))
			}
			for _, e := range list {
				// Two lines of one line each: who and when, then what;
				// cut, never wrapped, so each entry reads at a glance.
				head, what := historyLine(tx, e)
				h := widget.NewLabel(head)
				h.TextStyle.Italic = true // secondary, yet readable: low importance is the disabled colour
				h.Truncation = fyne.TextTruncateEllipsis
				wl := widget.NewLabel(what)
				wl.Truncation = fyne.TextTruncateEllipsis
				lines.Add(container.NewVBox(h, wl))
			}
			scroll := container.NewVScroll(lines)
			scroll.SetMinSize(fyne.NewSize(720, 380))
			d := dialog.NewCustom(tx.F("editor.history.of", "name", name), tx.T("button.close"), scroll, u.Win())
			d.Show()
			widgets.FocusDialogField()
		})
}

// historyLine says one entry of a client's history: when and who (from
// which computer), then what changed.
func historyLine(tx *shell.Texts, e api.FirmAuditEntry) (head, what string) {
	head = tx.DateTime(time.UnixMilli(e.At)) + " · " + e.By
	if e.Device != "" {
		head += " · " + e.Device
	}
	switch {
	case e.Action == api.AuditAssigned:
		what = tx.F("history.assigned", "who", shown(tx, e.New))
	case (e.Action == api.AuditChanged || e.Action == api.AuditCreated) && e.Field != "":
		old, new := shown(tx, e.Old), shown(tx, e.New)
		if e.Field == core.FieldState {
			// A state in words, as its chip says it.
			if e.Old != "" {
				old, _ = tx.StateChipOf(core.SyncState(e.Old), 0)
			}
			if e.New != "" {
				new, _ = tx.StateChipOf(core.SyncState(e.New), 0)
			}
		}
		what = tx.F("history.field", "field", tx.T("field."+e.Field), "old", old, "new", new)
	default:
		what = tx.T("history." + e.Action)
	}
	return head, what
}

// isAdmin reports whether the member is the firm's admin.
func (f firmState) isAdmin() bool { return f.link.Role == api.FirmAdmin }
