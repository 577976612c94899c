package wizard

import (
	"context"

	"github.com/chorusonboard/chorus-onboard/ui/shell"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// attachScreen is "Request to be connected to a structure": search by
// identifier and file the request. The requests themselves, the user's and
// those waiting for a manager, are on the approvals screen.
type attachScreen struct {
	u          *area
	flow       attachFlow
	idType     *shell.TypeSelect
	identifier *widgets.FocusEntry
	search     *widgets.Button
	found      *widget.Label
	request    *widgets.Button
	requests   *widgets.Button
	message    *widget.Label
	content    fyne.CanvasObject

	target *api.Structure
}

func newAttachScreen(u *area, flow attachFlow, t core.IdentifierType, identifier string) *attachScreen {
	s := &attachScreen{u: u, flow: flow}
	s.idType = u.NewTypeSelect(t, nil)
	s.identifier = u.NewEntry()
	s.identifier.SetText(identifier)
	s.identifier.OnSubmitted = func(string) { s.onSearch() }
	s.search = widgets.NewButtonWithIcon(u.Text().T("attach.search"), theme.SearchIcon(), s.onSearch)
	s.found = widgets.Paragraph("")
	s.request = widgets.NewButtonWithIcon(u.Text().T("attach.request"), theme.MailSendIcon(), s.onRequest)
	s.request.Importance = widget.HighImportance
	s.request.Disable()
	s.requests = widgets.NewButtonWithIcon(u.Text().T("attach.requests"), theme.MailComposeIcon(), func() { u.Show(shell.StepApprovals) })
	s.message = widgets.Paragraph("")
	back := widgets.NewButtonWithIcon(u.Text().T("button.back"), theme.NavigateBackIcon(), func() { u.Show(shell.StepDone) })
	form := widget.NewForm(widget.NewFormItem(u.Text().T("field.identifier_type"), s.idType.Select),
		widget.NewFormItem(u.Text().T("field.identifier"), widgets.NewBorder(nil, nil, nil, s.search, s.identifier)))
	s.content = u.Page(
		widgets.Title(u.Text().T("attach.title")), form, s.found, container.NewHBox(s.request), s.message,
		container.NewHBox(back, s.requests),
	)
	if identifier != "" {
		s.onSearch()
	}
	return s
}

func (s *attachScreen) onSearch() {
	t, id := s.idType.Type(), s.identifier.Text
	shell.Async(s.u.Shell, func(ctx context.Context) (api.SearchResult, error) { return s.flow.SearchStructure(ctx, t, id) },
		func(r api.SearchResult, err error) {
			s.target = nil
			s.request.Disable()
			switch {
			case err != nil:
				s.found.SetText(s.u.Text().ErrorText(err))
			case !r.Found:
				s.found.SetText(s.u.Text().T("attach.not_found"))
			default:
				s.target = r.Structure
				s.found.SetText(s.u.Text().F("attach.found", "structure", r.Structure.Draft.CompanyName+" ("+r.Structure.Draft.Identifier+")"))
				switch {
				case r.Structure.IsManager:
					s.found.SetText(s.found.Text + "\n" + s.u.Text().T("attach.is_manager"))
				case r.Structure.Attachment != "":
					s.found.SetText(s.found.Text + "\n" + s.u.Text().F("attach.already", "status", s.u.Text().T("status."+r.Structure.Attachment)))
				default:
					s.request.Enable()
				}
			}
		})
}

func (s *attachScreen) onRequest() {
	if s.target == nil {
		return
	}
	d := s.target.Draft
	s.request.Disable()
	shell.Async(s.u.Shell, func(ctx context.Context) (api.Attachment, error) {
		return s.flow.RequestAttachment(ctx, d.IdentifierType, d.Identifier)
	}, func(a api.Attachment, err error) {
		if err != nil {
			s.message.SetText(s.u.Text().ErrorText(err))
			s.request.Enable()
			return
		}
		s.message.SetText(s.u.Text().T("status."+a.Status) + " · " + s.u.Text().T("attach.follow"))
	})
}
