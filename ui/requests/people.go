package requests

import (
	"context"
	"strings"

	"github.com/chorusonboard/chorus-onboard/ui/shell"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// peopleTab is the people of the structures the signed-in user manages,
// in the Requests screen: each structure with a mark when the user is its
// only manager (a principal who leaves without handing the role over
// leaves it orphaned, which only a support ticket then fixes); its
// members with their roles; for the principal manager, promote, demote,
// remove and hand the principal role over; for any manager, invite a
// person by e-mail. The portal checks every action's role itself.
type peopleTab struct {
	u    *area
	flow peopleFlow

	structures *widget.List
	managed    []api.Managed
	selected   int // index in managed, -1 for none

	members *fyne.Container
	head    *widget.Label
	invite  *widgets.FocusEntry
	send    *widget.Button
	message *widget.Label
	content fyne.CanvasObject
	// actions holds each member row's buttons by action, for tests.
	actions map[string][]*widget.Button
	rows    []api.Member
}

func newPeopleTab(u *area, flow peopleFlow) *peopleTab {
	p := &peopleTab{u: u, flow: flow, selected: -1, members: container.NewVBox(), head: widgets.Paragraph(""), message: widgets.Paragraph("")}
	p.structures = widget.NewList(func() int { return len(p.managed) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			m := p.managed[i]
			text := widgets.GroupIdentifier(m.IdentifierType, m.Identifier) + " · " + m.CompanyName
			if p.alone(m) {
				text += " · " + u.Text().T("people.alone")
			}
			o.(*widget.Label).SetText(text)
		})
	p.structures.OnSelected = func(i widget.ListItemID) { p.open(i, "") }
	p.invite = u.NewEntry()
	p.invite.SetPlaceHolder(u.Text().T("people.invite_placeholder"))
	p.send = widget.NewButtonWithIcon(u.Text().T("people.invite"), theme.MailSendIcon(), p.onInvite)
	p.invite.OnSubmitted = func(string) { p.onInvite() }
	inviteRow := container.NewBorder(nil, nil, nil, p.send, p.invite)
	right := container.NewBorder(container.NewVBox(p.head), container.NewVBox(widget.NewSeparator(), inviteRow, p.message), nil, nil,
		container.NewVScroll(p.members))
	split := container.NewHSplit(p.structures, right)
	split.Offset = 0.32
	p.content = container.NewBorder(widgets.Paragraph(u.Text().T("people.intro")), nil, nil, nil, split)
	p.showMembers(nil)
	return p
}

// alone reports whether the user is a structure's only manager.
func (p *peopleTab) alone(m api.Managed) bool { return m.Managers <= 1 }

// load reads the structures the user manages.
func (p *peopleTab) load() {
	shell.Async(p.u.Shell, p.flow.Managed, func(ms []api.Managed, err error) {
		if err != nil {
			p.message.SetText(p.u.Text().ErrorText(err))
			return
		}
		p.managed = ms
		p.structures.UnselectAll()
		p.structures.Refresh()
		p.selected = -1
		p.showMembers(nil)
		if len(ms) == 0 {
			p.head.SetText(p.u.Text().T("people.none"))
		}
	})
}

// open reads the people of the structure at i, then says message.
func (p *peopleTab) open(i int, message string) {
	if i < 0 || i >= len(p.managed) {
		return
	}
	p.selected = i
	id := p.managed[i].StructureID
	shell.Async(p.u.Shell, func(ctx context.Context) ([]api.Member, error) { return p.flow.Members(ctx, id) }, func(ms []api.Member, err error) {
		if err != nil {
			p.message.SetText(p.u.Text().ErrorText(err))
			return
		}
		p.message.SetText(message)
		p.showMembers(ms)
	})
}

// principal reports whether the user is the selected structure's
// principal manager.
func (p *peopleTab) principal() bool {
	return p.selected >= 0 && p.managed[p.selected].Role == api.RolePrincipal
}

// showMembers draws the selected structure's people with the actions the
// user's role allows.
func (p *peopleTab) showMembers(ms []api.Member) {
	u := p.u
	p.rows = ms
	p.members.RemoveAll()
	p.actions = map[string][]*widget.Button{}
	if p.selected < 0 {
		p.head.SetText(u.Text().T("people.pick"))
		p.invite.Disable()
		p.send.Disable()
		p.members.Refresh()
		return
	}
	m := p.managed[p.selected]
	head := u.Text().F("people.head", "structure", widgets.GroupIdentifier(m.IdentifierType, m.Identifier)+" "+m.CompanyName,
		"role", u.Text().T("role."+m.Role))
	if p.alone(m) {
		head += "\n" + u.Text().T("people.alone_hint")
	}
	p.head.SetText(head)
	p.invite.Enable()
	p.send.Enable()
	for _, mb := range ms {
		chip := widgets.NewStateChip()
		chip.Set(u.Text().T("role."+mb.Role), roleTone(mb.Role))
		who := widget.NewLabel(mb.Name + " <" + mb.Email + ">")
		who.Truncation = fyne.TextTruncateEllipsis
		var buttons []fyne.CanvasObject
		add := func(action, label string, icon fyne.Resource) {
			b := widget.NewButtonWithIcon(u.Text().T(label), icon, func() { p.confirm(mb, action) })
			p.actions[action] = append(p.actions[action], b)
			buttons = append(buttons, b)
		}
		if p.principal() && mb.Role != api.RolePrincipal {
			switch mb.Role {
			case api.RoleUser:
				add(api.MemberPromote, "people.promote", theme.MoveUpIcon())
			case api.RoleSecondary:
				add(api.MemberTransfer, "people.transfer", theme.AccountIcon())
				add(api.MemberDemote, "people.demote", theme.MoveDownIcon())
			}
			add(api.MemberRemove, "people.remove", theme.DeleteIcon())
		}
		// Two lines: who and their role, then what can be done; on one
		// the buttons would crowd the name out.
		row := container.NewBorder(nil, nil, container.NewCenter(chip), nil, who)
		if len(buttons) > 0 {
			p.members.Add(container.NewVBox(row, container.NewHBox(buttons...)))
		} else {
			p.members.Add(row)
		}
		p.members.Add(widget.NewSeparator())
	}
	p.members.Refresh()
}

// roleTone colours a role's chip.
func roleTone(role string) widgets.Tone {
	switch role {
	case api.RolePrincipal:
		return widgets.ToneSuccess
	case api.RoleSecondary:
		return widgets.ToneWarning
	}
	return widgets.ToneNeutral
}

// confirm asks before an action that changes who may do what, saying
// what it does, then runs it.
func (p *peopleTab) confirm(mb api.Member, action string) {
	u := p.u
	text := u.Text().F("people.confirm."+action, "name", mb.Name, "email", mb.Email)
	dialog.ShowConfirm(u.Text().T("people.title"), text, func(ok bool) {
		if ok {
			p.change(mb, action)
		}
	}, u.Win())
}

// change runs an action on a member, then shows the people after it; a
// hand-over makes the user a secondary manager, so the list of
// structures is read again.
func (p *peopleTab) change(mb api.Member, action string) {
	u := p.u
	id := p.managed[p.selected].StructureID
	for _, bs := range p.actions {
		for _, b := range bs {
			b.Disable()
		}
	}
	shell.Async(u.Shell, func(ctx context.Context) ([]api.Member, error) {
		return p.flow.ChangeMember(ctx, id, mb.AccountID, action)
	},
		func(ms []api.Member, err error) {
			if err != nil {
				p.message.SetText(u.Text().ErrorText(err))
				p.showMembers(p.rows)
				return
			}
			msg := u.Text().F("people.done."+action, "name", mb.Name)
			if action == api.MemberTransfer {
				p.managed[p.selected].Role = api.RoleSecondary
			}
			if action == api.MemberPromote {
				p.managed[p.selected].Managers++
			} else if action == api.MemberDemote || (action == api.MemberRemove && mb.Role == api.RoleSecondary) {
				p.managed[p.selected].Managers--
			}
			p.structures.Refresh()
			p.showMembers(ms)
			p.message.SetText(msg)
		})
}

// onInvite invites the address typed to the selected structure.
func (p *peopleTab) onInvite() {
	u := p.u
	email := strings.TrimSpace(p.invite.Text)
	if p.selected < 0 || email == "" {
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
