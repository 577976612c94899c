// Package requests is the attachment requests and the people of a
// structure: the requests waiting for the user (its principal manager, or
// a user with the right to approve them), to approve or refuse many at
// once; the user's own with their status; and the people of the user's
// structures, with their rights.
package requests

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// What each screen asks of the application layer, and nothing more.
type (
	// approvalsFlow is the table of attachment requests: a manager's, to
	// decide many at once, and the user's own.
	approvalsFlow interface {
		Lists(ctx context.Context) (onboarding.AttachmentLists, error)
		DecideAttachments(ctx context.Context, reqs []api.Attachment, approve bool, progress onboarding.ProgressFunc) (onboarding.BulkResult, error)
	}
	// peopleFlow is the people of the user's structures: rights,
	// hand-over, detach, leave, invitations.
	peopleFlow interface {
		Managed(ctx context.Context) ([]api.Managed, error)
		Members(ctx context.Context, structure int64) ([]api.Member, error)
		SetRights(ctx context.Context, structure, account int64, r api.Rights) ([]api.Member, error)
		Detach(ctx context.Context, structure, account int64) ([]api.Member, error)
		Leave(ctx context.Context, structure int64) error
		OfferHandover(ctx context.Context, structure, account int64) ([]api.Member, error)
		WithdrawHandover(ctx context.Context, structure int64) ([]api.Member, error)
		Handovers(ctx context.Context) ([]api.Handover, error)
		AnswerHandover(ctx context.Context, structure int64, accept bool) error
		Invite(ctx context.Context, structure int64, email string) error
		Invitations(ctx context.Context, structure int64) ([]api.PendingInvitation, error)
		WithdrawInvitation(ctx context.Context, structure int64, email string) ([]api.PendingInvitation, error)
	}
)

var (
	_ approvalsFlow = (*onboarding.Attachments)(nil)
	_ peopleFlow    = (*onboarding.People)(nil)
)

// Deps are the services the requests' screens use.
type Deps struct {
	Attachments approvalsFlow
	People      peopleFlow
}

// widthID is the identifier column's width, as in the workspace's table.
const widthID = 146

// area is the requests' screens on the shell.
type area struct {
	*shell.Shell
	deps       Deps
	approvalsS *approvalsScreen
}

// Register builds the requests' screen on s.
func Register(s *shell.Shell, deps Deps) { register(s, deps) }

func register(s *shell.Shell, deps Deps) *area {
	a := &area{Shell: s, deps: deps}
	s.Register(shell.StepApprovals, func(any) fyne.CanvasObject {
		a.approvalsS = newApprovalsScreen(a, deps.Attachments, deps.People)
		return a.approvalsS.content
	})
	return a
}
