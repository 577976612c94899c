package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// attachScreen is "Request to be connected to a structure": search by
// identifier, file the request, follow its status; a manager also sees the
// requests waiting for them and approves or refuses them.
type attachScreen struct {
	u          *UI
	flow       attachFlow
	idType     *typeSelect
	identifier *focusEntry
	search     *widget.Button
	found      *widget.Label
	request    *widget.Button
	mine       *fyne.Container
	pending    *fyne.Container
	refresh    *widget.Button
	message    *widget.Label
	content    fyne.CanvasObject

	target *api.Structure
	// decide holds the approve/refuse buttons of each pending request, by id.
	decide map[int64][2]*widget.Button
}

func newAttachScreen(u *UI, flow attachFlow, t core.IdentifierType, identifier string) *attachScreen {
	s := &attachScreen{u: u, flow: flow, decide: map[int64][2]*widget.Button{}}
	s.idType = u.newTypeSelect(t, nil)
	s.identifier = u.newEntry()
	s.identifier.SetText(identifier)
	s.identifier.OnSubmitted = func(string) { s.onSearch() }
	s.search = widget.NewButtonWithIcon(u.T("attach.search"), theme.SearchIcon(), s.onSearch)
	s.found = paragraph("")
	s.request = widget.NewButtonWithIcon(u.T("attach.request"), theme.MailSendIcon(), s.onRequest)
	s.request.Importance = widget.HighImportance
	s.request.Disable()
	s.mine, s.pending = container.NewVBox(), container.NewVBox()
	s.refresh = widget.NewButtonWithIcon(u.T("button.refresh"), theme.ViewRefreshIcon(), s.load)
	s.message = paragraph("")
	back := widget.NewButtonWithIcon(u.T("button.back"), theme.NavigateBackIcon(), func() { u.show(stepDone) })
	form := widget.NewForm(widget.NewFormItem(u.T("field.identifier_type"), s.idType.Select),
		widget.NewFormItem(u.T("field.identifier"), container.NewBorder(nil, nil, nil, s.search, s.identifier)))
	s.content = u.page(
		title(u.T("attach.title")), form, s.found, container.NewHBox(s.request), s.message,
		widget.NewCard(u.T("attach.mine"), "", s.mine),
		widget.NewCard(u.T("attach.pending"), "", s.pending),
		container.NewHBox(back, s.refresh),
	)
	if identifier != "" {
		s.onSearch()
	}
	s.load()
	return s
}

func (s *attachScreen) onSearch() {
	t, id := s.idType.Type(), s.identifier.Text
	async(s.u, func(ctx context.Context) (api.SearchResult, error) { return s.flow.SearchStructure(ctx, t, id) },
		func(r api.SearchResult, err error) {
			s.target = nil
			s.request.Disable()
			switch {
			case err != nil:
				s.found.SetText(s.u.errorText(err))
			case !r.Found:
				s.found.SetText(s.u.T("attach.not_found"))
			default:
				s.target = r.Structure
				s.found.SetText(s.u.Tf("attach.found", r.Structure.Draft.CompanyName+" ("+r.Structure.Draft.Identifier+")"))
				switch {
				case r.Structure.IsManager:
					s.found.SetText(s.found.Text + "\n" + s.u.T("attach.is_manager"))
				case r.Structure.Attachment != "":
					s.found.SetText(s.found.Text + "\n" + s.u.Tf("attach.already", s.u.T("status."+r.Structure.Attachment)))
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
	async(s.u, func(ctx context.Context) (api.Attachment, error) {
		return s.flow.RequestAttachment(ctx, d.IdentifierType, d.Identifier)
	}, func(a api.Attachment, err error) {
		if err != nil {
			s.message.SetText(s.u.errorText(err))
			s.request.Enable()
			return
		}
		s.message.SetText(s.u.T("status." + a.Status))
		s.load()
	})
}

// load refreshes both lists from the portal.
func (s *attachScreen) load() {
	async(s.u, s.flow.Attachments, func(l onboarding.Attachments, err error) {
		if err != nil {
			s.message.SetText(s.u.errorText(err))
			return
		}
		s.mine.RemoveAll()
		for _, a := range l.Mine {
			s.mine.Add(widget.NewLabel(a.Identifier + " · " + a.CompanyName + " · " + s.u.T("status."+a.Status)))
		}
		if len(l.Mine) == 0 {
			s.mine.Add(widget.NewLabel(s.u.T("attach.none")))
		}
		s.pending.RemoveAll()
		s.decide = map[int64][2]*widget.Button{}
		for _, a := range l.Waiting {
			id := a.ID
			ok := widget.NewButtonWithIcon(s.u.T("attach.approve"), theme.ConfirmIcon(), func() { s.onDecide(id, true) })
			ok.Importance = widget.SuccessImportance
			no := widget.NewButtonWithIcon(s.u.T("attach.refuse"), theme.CancelIcon(), func() { s.onDecide(id, false) })
			no.Importance = widget.DangerImportance
			s.decide[id] = [2]*widget.Button{ok, no}
			text := paragraph(s.u.Tf("attach.by", a.RequesterName, a.Requester, a.Identifier, a.CompanyName))
			s.pending.Add(container.NewBorder(nil, nil, nil, container.NewHBox(ok, no), text))
		}
		if len(l.Waiting) == 0 {
			s.pending.Add(widget.NewLabel(s.u.T("attach.none")))
		}
	})
}

func (s *attachScreen) onDecide(id int64, approve bool) {
	async(s.u, func(ctx context.Context) (api.Attachment, error) { return s.flow.DecideAttachment(ctx, id, approve) },
		func(a api.Attachment, err error) {
			if err != nil {
				s.message.SetText(s.u.errorText(err))
				return
			}
			s.message.SetText(a.RequesterName + " · " + s.u.T("status."+a.Status))
			s.load()
		})
}
