package workspace

import (
	"context"
	"strings"

	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// reformFlow is the e-invoicing reform per client: the form's section,
// the workspace's bulk actions and the directory's page.
type reformFlow interface {
	SaveReform(ctx context.Context, id int64, r core.Reform) (core.Reform, core.Problems, error)
	MarkChecked(ctx context.Context, ids []int64, progress onboarding.ProgressFunc) (onboarding.BulkResult, error)
	SetPlatform(ctx context.Context, ids []int64, name string, progress onboarding.ProgressFunc) (onboarding.BulkResult, error)
	PlatformNames(ctx context.Context) ([]string, error)
	DirectoryPage() string
}

var _ reformFlow = (*onboarding.Reform)(nil)

// reformSection is the structure form's "E-invoicing" section: the firm's
// own bookkeeping of the reform for this client, saved with its own button
// whatever the structure's state, never sent to the portal.
type reformSection struct {
	u    *area
	flow reformFlow
	id   int64
	// siren is the structure's, for the directory's page.
	siren string

	category    *widgets.Select
	source      core.CategorySource
	obligations *widget.Label
	platform    *widgets.SelectEntry
	mandate     *widgets.FocusEntry
	addresses   *widgets.FocusEntry
	checkedOn   *widgets.FocusEntry
	seen        *widgets.FocusEntry
	note        *widgets.FocusEntry
	problems    *widget.Label
	save        *widgets.Button
	directory   *widgets.Button
}

// categories are the choices of the category, the unknown first.
var categories = []core.CompanyCategory{core.CategoryUnknown, core.CategoryPME, core.CategoryETI, core.CategoryGE}

func newReformSection(u *area, flow reformFlow, rec core.StructureRecord) *reformSection {
	s := &reformSection{u: u, flow: flow, id: rec.ID, source: rec.Reform.CategorySource}
	if rec.Draft.IdentifierType == core.IDSIRET && len(rec.Draft.Identifier) >= 9 {
		s.siren = rec.Draft.Identifier[:9]
	}
	r := rec.Reform
	var labels []string
	for _, c := range categories {
		labels = append(labels, u.Text().T("category."+categoryKey(c)))
	}
	s.obligations = widgets.Paragraph("")
	s.category = widgets.NewSelect(labels, func(string) {
		s.source = core.CategoryFromUser
		s.showObligations()
	})
	s.category.SetSelectedIndex(indexOf(categories, r.Category))
	s.source = r.CategorySource // the select's first call said "user"
	s.showObligations()
	s.platform = widgets.NewSelectEntry(nil)
	s.platform.SetText(r.Platform)
	s.platform.SetPlaceHolder(u.Text().T("reform.platform.placeholder"))
	s.mandate = widgets.NewEntry()
	s.mandate.SetText(u.Text().DayText(r.MandateSigned))
	s.mandate.SetPlaceHolder(u.Text().T("reform.date.placeholder"))
	s.addresses = widgets.NewMultiLineEntry()
	s.addresses.SetText(strings.Join(r.Addresses, "\n"))
	s.addresses.SetPlaceHolder(u.Text().T("reform.addresses.placeholder"))
	s.addresses.SetMinRowsVisible(2)
	s.checkedOn = widgets.NewEntry()
	s.checkedOn.SetText(u.Text().DayText(r.CheckedOn))
	s.checkedOn.SetPlaceHolder(u.Text().T("reform.date.placeholder"))
	s.seen = widgets.NewMultiLineEntry()
	s.seen.SetText(r.Seen)
	s.seen.SetMinRowsVisible(2)
	s.note = widgets.NewMultiLineEntry()
	s.note.SetText(r.Note)
	s.note.SetMinRowsVisible(2)
	s.problems = widgets.Paragraph("")
	s.problems.Importance = widget.DangerImportance
	s.problems.Hide()
	s.save = widgets.NewButtonWithIcon(u.Text().T("reform.save"), theme.DocumentSaveIcon(), s.onSave)
	s.directory = widgets.NewButtonWithIcon(u.Text().T("reform.directory"), theme.SearchIcon(), func() { u.Tasks().OpenDirectory(flow.DirectoryPage(), s.siren, s.problems) })
	if s.siren == "" {
		s.directory.Disable()
	}
	shell.Async(u.Shell, func(ctx context.Context) ([]string, error) { return flow.PlatformNames(ctx) }, func(names []string, err error) {
		if err == nil {
			s.platform.SetOptions(names)
		}
	})
	return s
}

// categoryKey names a category in the translations ("unknown" for none).
func categoryKey(c core.CompanyCategory) string {
	if c == core.CategoryUnknown {
		return "unknown"
	}
	return string(c)
}

func indexOf[T comparable](s []T, v T) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return 0
}

// items are the section's rows of the structure form.
func (s *reformSection) items() []*widget.FormItem {
	u := s.u
	intro := widgets.Paragraph(u.Text().T("reform.intro"))
	return []*widget.FormItem{
		widgets.SectionItem(u.Text().T("reform.title")),
		widget.NewFormItem("", intro),
		widget.NewFormItem(u.Text().T("field.company_category"), s.category),
		widget.NewFormItem("", s.obligations),
		widget.NewFormItem(u.Text().T("field.receiving_platform"), s.platform),
		widget.NewFormItem(u.Text().T("field.mandate_signed"), s.mandate),
		{Text: u.Text().T("field.invoicing_addresses"), Widget: s.addresses, HintText: u.Text().T("reform.addresses.hint")},
		widget.NewFormItem(u.Text().T("field.directory_checked_on"), widgets.NewBorder(nil, nil, nil,
			widgets.NewButton(u.Text().T("reform.today"), func() { s.checkedOn.SetText(u.Text().DayText(core.DateOf(u.Now()))) }), s.checkedOn)),
		widget.NewFormItem(u.Text().T("field.directory_seen"), s.seen),
		widget.NewFormItem(u.Text().T("field.reform_note"), s.note),
		widget.NewFormItem("", container.NewVBox(s.problems, container.NewHBox(s.directory, s.save))),
	}
}

// showObligations writes both obligations for the category chosen.
func (s *reformSection) showObligations() {
	if s.obligations == nil {
		return
	}
	c := categories[max(s.category.SelectedIndex(), 0)]
	s.obligations.SetText(s.u.Text().ObligationsText(c, s.source))
}

// fromRegistry sets the category a registry look-up gave, unless the user
// chose one.
func (s *reformSection) fromRegistry(c core.CompanyCategory) {
	if c == core.CategoryUnknown || s.source == core.CategoryFromUser && s.category.SelectedIndex() > 0 {
		return
	}
	s.category.SetSelectedIndex(indexOf(categories, c))
	s.source = core.CategoryFromRegistry
	s.showObligations()
}

// read returns the section's values; a date that does not read is a
// problem of its own.
func (s *reformSection) read() (core.Reform, core.Problems) {
	var p core.Problems
	day := func(field string, e *widgets.FocusEntry) core.Date {
		d, ok := core.ParseDate(e.Text)
		if !ok {
			p = append(p, core.Problem{Field: field, Code: "date.invalid", Severity: core.Error})
		}
		return d
	}
	r := core.Reform{Platform: s.platform.Text, MandateSigned: day(core.FieldMandateSigned, s.mandate),
		Addresses: validate.SplitAddresses(s.addresses.Text), CheckedOn: day(core.FieldCheckedOn, s.checkedOn),
		Seen: s.seen.Text, Note: s.note.Text, Category: categories[max(s.category.SelectedIndex(), 0)], CategorySource: s.source}
	return r, p
}

// onSave checks and keeps the section, off the UI goroutine, and says
// every problem with its field.
func (s *reformSection) onSave() {
	r, bad := s.read()
	if len(bad) > 0 {
		s.showProblems(bad)
		return
	}
	s.save.Disable()
	type saved struct {
		r core.Reform
		p core.Problems
	}
	shell.Async(s.u.Shell, func(ctx context.Context) (saved, error) {
		r, p, err := s.flow.SaveReform(ctx, s.id, r)
		return saved{r, p}, err
	}, func(v saved, err error) {
		s.save.Enable()
		switch {
		case len(v.p) > 0:
			s.showProblems(v.p)
		case err != nil:
			s.problems.SetText(s.u.Text().ErrorText(err))
			s.problems.Show()
		default:
			s.problems.Hide()
			s.platform.SetText(v.r.Platform)
			s.addresses.SetText(strings.Join(v.r.Addresses, "\n"))
			s.u.workspace.message = s.u.Text().T("reform.saved")
			dialog.ShowInformation(s.u.Text().T("reform.title"), s.u.Text().T("reform.saved"), s.u.Win())
		}
	})
}

// showProblems lists problems as "field: what to do".
func (s *reformSection) showProblems(p core.Problems) {
	var lines []string
	for _, x := range p {
		lines = append(lines, i18n.Format(s.u.Text().Lang(), "notice.field", map[string]string{"field": s.u.Text().T("field." + x.Field),
			"text": i18n.Format(s.u.Text().Lang(), x.Code, x.Params)}))
	}
	s.problems.SetText(strings.Join(lines, "\n"))
	s.problems.Show()
}

// workspace: the reform's chips, columns and actions.

// reformChipText is a reform chip's label: "must issue before" names its
// date.
func reformChipText(tx *shell.Texts, f core.StructureFilter) string {
	if f == core.FilterIssueEarly {
		return tx.F("ws.filter.issue_early", "date", tx.DayText(core.DateOf(core.IssueFromSmall)))
	}
	return tx.T("ws.filter." + string(f))
}

// workspaceReform are the workspace's actions of the reform, apart from
// its other bulk actions.
type workspaceReform struct{ w *workspaceScreen }

// onMarkChecked records today's look in the directory for the selection.
func (r workspaceReform) onMarkChecked() {
	w := r.w
	ids := w.selected()
	runBulk(w, "ws.mark_checked", len(ids), func(ctx context.Context, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
		return w.u.deps.Reform.MarkChecked(ctx, ids, p)
	}, func(res onboarding.BulkResult) string { return w.u.Text().Plural("ws.done.mark_checked", res.Done) })
}

// onSetPlatform asks for a platform's name, suggesting those already
// typed, and records it for the selection.
func (r workspaceReform) onSetPlatform() {
	w := r.w
	u := w.u
	ids := w.selected()
	if len(ids) == 0 {
		return
	}
	name := widgets.NewSelectEntry(nil)
	name.SetPlaceHolder(u.Text().T("reform.platform.placeholder"))
	shell.Async(u.Shell, func(ctx context.Context) ([]string, error) { return u.deps.Reform.PlatformNames(ctx) }, func(names []string, err error) {
		if err == nil {
			name.SetOptions(names)
		}
	})
	d := dialog.NewForm(u.Text().T("ws.set_platform"), u.Text().T("ws.set_platform.button"), u.Text().T("button.cancel"),
		[]*widget.FormItem{widget.NewFormItem(u.Text().T("field.receiving_platform"), name),
			widget.NewFormItem("", widgets.Paragraph(u.Text().Plural("ws.set_platform.text", len(ids))))},
		func(ok bool) {
			if !ok {
				return
			}
			v := name.Text
			runBulk(w, "ws.set_platform", len(ids), func(ctx context.Context, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
				return u.deps.Reform.SetPlatform(ctx, ids, v, p)
			}, func(res onboarding.BulkResult) string { return u.Text().Plural("ws.done.set_platform", res.Done) })
		}, u.Win())
	d.Resize(fyne.NewSize(520, 260))
	d.Show()
	widgets.FocusDialogField()
}

// onDirectory opens the directory's page on the row the user is on (or
// the one row selected).
func (r workspaceReform) onDirectory() {
	w := r.w
	row := w.table.Current
	if ids := w.selected(); len(ids) == 1 {
		for i, r := range w.rows {
			if r.ID == ids[0] {
				row = i
			}
		}
	}
	if row < 0 || row >= len(w.rows) {
		return
	}
	on := w.rows[row]
	if on.IdentifierType != core.IDSIRET || len(on.Identifier) < 9 {
		w.setMessage(w.u.Text().T("reform.directory.no_siren"))
		return
	}
	w.u.Tasks().OpenDirectory(w.u.deps.Reform.DirectoryPage(), on.Identifier[:9], w.message)
	w.view.message = w.message.Text
}
