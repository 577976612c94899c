package firm

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

// membersScreen is the firm's members, for its admin: each with their
// role to change and a Remove; the invitations waiting, to withdraw; an
// address to invite with a role. The server checks the admin's role.
type membersScreen struct {
	u       *area
	list    *fyne.Container
	invited *fyne.Container
	email   *widgets.FocusEntry
	role    *widgets.Select
	invite  *widgets.Button
	message *widget.Label
	content fyne.CanvasObject
	// roles and remove hold each member's controls by account, for tests.
	roles  map[int64]*widgets.Select
	remove map[int64]*widgets.Button
}

// roleLabels are the roles as the screens name them, in api.FirmRoles'
// order.
func roleLabels(u *area) []string {
	out := make([]string, len(api.FirmRoles))
	for i, r := range api.FirmRoles {
		out[i] = u.Text().T("firm.role." + r)
	}
	return out
}

// roleOf reads a role's label back.
func roleOf(u *area, label string) string {
	for _, r := range api.FirmRoles {
		if u.Text().T("firm.role."+r) == label {
			return r
		}
	}
	return api.FirmEveryClient
}

func newMembersScreen(u *area) *membersScreen {
	tx := u.Text()
	m := &membersScreen{u: u, list: container.NewVBox(), invited: container.NewVBox(), message: widgets.Paragraph("")}
	m.email = u.NewEntry()
	m.email.SetPlaceHolder(tx.T("firm.invite_placeholder"))
	m.role = widgets.NewSelect(roleLabels(u), nil)
	m.role.SetSelected(tx.T("firm.role." + api.FirmEveryClient))
	m.invite = widgets.NewButtonWithIcon(tx.T("firm.invite"), theme.MailSendIcon(), m.onInvite)
	m.email.OnSubmitted = func(string) { m.onInvite() }
	back := widgets.NewButtonWithIcon(tx.T("button.back"), theme.NavigateBackIcon(), func() { u.Show(shell.StepFirm) })
	m.content = u.Page(widgets.Title(tx.T("firm.members_title")), widgets.Paragraph(tx.T("firm.members_intro")), m.list,
		widget.NewLabelWithStyle(tx.T("firm.invitations"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), m.invited,
		widgets.NewBorder(nil, nil, nil, container.NewHBox(m.role, m.invite), m.email), m.message, container.NewHBox(back))
	m.load("")
	return m
}

// people is what the screen reads.
type people struct {
	members     []api.FirmMember
	invitations []api.FirmInvitation
}

// load reads the members and the invitations, then says message.
func (m *membersScreen) load(message string) {
	shell.Async(m.u.Shell, func(ctx context.Context) (people, error) {
		ms, err := m.u.deps.Members.Members(ctx)
		if err != nil {
			return people{}, err
		}
		inv, err := m.u.deps.Members.Invitations(ctx)
		return people{ms, inv}, err
	}, func(p people, err error) {
		if err != nil {
			m.message.SetText(m.u.Text().ErrorText(err))
			return
		}
		m.show(p)
		m.message.SetText(message)
	})
}

// show draws the members and the invitations.
func (m *membersScreen) show(p people) {
	tx := m.u.Text()
	m.list.RemoveAll()
	m.roles, m.remove = map[int64]*widgets.Select{}, map[int64]*widgets.Button{}
	for _, mb := range p.members {
		who := widget.NewLabel(strings.TrimSpace(mb.Name) + " <" + mb.Email + ">")
		who.Truncation = fyne.TextTruncateEllipsis
		sel := widgets.NewSelect(roleLabels(m.u), nil)
		sel.SetSelected(tx.T("firm.role." + mb.Role))
		sel.OnChanged = func(label string) { m.setRole(mb, roleOf(m.u, label)) }
		rm := widgets.NewButtonWithIcon(tx.T("firm.remove"), theme.DeleteIcon(), func() { m.confirmRemove(mb) })
		m.roles[mb.AccountID], m.remove[mb.AccountID] = sel, rm
		m.list.Add(widgets.NewBorder(nil, nil, nil, container.NewHBox(sel, rm), who))
	}
	m.invited.RemoveAll()
	if len(p.invitations) == 0 {
		m.invited.Add(widgets.Paragraph(tx.T("firm.no_invitations")))
	}
	for _, inv := range p.invitations {
		line := widget.NewLabel(tx.F("firm.invitation", "email", inv.Email, "role", tx.T("firm.role."+inv.Role),
			"date", tx.Date(time.Unix(inv.Expires, 0))))
		line.Truncation = fyne.TextTruncateEllipsis
		b := widgets.NewButtonWithIcon(tx.T("people.withdraw_invitation"), theme.CancelIcon(), func() { m.withdraw(inv.Email) })
		m.invited.Add(widgets.NewBorder(nil, nil, nil, b, line))
	}
	m.u.PageScroll().Refresh()
}

// setRole changes a member's role.
func (m *membersScreen) setRole(mb api.FirmMember, role string) {
	if role == mb.Role {
		return
	}
	tx := m.u.Text()
	shell.Async(m.u.Shell, func(ctx context.Context) ([]api.FirmMember, error) {
		return m.u.deps.Members.SetRole(ctx, mb.AccountID, role)
	},
		func(_ []api.FirmMember, err error) {
			if err != nil {
				m.load(tx.ErrorText(err))
				return
			}
			m.load(tx.F("firm.role_set", "email", mb.Email, "role", tx.T("firm.role."+role)))
		})
}

// confirmRemove asks, then removes a member.
func (m *membersScreen) confirmRemove(mb api.FirmMember) {
	tx := m.u.Text()
	dialog.ShowConfirm(tx.T("firm.remove"), tx.F("firm.remove_confirm", "email", mb.Email), func(ok bool) {
		if !ok {
			return
		}
		shell.Async(m.u.Shell, func(ctx context.Context) ([]api.FirmMember, error) {
			return m.u.deps.Members.RemoveMember(ctx, mb.AccountID)
		},
			func(_ []api.FirmMember, err error) {
				if err != nil {
					m.load(tx.ErrorText(err))
					return
				}
				m.load(tx.F("firm.removed_member", "email", mb.Email))
			})
	}, m.u.Win())
}

// onInvite invites the address typed with the role chosen.
func (m *membersScreen) onInvite() {
	tx := m.u.Text()
	email, role := strings.TrimSpace(m.email.Text), roleOf(m.u, m.role.Selected)
	if email == "" || m.invite.Disabled() {
		return
	}
	m.invite.Disable()
	shell.Async(m.u.Shell, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, m.u.deps.Members.Invite(ctx, email, role)
	},
		func(_ struct{}, err error) {
			m.invite.Enable()
			if err != nil {
				m.message.SetText(tx.ErrorText(err))
				return
			}
			m.email.SetText("")
			m.load(tx.F("firm.invited", "email", email))
		})
}

// withdraw withdraws an invitation.
func (m *membersScreen) withdraw(email string) {
	tx := m.u.Text()
	shell.Async(m.u.Shell, func(ctx context.Context) ([]api.FirmInvitation, error) {
		return m.u.deps.Members.WithdrawInvitation(ctx, email)
	}, func(_ []api.FirmInvitation, err error) {
		if err != nil {
			m.load(tx.ErrorText(err))
			return
		}
		m.load(tx.F("people.invitation_withdrawn", "email", email))
	})
}
