package wizard

import (
	"context"

	"github.com/chorusonboard/chorus-onboard/ui/shell"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// mailbox is the sandbox mailbox: the e-mail the Local sandbox's portal
// sent to an address (the captcha's code, the activation link), readable in
// the app so nobody needs a real mailbox to try the flow. It shows only
// where the portal keeps one.
type mailbox struct {
	u      *area
	flow   mailboxReader
	to     func() string
	onLink func(link string) // nil: the e-mails' links are not offered

	button  *widgets.Button
	message *widget.Label // where a failure to read it is said
	dialog  dialog.Dialog
	// useLink holds each e-mail's "use this link" button, for tests.
	useLink []*widgets.Button
}

func newMailbox(u *area, flow mailboxReader, to func() string, onLink func(string), message *widget.Label) *mailbox {
	m := &mailbox{u: u, flow: flow, to: to, onLink: onLink, message: message}
	m.button = widgets.NewButtonWithIcon(u.Text().T("activation.mailbox"), theme.MailComposeIcon(), m.open)
	if !u.Session().Target().Mailbox {
		m.button.Hide()
	}
	return m
}

// open reads the mailbox off the UI goroutine and shows it.
func (m *mailbox) open() {
	to := m.to()
	shell.Async(m.u.Shell, func(ctx context.Context) ([]api.Mail, error) { return m.flow.Mailbox(ctx, to) },
		func(mails []api.Mail, err error) {
			if err != nil {
				m.message.SetText(m.u.Text().ErrorText(err))
				return
			}
			m.show(mails)
		})
}

func (m *mailbox) show(mails []api.Mail) {
	box := container.NewVBox()
	m.useLink = nil
	if len(mails) == 0 {
		box.Add(widget.NewLabel(m.u.Text().T("mailbox.empty")))
	}
	for _, mail := range mails {
		box.Add(widget.NewLabelWithStyle(mail.Subject, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		body := widget.NewLabel(mail.Body)
		body.Wrapping = fyne.TextWrapWord
		box.Add(body)
		if mail.Link != "" && m.onLink != nil {
			link := mail.Link
			b := widgets.NewButtonWithIcon(m.u.Text().T("activation.use_link"), theme.ConfirmIcon(), func() {
				m.onLink(link)
				m.dialog.Hide()
			})
			m.useLink = append(m.useLink, b)
			box.Add(b)
		}
		box.Add(widget.NewSeparator())
	}
	scroll := container.NewVScroll(box)
	scroll.SetMinSize(fyne.NewSize(560, 360))
	m.dialog = dialog.NewCustom(m.u.Text().T("mailbox.title"), m.u.Text().T("button.close"), scroll, m.u.Win())
	m.dialog.Show()
	widgets.FocusDialogField()
}
