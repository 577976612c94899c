// Package settings is the settings screen: the environment and what it
// connects through (portal, PISTE, registries, proxy, certificates), the
// secrets (to the keyring only), and the account's trusted computers and
// password.
package settings

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// What each part of the screen asks of the application layer.
type (
	// settingsFlow is the settings themselves.
	settingsFlow interface {
		Settings() core.Settings
		// Effective says where each setting comes from: an admin's policy
		// locks its field, an admin's default is said until changed.
		Effective() core.Effective
		SaveSettings(ctx context.Context, s core.Settings) error
		SaveSecrets(ctx context.Context, env core.Environment, secrets map[string]string) error
		KeepSecretsForSession(ctx context.Context, secrets map[string]string) error
	}
	// devicesFlow is the account's trusted computers and its password.
	devicesFlow interface {
		Devices(ctx context.Context) ([]api.Device, error)
		RevokeDevice(ctx context.Context, id int64) error
		ThisDevice(ctx context.Context) int64
		// ChangePassword replaces the account's password; the portal ends
		// every other session and forgets every trusted computer.
		ChangePassword(ctx context.Context, email, current, next string) error
	}
	// firmStatusFlow says where the desktop stands with its firm.
	firmStatusFlow interface {
		Status(ctx context.Context) onboarding.FirmStatus
	}
)

var (
	_ settingsFlow = (*onboarding.Connection)(nil)
	_ devicesFlow  = (*onboarding.Accounts)(nil)
)

// Deps are the services the settings screen uses.
type Deps struct {
	Connection settingsFlow
	Devices    devicesFlow
	// Firm, when set, shows the way to the firm's shared workspace.
	Firm firmStatusFlow
}

// area is the settings screen on the shell.
type area struct {
	*shell.Shell
	deps      Deps
	settingsS *settingsScreen
}

// Register builds the settings screen on s.
func Register(s *shell.Shell, deps Deps) { register(s, deps) }

func register(s *shell.Shell, deps Deps) *area {
	a := &area{Shell: s, deps: deps}
	s.Register(shell.StepSettings, func(any) fyne.CanvasObject {
		a.settingsS = newSettingsScreen(a, deps.Connection, deps.Devices, deps.Firm)
		return a.settingsS.content
	})
	return a
}
