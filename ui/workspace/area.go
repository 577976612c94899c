// Package workspace is the accountant's workspace: every stored structure
// in one table that filters as the user types, bulk actions on a selection
// with a progress bar and Cancel, files in and out (CSV, Excel, JSON), the
// registry's review after a pre-fill, the e-invoicing reform per client,
// the sync panel, and the structure form itself, in the wizard's step 6 as
// in the editor the table opens.
package workspace

import (
	"context"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// What each screen asks of the application layer, and nothing more. Every
// method that takes a context may block on disk, keyring or network, so
// screens call them through shell.Async, off the UI goroutine.
type (
	// workspaceFlow is the table and its bulk actions, each reporting
	// progress and stopped by its ctx.
	workspaceFlow interface {
		QueryStructures(ctx context.Context, q core.StructureQuery) (core.StructureList, error)
		QueueStructures(ctx context.Context, ids []int64, progress onboarding.ProgressFunc) (onboarding.BulkResult, error)
		DraftStructures(ctx context.Context, ids []int64, progress onboarding.ProgressFunc) (onboarding.BulkResult, error)
		DeleteStructures(ctx context.Context, ids []int64, progress onboarding.ProgressFunc) (onboarding.BulkResult, error)
		RevalidateStructures(ctx context.Context, ids []int64, progress onboarding.ProgressFunc) (onboarding.BulkResult, error)
		PrefillStructures(ctx context.Context, ids []int64, progress onboarding.ProgressFunc) (onboarding.PrefillResult, error)
		AcceptDifferences(ctx context.Context, diffs []onboarding.Difference, progress onboarding.ProgressFunc) (onboarding.BulkResult, error)
		ExportStructures(ctx context.Context, out io.Writer, ids []int64, format string, opt csvio.WriterOptions,
			progress onboarding.ProgressFunc) (int, error)
		ImportCSV(ctx context.Context, r io.Reader, opt onboarding.ImportOptions) (*onboarding.ImportReport, error)
		ImportXLSX(ctx context.Context, r io.Reader, sheet string, opt onboarding.ImportOptions) (*onboarding.ImportReport, error)
		SheetsOf(r io.Reader) ([]string, error)
	}
	// structureFlow is the form in the wizard's step 6.
	structureFlow interface {
		Lookup(ctx context.Context, siret string) onboarding.Lookup
		Submit(ctx context.Context, d core.StructureDraft) (core.StructureRecord, error)
	}
	// editorFlow is the form opened from the workspace on a stored
	// record.
	editorFlow interface {
		structureFlow
		Structure(ctx context.Context, id int64) (core.StructureRecord, error)
		Save(ctx context.Context, id int64, d core.StructureDraft, queue bool) (core.StructureRecord, core.SaveResult, error)
	}
	// managedFlow says which structures the user belongs to, and how many
	// may approve their requests: the workspace marks those where only the
	// user can.
	managedFlow interface {
		Managed(ctx context.Context) ([]api.Managed, error)
	}
	// syncFlow is the sync panel.
	syncFlow interface {
		Unsettled(ctx context.Context) ([]core.StructureRecord, error)
		RetryNow(ctx context.Context) (onboarding.Progress, error)
		Discard(ctx context.Context, structureID int64) error
	}
)

var (
	_ workspaceFlow = (*onboarding.Workspace)(nil)
	_ editorFlow    = (*onboarding.Structures)(nil)
	_ reformFlow    = (*onboarding.Reform)(nil)
	_ managedFlow   = (*onboarding.People)(nil)
	_ syncFlow      = (*onboarding.Sync)(nil)
)

// Deps are the services the workspace's screens use.
type Deps struct {
	Workspace  workspaceFlow
	Structures editorFlow
	Reform     reformFlow
	// People says which structures the user manages (nil: no marks).
	People managedFlow
	Sync   syncFlow
	// Firm and Assign are the firm's shared workspace (nil: in none).
	Firm   firmFlow
	Assign assignFlow
}

// view is what the workspace shows, kept while the user is on a form so
// that coming back finds the same filter, sort and row.
type view struct {
	query core.StructureQuery
	// currentID is the row the user was on.
	currentID int64
	// message is the last action's outcome, shown under the table.
	message string
}

// area is the workspace's screens on the shell, and what they share.
type area struct {
	*shell.Shell
	deps Deps
	// workspace is what the table shows, kept across screens.
	workspace view
	// editing is the record the structure form is open on (StepEditor).
	editing *structureEdit
	// typed is what the new structure's form (StepStructure) held when
	// the screen was built again (a new language or theme), for the new
	// one; nil otherwise.
	typed *core.StructureDraft
	// review is the last pre-fill's result, for its review screen.
	review *onboarding.PrefillResult
	// files imports, exports and keeps the last import's report.
	files *files
	// firm is what the workspace knows of the firm (ui/workspace/firm.go).
	firm firmState

	workspaceS *workspaceScreen
	structureS *structureScreen
	reviewS    *reviewScreen
	reportS    *importReportScreen
	syncS      *syncScreen
}

// Workspace is the workspace registered with its shell.
type Workspace struct{ a *area }

// Register builds the workspace's screens on s: the table, the structure
// form (step 6, and the editor), the registry's review, an import's
// report and the sync panel; a CSV or workbook dropped on the window is
// imported.
func Register(s *shell.Shell, deps Deps) *Workspace {
	a := &area{Shell: s, deps: deps}
	a.files = &files{u: a, frenchSheets: strings.HasPrefix(string(lang.SystemLocale()), "fr")}
	s.Register(shell.StepWorkspace, func(arg any) fyne.CanvasObject {
		if v, ok := arg.(shell.WorkspaceView); ok {
			if v.Filter != "" {
				a.workspace.query.Filter, a.workspace.query.Text = v.Filter, ""
			}
			if v.Message != "" {
				a.workspace.message = v.Message
			}
			if v.CurrentID != 0 {
				a.workspace.currentID = v.CurrentID
			}
		}
		a.workspaceS = newWorkspaceScreen(a, deps.Workspace, deps.People)
		return a.workspaceS.content
	})
	// The workspace's frequent actions, from anywhere in the window.
	s.Keys.Shortcut(fyne.KeyN, false, func() { a.openStructure(0, "") })
	s.Keys.Shortcut(fyne.KeyF, false, func() {
		if s.Step() != shell.StepWorkspace {
			s.Show(shell.StepWorkspace)
		}
		if a.workspaceS != nil {
			s.Win().Canvas().Focus(a.workspaceS.search)
		}
	})
	s.Keys.Shortcut(fyne.KeyI, false, func() {
		if s.Step() != shell.StepWorkspace {
			s.Show(shell.StepWorkspace)
		}
		if a.workspaceS != nil {
			a.files.pick(a.workspaceS.setMessage)
		}
	})
	s.Register(shell.StepStructure, func(any) fyne.CanvasObject {
		var d core.StructureDraft
		if a.typed != nil {
			d, a.typed = *a.typed, nil
		}
		a.structureS = newStructureScreen(a, deps.Structures, d)
		return a.structureS.content
	})
	// A form built again for a new language or theme keeps what was typed.
	s.OnLangChanging(func() {
		if a.structureS == nil {
			return
		}
		switch d := a.structureS.draft(); s.Step() {
		case shell.StepStructure:
			a.typed = &d
		case shell.StepEditor:
			if a.editing != nil {
				a.editing.typed = &d
			}
		}
	})
	s.Register(shell.StepEditor, func(arg any) fyne.CanvasObject {
		if o, ok := arg.(shell.OpenStructure); ok && o.ID == 0 {
			a.editing = &structureEdit{flow: deps.Structures, focus: o.Focus}
		}
		if a.editing == nil {
			a.editing = &structureEdit{flow: deps.Structures}
		}
		a.structureS = newStructureEditor(a, a.editing)
		return a.structureS.content
	})
	// A field takes the focus once the form is on the window.
	s.OnShown(shell.StepEditor, func() { a.structureS.focusField(a.editing.focus) })
	s.Register(shell.StepReview, func(any) fyne.CanvasObject {
		a.reviewS = newReviewScreen(a, deps.Workspace, a.review)
		return a.reviewS.content
	})
	s.Register(shell.StepImportReport, func(any) fyne.CanvasObject {
		a.reportS = newImportReportScreen(a, a.files.report, a.files.reportName)
		return a.reportS.content
	})
	s.OnLeave(shell.StepImportReport, a.files.closeReport)
	s.Register(shell.StepSync, func(any) fyne.CanvasObject { a.syncS = newSyncScreen(a, deps.Sync); return a.syncS.content })
	s.Win().SetOnDropped(a.files.dropped)
	a.loadFirm(func() {
		if a.Step() == shell.StepWorkspace {
			a.Show(shell.StepWorkspace)
		}
	})
	return &Workspace{a: a}
}

// openStructure opens the structure form on a stored record (id 0: a new
// one), read off the UI goroutine first; focus names the field for the
// cursor (shell.FocusFirstError: the first with an error).
func (u *area) openStructure(id int64, focus string) {
	if id == 0 {
		u.editing = &structureEdit{flow: u.deps.Structures, focus: focus}
		u.Show(shell.StepEditor)
		return
	}
	shell.Async(u.Shell, func(ctx context.Context) (structureEdit, error) {
		rec, err := u.deps.Structures.Structure(ctx, id)
		e := structureEdit{flow: u.deps.Structures, rec: rec, focus: focus}
		if err == nil && u.deps.Firm != nil {
			e.conflicts, err = u.deps.Firm.Conflicts(ctx, id)
		}
		return e, err
	}, func(e structureEdit, err error) {
		if err != nil {
			u.workspace.message = u.Text().ErrorText(err)
			u.Show(shell.StepWorkspace)
			return
		}
		u.editing = &e
		u.Show(shell.StepEditor)
	})
}

// SyncResult is what a batch of the background worker did.
type SyncResult struct {
	Sent, Created, Attachments, Failed int
}
