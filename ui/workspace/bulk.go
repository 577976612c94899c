package workspace

import (
	"context"

	"github.com/chorusonboard/chorus-onboard/ui/shell"

	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// runBulk runs a bulk action and reports what it did: summary's sentence,
// what was skipped and why, or that it was cancelled.
func runBulk(w *workspaceScreen, action string, total int,
	work func(context.Context, onboarding.ProgressFunc) (onboarding.BulkResult, error), summary func(onboarding.BulkResult) string) {
	shell.RunTask(w.u.Shell, w, w.progress, action, total, work, func(r onboarding.BulkResult, err error) {
		w.finishBulk(action, r, summary(r), err)
	})
}

// finishBulk says how a bulk action ended and shows the rows again.
func (w *workspaceScreen) finishBulk(action string, r onboarding.BulkResult, text string, err error) {
	u := w.u
	text = u.Text().BulkText(r, text, err)
	w.setMessage(text)
	w.refresh()
	if len(r.Notes) > 0 {
		// Rows left as they were, or warnings (a closed establishment):
		// each worth a look.
		u.Tasks().ShowNotes(u.Text().T(action), text, r.Notes)
	}
}
