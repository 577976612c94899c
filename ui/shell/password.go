package shell

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core/validate"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// checklist order: the portal's rule first, then ours.
var checklist = []string{"check.length", "check.classes", "check.context", "check.common", "check.match"}

// PasswordChecks is the password policy's live checklist, shared by the
// activation step and the password change: one line per rule, each with
// a tick or a cross (not colour alone, and not a glyph the bundled font
// may lack).
type PasswordChecks struct {
	// Box holds the lines.
	Box *fyne.Container
	// Checks and Marks are each rule's line and mark, by its key.
	Checks map[string]*widget.Label
	Marks  map[string]*widget.Icon
}

// NewPasswordChecks returns the checklist, every line not met yet.
func NewPasswordChecks(tx *Texts) *PasswordChecks {
	p := &PasswordChecks{Box: container.NewVBox(), Checks: map[string]*widget.Label{}, Marks: map[string]*widget.Icon{}}
	for _, k := range checklist {
		l := widget.NewLabel(tx.T(k))
		p.Checks[k] = l
		p.Marks[k] = widget.NewIcon(nil)
		p.Box.Add(widgets.NewBorder(nil, nil, p.Marks[k], nil, l))
	}
	return p
}

// Update judges pw (and its confirmation) by the portal's rule, with the
// account's e-mail and names, marks each line, and reports whether every
// rule passes.
func (p *PasswordChecks) Update(tx *Texts, pw, confirm, email, first, last string) bool {
	r := validate.CheckPassword(pw, email, first, last)
	ok := map[string]bool{
		"check.length":  r.Length >= validate.PasswordMin && !r.TooLong,
		"check.classes": r.Classes() >= validate.PasswordMinClasses,
		"check.context": r.Length > 0 && !r.ContainsContext,
		"check.common":  r.Length > 0 && !r.Common,
		"check.match":   r.Length > 0 && pw == confirm,
	}
	for k, l := range p.Checks {
		l.Importance = widget.DangerImportance
		var mark fyne.Resource = theme.NewErrorThemedResource(theme.CancelIcon())
		if ok[k] {
			l.Importance = widget.SuccessImportance
			mark = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		}
		p.Marks[k].SetResource(mark)
		l.SetText(tx.T(k))
	}
	return r.Err() == nil && ok["check.match"]
}
