package workspace

import (
	"context"
	"strings"

	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// onPrefill looks the selection up in the company registry, at the
// registry's pace, then shows the rows where it disagrees with what was
// typed.
func (w *workspaceScreen) onPrefill() {
	ids := w.selected()
	u := w.u
	shell.RunTask(u.Shell, w, w.progress, "ws.prefill", len(ids), func(ctx context.Context, p onboarding.ProgressFunc) (onboarding.PrefillResult, error) {
		return w.flow.PrefillStructures(ctx, ids, p)
	}, func(r onboarding.PrefillResult, err error) {
		text := u.Text().Plural("ws.done.prefill", r.Done) + " " + u.Text().Plural("ws.done.filled", r.Filled)
		if n := len(r.Differences) + r.MoreDifferences; n > 0 {
			text += " " + u.Text().Plural("ws.done.differences", n)
		}
		w.finishBulk("ws.prefill", r.BulkResult, text, err)
		if len(r.Differences) > 0 {
			u.review = &r
			u.Show(shell.StepReview)
		}
	})
}

// reviewScreen lists the rows where the registry disagrees with what was
// typed: the user ticks the rows where the registry is right, and those
// take its values; the others keep what was typed.
type reviewScreen struct {
	u        *area
	flow     workspaceFlow
	diffs    []onboarding.Difference
	accepted map[int64]bool
	list     *widgets.List
	apply    *widgets.Button
	all      *widgets.Button
	none     *widgets.Button
	back     *widgets.Button
	progress *widgets.Progress
	message  *widget.Label
	content  fyne.CanvasObject
	running  bool
}

func newReviewScreen(u *area, flow workspaceFlow, r *onboarding.PrefillResult) *reviewScreen {
	s := &reviewScreen{u: u, flow: flow, accepted: map[int64]bool{}}
	if r != nil {
		s.diffs = r.Differences
	}
	s.list = widgets.NewList(u.Text().T("review.title"), func() int { return len(s.diffs) }, s.createItem, s.updateItem)
	// Each row is as tall as its fields: measured on one item, filled in
	// turn with each row.
	probe := s.createItem()
	for i := range s.diffs {
		s.updateItem(i, probe)
		s.list.SetItemHeight(i, probe.MinSize().Height)
	}
	s.apply = widgets.NewButtonWithIcon("", theme.ConfirmIcon(), s.onApply)
	s.apply.Importance = widget.HighImportance
	s.all = widgets.NewButton(u.Text().T("review.all"), func() { s.setAll(true) })
	s.none = widgets.NewButton(u.Text().T("review.none"), func() { s.setAll(false) })
	s.back = widgets.NewButtonWithIcon(u.Text().T("review.back"), theme.NavigateBackIcon(), func() { u.Show(shell.StepWorkspace) })
	s.progress = u.Tasks().NewProgress()
	s.message = widgets.Paragraph("")
	intro := u.Text().Plural("review.intro", len(s.diffs))
	if r != nil && r.MoreDifferences > 0 {
		intro += " " + u.Text().Plural("review.more", r.MoreDifferences)
	}
	top := container.NewVBox(widgets.Title(u.Text().T("review.title")), widgets.Paragraph(intro), container.NewHBox(s.all, s.none))
	bottom := container.NewVBox(s.progress.Content, s.message, container.NewHBox(s.back, s.apply))
	s.content = container.NewPadded(widgets.NewBorder(top, bottom, nil, nil, s.list))
	s.progress.Root = s.content
	s.changed()
	return s
}

// Busy reports whether a long action runs.
func (s *reviewScreen) Busy() bool { return s.running }

// SetBusy disables what must wait while a long action runs.
func (s *reviewScreen) SetBusy(b bool) {
	s.running = b
	s.changed()
}

// reviewItem is one row of the review: a tick with the row's name, and
// what each side says.
type reviewItem struct {
	check  *widgets.Check
	fields *widget.Label
	box    fyne.CanvasObject
}

func (s *reviewScreen) createItem() fyne.CanvasObject {
	it := &reviewItem{check: widgets.NewCheck("", nil), fields: widget.NewLabel("")}
	it.fields.Truncation = fyne.TextTruncateEllipsis
	it.box = widgets.NewBorder(it.check, nil, widget.NewLabel("    "), nil, it.fields)
	c := &reviewCell{item: it}
	c.ExtendBaseWidget(c)
	return c
}

// reviewCell carries its reviewItem through the list's reuse.
type reviewCell struct {
	widget.BaseWidget
	item *reviewItem
}

// CreateRenderer draws the item.
func (c *reviewCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(c.item.box)
}

func (s *reviewScreen) updateItem(i widget.ListItemID, o fyne.CanvasObject) {
	d := s.diffs[i]
	it := o.(*reviewCell).item
	it.check.Text = d.Label
	it.check.OnChanged = nil
	it.check.SetChecked(s.accepted[d.ID])
	it.check.OnChanged = func(on bool) {
		if on {
			s.accepted[d.ID] = true
		} else {
			delete(s.accepted, d.ID)
		}
		s.changed()
	}
	it.check.Refresh()
	lines := make([]string, 0, len(d.Fields))
	for _, f := range d.Fields {
		lines = append(lines, i18n.Format(s.u.Text().Lang(), "review.field", map[string]string{
			"field": s.u.Text().T("field." + f.Field), "typed": s.u.Text().FieldValue(f.Field, f.Typed), "registry": s.u.Text().FieldValue(f.Field, f.Registry)}))
	}
	it.fields.SetText(strings.Join(lines, "\n"))
}

func (s *reviewScreen) setAll(on bool) {
	for _, d := range s.diffs {
		if on {
			s.accepted[d.ID] = true
		} else {
			delete(s.accepted, d.ID)
		}
	}
	s.list.Refresh()
	s.changed()
}

// changed names the Apply button after what it will do.
func (s *reviewScreen) changed() {
	n := len(s.accepted)
	s.apply.SetText(s.u.Text().Plural("review.apply", n))
	for _, b := range []*widgets.Button{s.apply, s.all, s.none, s.back} {
		b.Enable()
		if s.running {
			b.Disable()
		}
	}
	if n == 0 {
		s.apply.Disable()
	}
}

// onApply writes the registry's values into the ticked rows; the others
// keep what was typed.
func (s *reviewScreen) onApply() {
	var take []onboarding.Difference
	for _, d := range s.diffs {
		if s.accepted[d.ID] {
			take = append(take, d)
		}
	}
	u := s.u
	shell.RunTask(u.Shell, s, s.progress, "review.applying", len(take), func(ctx context.Context, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
		return s.flow.AcceptDifferences(ctx, take, p)
	}, func(r onboarding.BulkResult, err error) {
		text := u.Text().Plural("review.done", r.Done)
		if err != nil && !shell.IsCancelled(err) {
			s.message.SetText(u.Text().ErrorText(err) + " " + text)
			return
		}
		if n := r.SkippedTotal(); n > 0 {
			text += " " + u.Text().SkippedText(r)
		}
		u.workspace.message = text
		u.review = nil
		u.Show(shell.StepWorkspace)
	})
}
