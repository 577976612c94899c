// Package firm is the firm's shared workspace in the window: joining the
// firm (its server, the member's sign-in and second factor, what to do with
// the structures already here), how the desktop stands with it (online,
// changes to send, conflicts), leaving it, and, for the firm's admin, its
// members, their roles, the invitations and the deleted clients. The workspace shows the firm's
// columns and conflicts itself (ui/workspace).
package firm

import (
	"context"
	"io"

	"fyne.io/fyne/v2"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// What each screen asks of the application layer.
type (
	// firmFlow is the desktop's side of the firm.
	firmFlow interface {
		Status(ctx context.Context) onboarding.FirmStatus
		SignIn(ctx context.Context, url, email, password string) (*api.SecondFactorChallenge, error)
		SecondFactor(ctx context.Context, challenge, code string) error
		Join(ctx context.Context, bring bool, progress onboarding.ProgressFunc) (onboarding.JoinResult, error)
		Sync(ctx context.Context) (onboarding.FirmRound, error)
		Leave(ctx context.Context) (string, error)
	}
	// membersFlow is the admin's: members, roles, invitations, the
	// audit's export.
	membersFlow interface {
		Members(ctx context.Context) ([]api.FirmMember, error)
		SetRole(ctx context.Context, account int64, role string) ([]api.FirmMember, error)
		RemoveMember(ctx context.Context, account int64) ([]api.FirmMember, error)
		Invite(ctx context.Context, email, role string) error
		Invitations(ctx context.Context) ([]api.FirmInvitation, error)
		WithdrawInvitation(ctx context.Context, email string) ([]api.FirmInvitation, error)
		ExportAudit(ctx context.Context, w io.Writer, format string) (int, error)
	}
	// deletedFlow is the admin's too: the deleted clients, to restore one.
	deletedFlow interface {
		Deleted(ctx context.Context) ([]api.FirmDeleted, error)
		Restore(ctx context.Context, clientID int64) error
	}
)

var (
	_ firmFlow    = (*onboarding.Firm)(nil)
	_ membersFlow = (*onboarding.FirmAdmin)(nil)
	_ deletedFlow = (*onboarding.FirmAdmin)(nil)
)

// Deps are the services the firm's screens use.
type Deps struct {
	Firm    firmFlow
	Members membersFlow
	Deleted deletedFlow
	// Effective gives the admin's preset of the firm's server (firm_url).
	Effective func() core.Effective
}

// area is the firm's screens on the shell.
type area struct {
	*shell.Shell
	deps     Deps
	firmS    *firmScreen
	membersS *membersScreen
	deletedS *deletedScreen
}

// Register builds the firm's screens on s.
func Register(s *shell.Shell, deps Deps) { register(s, deps) }

func register(s *shell.Shell, deps Deps) *area {
	a := &area{Shell: s, deps: deps}
	s.Register(shell.StepFirm, func(any) fyne.CanvasObject {
		a.firmS = newFirmScreen(a)
		return a.firmS.content
	})
	s.Register(shell.StepFirmMembers, func(any) fyne.CanvasObject {
		a.membersS = newMembersScreen(a)
		return a.membersS.content
	})
	s.Register(shell.StepFirmDeleted, func(any) fyne.CanvasObject {
		a.deletedS = newDeletedScreen(a)
		return a.deletedS.content
	})
	return a
}
