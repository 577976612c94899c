package requests

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// peopleTab is the people of the user's structures, in the Requests
// screen, as the portal runs them today: each structure with the user's
// role, marked when only the user can approve its requests (a principal
// who leaves without giving that right or the role leaves the requests
// with no one to decide them, which only a support ticket then fixes);
// its principal manager and users with their rights. The principal
// switches each user's rights (after a confirmation saying what the right
// allows), offers the role, detaches a user, lists and withdraws
// invitations; a user sees their rights, answers an offer of the role,
// and leaves; whoever may approve invites. The portal checks every action
// itself.
type peopleTab struct {
	u    *area
	flow peopleFlow

	structures *widgets.List
	managed    []api.Managed
	offers     map[int64]api.Handover // the offers of the role to the user, by structure
	selected   int                    // index in managed, -1 for none

	head    *widget.Label
	rights  *widget.Label // the user's own rights, for a user
	offer   *fyne.Container
	accept  *widgets.Button
	decline *widgets.Button
	leave   *widgets.Button
	members *fyne.Container
	invited *fyne.Container // the invitations waiting, for the principal
	body    *fyne.Container // members then invitations, scrolled
	scroll  *container.Scroll
	invite  *widgets.FocusEntry
	send    *widgets.Button
	message *widget.Label
	content fyne.CanvasObject

	rows []api.Member
	// checks holds each user's rights switches, by account; actions each
	// member row's buttons by action: what a person taps, for tests too.
	checks  map[int64]map[string]*widgets.Check
	actions map[string][]*widgets.Button
}

// The actions of a member row.
const (
	actionHandover = "handover"
	actionWithdraw = "withdraw"
	actionDetach   = "detach"
)

// The rights a principal switches.
const (
	rightApprove = "approve"
	rightModify  = "modify"
)

func newPeopleTab(u *area, flow peopleFlow) *peopleTab {
	p := &peopleTab{u: u, flow: flow, selected: -1, members: container.NewVBox(), invited: container.NewVBox(),
		head: widgets.Paragraph(""), rights: widgets.Paragraph(""), message: widgets.Paragraph("")}
	p.structures = widgets.NewList(u.Text().T("people.structures"), func() int { return len(p.managed) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(p.structureText(p.managed[i]))
		})
	p.structures.OnSelected = func(i widget.ListItemID) { p.open(i, "") }
	p.accept = widgets.NewButtonWithIcon(u.Text().T("people.accept"), theme.ConfirmIcon(), func() { p.answer(true) })
	p.accept.Importance = widget.HighImportance
	p.decline = widgets.NewButtonWithIcon(u.Text().T("people.decline"), theme.CancelIcon(), func() { p.answer(false) })
	p.offer = container.NewVBox()
	p.leave = widgets.NewButtonWithIcon(u.Text().T("people.leave"), theme.LogoutIcon(), p.onLeave)
	p.invite = u.NewEntry()
	p.invite.SetPlaceHolder(u.Text().T("people.invite_placeholder"))
	p.send = widgets.NewButtonWithIcon(u.Text().T("people.invite"), theme.MailSendIcon(), p.onInvite)
	p.invite.OnSubmitted = func(string) { p.onInvite() }
	inviteRow := widgets.NewBorder(nil, nil, nil, p.send, p.invite)
	top := container.NewVBox(p.head, p.rights, p.offer, container.NewHBox(p.leave))
	p.body = container.NewVBox(p.members, p.invited)
	p.scroll = container.NewVScroll(p.body)
	right := widgets.NewBorder(top, container.NewVBox(widget.NewSeparator(), inviteRow, p.message), nil, nil, p.scroll)
	split := container.NewHSplit(p.structures, right)
	split.Offset = 0.32
	p.content = widgets.NewBorder(widgets.Paragraph(u.Text().T("people.intro")), nil, nil, nil, split)
	p.showMembers(nil, nil)
	return p
}

// structureText is a structure's line in the list: identifier, name, and
// what needs the user's eye (only they approve, the role offered).
func (p *peopleTab) structureText(m api.Managed) string {
	text := widgets.GroupIdentifier(m.IdentifierType, m.Identifier) + " · " + m.CompanyName
	if alone(m) {
		text += " · " + p.u.Text().T("people.alone")
	}
	if _, ok := p.offers[m.StructureID]; ok {
		text += " · " + p.u.Text().T("people.offered_mark")
	}
	return text
}

// alone reports whether the user is the only one who can approve a
// structure's requests.
func alone(m api.Managed) bool { return m.MayApprove && m.Approvers <= 1 }

// load reads the user's structures and the offers of the role made to
// them.
func (p *peopleTab) load() {
	type lists struct {
		managed []api.Managed
		offers  []api.Handover
	}
	shell.Async(p.u.Shell, func(ctx context.Context) (lists, error) {
		ms, err := p.flow.Managed(ctx)
		if err != nil {
			return lists{}, err
		}
		offers, err := p.flow.Handovers(ctx)
		return lists{ms, offers}, err
	}, func(l lists, err error) {
		if err != nil {
			p.message.SetText(p.u.Text().ErrorText(err))
			return
		}
		p.managed, p.offers = l.managed, map[int64]api.Handover{}
		for _, h := range l.offers {
			p.offers[h.StructureID] = h
		}
		p.structures.UnselectAll()
		p.structures.Refresh()
		p.selected = -1
		p.showMembers(nil, nil)
		if len(l.managed) == 0 {
			p.head.SetText(p.u.Text().T("people.none"))
		}
	})
}

// open reads the people of the structure at i (and, for its principal,
// the invitations waiting), then says message.
func (p *peopleTab) open(i int, message string) {
	if i < 0 || i >= len(p.managed) {
		return
	}
	p.selected = i
	m := p.managed[i]
	type people struct {
		members     []api.Member
		invitations []api.PendingInvitation
	}
	shell.Async(p.u.Shell, func(ctx context.Context) (people, error) {
		ms, err := p.flow.Members(ctx, m.StructureID)
		if err != nil || m.Role != api.RolePrincipal {
			return people{members: ms}, err
		}
		inv, err := p.flow.Invitations(ctx, m.StructureID)
		return people{ms, inv}, err
	}, func(r people, err error) {
		if err != nil {
			p.message.SetText(p.u.Text().ErrorText(err))
			return
		}
		p.message.SetText(message)
		p.showMembers(r.members, r.invitations)
	})
}

// principal reports whether the user is the selected structure's
// principal manager.
func (p *peopleTab) principal() bool {
	return p.selected >= 0 && p.managed[p.selected].Role == api.RolePrincipal
}

// showMembers draws the selected structure: the user's place in it, the
// offer of the role made to them, its people with what the user may do
// to each, and the invitations waiting.
func (p *peopleTab) showMembers(ms []api.Member, invitations []api.PendingInvitation) {
	u := p.u
	p.rows = ms
	p.members.RemoveAll()
	p.checks = map[int64]map[string]*widgets.Check{}
	p.actions = map[string][]*widgets.Button{}
	p.offer.RemoveAll()
	p.rights.Hide()
	p.leave.Hide()
	if p.selected < 0 {
		p.head.SetText(u.Text().T("people.pick"))
		p.invite.Disable()
		p.send.Disable()
		p.showInvitations(nil)
		p.body.Refresh()
		return
	}
	m := p.managed[p.selected]
	name := widgets.GroupIdentifier(m.IdentifierType, m.Identifier) + " " + m.CompanyName
	head := u.Text().F("people.head.user", "structure", name)
	if m.Role == api.RolePrincipal {
		head = u.Text().F("people.head.principal", "structure", name)
	} else {
		p.rights.SetText(u.Text().F("people.your_rights", "rights", rightsText(u.Text(), m.Rights)))
		p.rights.Show()
		p.leave.Show()
	}
	if alone(m) {
		head += "\n" + u.Text().T("people.alone_hint")
	}
	p.head.SetText(head)
	if h, ok := p.offers[m.StructureID]; ok && m.Role == api.RoleUser {
		text := widgets.Paragraph(u.Text().F("people.offer_to_you", "from", h.From, "date", u.Text().Date(time.Unix(h.Expires, 0))))
		text.Importance = widget.WarningImportance
		p.offer.Add(text)
		p.offer.Add(container.NewHBox(p.accept, p.decline))
	}
	if m.MayApprove {
		p.invite.Enable()
		p.send.Enable()
	} else {
		p.invite.Disable()
		p.send.Disable()
	}
	for _, mb := range ms {
		p.members.Add(p.memberRow(mb))
		p.members.Add(widget.NewSeparator())
	}
	p.showInvitations(invitations)
	// The rows changed height: lay the column out again, and the pane
	// above it (the offer, the leave button come and go).
	p.body.Refresh()
	p.content.Refresh()
}

// memberRow is one person: their role and name, then their rights as
// switches (the principal's to change), then what the principal may do.
func (p *peopleTab) memberRow(mb api.Member) fyne.CanvasObject {
	u := p.u
	chip := widgets.NewStateChip()
	tone := widgets.ToneNeutral
	if mb.Role == api.RolePrincipal {
		tone = widgets.ToneSuccess
	}
	chip.Set(u.Text().T("role."+mb.Role), tone)
	who := widget.NewLabel(mb.Name + " <" + mb.Email + ">")
	who.Truncation = fyne.TextTruncateEllipsis
	lines := []fyne.CanvasObject{widgets.NewBorder(nil, nil, container.NewCenter(chip), nil, who)}
	if mb.Role != api.RoleUser {
		return container.NewVBox(lines...)
	}
	checks := map[string]*widgets.Check{}
	for _, right := range []string{rightApprove, rightModify} {
		c := widgets.NewCheck(u.Text().T("right."+right), nil)
		c.Checked = map[string]bool{rightApprove: mb.MayApprove, rightModify: mb.MayModify}[right]
		if p.principal() {
			c.OnChanged = func(on bool) { p.confirmRight(mb, right, on) }
		} else {
			c.Disable()
		}
		checks[right] = c
	}
	p.checks[mb.AccountID] = checks
	lines = append(lines, container.NewHBox(checks[rightApprove], checks[rightModify]))
	if !p.principal() {
		return container.NewVBox(lines...)
	}
	var buttons []fyne.CanvasObject
	add := func(action, label string, icon fyne.Resource, tapped func()) {
		b := widgets.NewButtonWithIcon(u.Text().T(label), icon, tapped)
		p.actions[action] = append(p.actions[action], b)
		buttons = append(buttons, b)
	}
	if mb.HandoverUntil > 0 {
		offered := widget.NewLabel(u.Text().F("people.offered", "date", u.Text().Date(time.Unix(mb.HandoverUntil, 0))))
		offered.Importance = widget.WarningImportance
		buttons = append(buttons, offered)
		add(actionWithdraw, "people.withdraw_offer", theme.CancelIcon(), func() { p.change(mb, actionWithdraw) })
	} else {
		add(actionHandover, "people.handover", theme.AccountIcon(), func() { p.confirm(mb, actionHandover) })
	}
	add(actionDetach, "people.detach", theme.DeleteIcon(), func() { p.confirm(mb, actionDetach) })
	// Their own line: beside the switches the buttons would crowd.
	lines = append(lines, container.NewHBox(buttons...))
	return container.NewVBox(lines...)
}

// rightsText says a user's rights, in short.
func rightsText(tx *shell.Texts, r api.Rights) string {
	var out []string
	if r.MayApprove {
		out = append(out, tx.T("right.approve.short"))
	}
	if r.MayModify {
		out = append(out, tx.T("right.modify.short"))
	}
	if len(out) == 0 {
		return tx.T("people.no_rights")
	}
	return strings.Join(out, ", ")
}

// showInvitations lists the invitations waiting, each to withdraw (the
// principal's).
func (p *peopleTab) showInvitations(invitations []api.PendingInvitation) {
	u := p.u
	p.invited.RemoveAll()
	if p.principal() {
		p.invited.Add(widget.NewLabelWithStyle(u.Text().T("people.invitations"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		if len(invitations) == 0 {
			p.invited.Add(widgets.Paragraph(u.Text().T("people.no_invitations")))
		}
		for _, inv := range invitations {
			line := widget.NewLabel(u.Text().F("people.invitation", "email", inv.Email, "by", inv.InvitedBy,
				"date", u.Text().Date(time.Unix(inv.Expires, 0))))
			line.Truncation = fyne.TextTruncateEllipsis
			b := widgets.NewButtonWithIcon(u.Text().T("people.withdraw_invitation"), theme.CancelIcon(), func() { p.withdrawInvitation(inv.Email) })
			p.actions["invitation"] = append(p.actions["invitation"], b)
			p.invited.Add(widgets.NewBorder(nil, nil, nil, b, line))
		}
	}
}

// confirmRight asks before switching a right, saying what it allows; a
// refusal sets the switch back.
func (p *peopleTab) confirmRight(mb api.Member, right string, on bool) {
	u := p.u
	verb := "withdraw"
	if on {
		verb = "grant"
	}
	text := u.Text().F("people.confirm."+verb+"."+right, "name", mb.Name, "email", mb.Email)
	dialog.ShowConfirm(u.Text().T("people.title"), text, func(ok bool) {
		if !ok {
			c := p.checks[mb.AccountID][right]
			f := c.OnChanged
			c.OnChanged = nil
			c.SetChecked(!on)
			c.OnChanged = f
			return
		}
		r := mb.Rights
		if right == rightApprove {
			r.MayApprove = on
		} else {
			r.MayModify = on
		}
		p.run(func(ctx context.Context, id int64) ([]api.Member, error) {
			return p.flow.SetRights(ctx, id, mb.AccountID, r)
		},
			u.Text().F("people.done.rights", "name", mb.Name))
	}, u.Win())
}

// confirm asks before handing the role over or detaching, saying what it
// does, then does it.
func (p *peopleTab) confirm(mb api.Member, action string) {
	u := p.u
	text := u.Text().F("people.confirm."+action, "name", mb.Name, "email", mb.Email)
	dialog.ShowConfirm(u.Text().T("people.title"), text, func(ok bool) {
		if ok {
			p.change(mb, action)
		}
	}, u.Win())
}

// change runs an action on a member.
func (p *peopleTab) change(mb api.Member, action string) {
	u := p.u
	switch action {
	case actionHandover:
		p.run(func(ctx context.Context, id int64) ([]api.Member, error) {
			return p.flow.OfferHandover(ctx, id, mb.AccountID)
		},
			u.Text().F("people.done.handover", "name", mb.Name))
	case actionWithdraw:
		p.run(p.flow.WithdrawHandover, u.Text().T("people.offer_withdrawn"))
	case actionDetach:
		p.run(func(ctx context.Context, id int64) ([]api.Member, error) { return p.flow.Detach(ctx, id, mb.AccountID) },
			u.Text().F("people.done.detach", "name", mb.Name))
	}
}

// run does an action on the selected structure's people, every control
// disabled meanwhile, then shows the people after it and says done; the
// count of who may approve follows (the workspace's mark).
func (p *peopleTab) run(do func(ctx context.Context, structure int64) ([]api.Member, error), done string) {
	u := p.u
	id := p.managed[p.selected].StructureID
	p.disable()
	shell.Async(u.Shell, func(ctx context.Context) ([]api.Member, error) { return do(ctx, id) },
		func(ms []api.Member, err error) {
			if err != nil {
				p.message.SetText(u.Text().ErrorText(err))
				p.open(p.selected, u.Text().ErrorText(err))
				return
			}
			approvers := 0
			for _, m := range ms {
				if m.Role == api.RolePrincipal || m.MayApprove {
					approvers++
				}
			}
			p.managed[p.selected].Approvers = approvers
			p.structures.Refresh()
			p.open(p.selected, done)
		})
}

// disable greys every control of the people while an action runs.
func (p *peopleTab) disable() {
	for _, bs := range p.actions {
		for _, b := range bs {
			b.Disable()
		}
	}
	for _, cs := range p.checks {
		for _, c := range cs {
			c.Disable()
		}
	}
	p.accept.Disable()
	p.decline.Disable()
	p.leave.Disable()
}

// answer accepts or declines the offer of the role on the selected
// structure; accepted, the user is its principal, so the list is read
// again.
func (p *peopleTab) answer(accept bool) {
	u := p.u
	m := p.managed[p.selected]
	h := p.offers[m.StructureID]
	p.disable()
	shell.Async(u.Shell, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, p.flow.AnswerHandover(ctx, m.StructureID, accept)
	}, func(_ struct{}, err error) {
		p.accept.Enable()
		p.decline.Enable()
		p.leave.Enable()
		delete(p.offers, m.StructureID)
		if err != nil {
			p.message.SetText(u.Text().ErrorText(err))
			p.showMembers(p.rows, nil)
			return
		}
		if accept {
			p.managed[p.selected].Role, p.managed[p.selected].Rights = api.RolePrincipal, api.Rights{MayApprove: true, MayModify: true}
			p.structures.Refresh()
			p.open(p.selected, u.Text().T("people.accepted"))
			return
		}
		p.structures.Refresh()
		p.open(p.selected, u.Text().F("people.declined", "from", h.From))
	})
}

// onLeave asks, then detaches the user from the selected structure.
func (p *peopleTab) onLeave() {
	u := p.u
	m := p.managed[p.selected]
	name := widgets.GroupIdentifier(m.IdentifierType, m.Identifier) + " " + m.CompanyName
	dialog.ShowConfirm(u.Text().T("people.leave"), u.Text().F("people.confirm.leave", "structure", name), func(ok bool) {
		if !ok {
			return
		}
		p.disable()
		shell.Async(u.Shell, func(ctx context.Context) (struct{}, error) { return struct{}{}, p.flow.Leave(ctx, m.StructureID) },
			func(_ struct{}, err error) {
				p.leave.Enable()
				if err != nil {
					p.message.SetText(u.Text().ErrorText(err))
					return
				}
				p.load()
				p.message.SetText(u.Text().F("people.left", "structure", name))
			})
	}, u.Win())
}

// withdrawInvitation withdraws an invitation of the selected structure.
func (p *peopleTab) withdrawInvitation(email string) {
	u := p.u
	id := p.managed[p.selected].StructureID
	p.disable()
	shell.Async(u.Shell, func(ctx context.Context) ([]api.PendingInvitation, error) {
		return p.flow.WithdrawInvitation(ctx, id, email)
	},
		func(_ []api.PendingInvitation, err error) {
			if err != nil {
				p.open(p.selected, u.Text().ErrorText(err))
				return
			}
			p.open(p.selected, u.Text().F("people.invitation_withdrawn", "email", email))
		})
}

// onInvite invites the address typed to the selected structure.
func (p *peopleTab) onInvite() {
	u := p.u
	email := strings.TrimSpace(p.invite.Text)
	if p.selected < 0 || email == "" || p.send.Disabled() {
		return
	}
	id := p.managed[p.selected].StructureID
	p.send.Disable()
	shell.Async(u.Shell, func(ctx context.Context) (struct{}, error) { return struct{}{}, p.flow.Invite(ctx, id, email) },
		func(_ struct{}, err error) {
			p.send.Enable()
			if err != nil {
				p.message.SetText(u.Text().ErrorText(err))
				return
			}
			p.invite.SetText("")
			p.open(p.selected, u.Text().F("people.invited", "email", email))
		})
}
