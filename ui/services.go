package ui

import (
	"context"
	"io"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// What each screen asks of the application layer (core/onboarding's
// services, one per use case), and nothing more: a screen gets only the
// interface it needs, never the store or a portal client. Every method
// that takes a context may block on disk, keyring or network, so screens
// call them through async, off the UI goroutine; the others read memory.

// accountFlow saves the draft of steps 1-2 and queues it for creation.
type accountFlow interface {
	SaveAccount(ctx context.Context, id int64, d core.AccountDraft) (core.AccountRecord, error)
	Account(ctx context.Context, id int64) (core.AccountRecord, error)
	QueueAccount(ctx context.Context, id int64) error
}

// mailboxReader reads the e-mail the sandbox portal sent (KindUnavailable
// elsewhere).
type mailboxReader interface {
	Mailbox(ctx context.Context, to string) ([]api.Mail, error)
}

// captchaFlow is step 3.
type captchaFlow interface {
	Captcha(ctx context.Context) (api.Captcha, error)
	CaptchaCode(ctx context.Context, challenge, email string) error
	SubmitAccount(ctx context.Context, accountID int64, challenge, answer string) error
	mailboxReader
}

// activationFlow is step 4, with "send the link again" (behind a new
// captcha); the sign-in that follows may ask for a second factor.
type activationFlow interface {
	Activate(ctx context.Context, link, email, password string) (*api.SecondFactorChallenge, error)
	Captcha(ctx context.Context) (api.Captcha, error)
	CaptchaCode(ctx context.Context, challenge, email string) error
	ResendActivation(ctx context.Context, challenge, answer, email string) error
	mailboxReader
}

// signInFlow opens a session: the password (with this computer's device
// token, if trusted), then the second factor when the portal asks for it.
type signInFlow interface {
	StartSignIn(ctx context.Context, email, password string) (*api.SecondFactorChallenge, error)
	Enrol(ctx context.Context, challenge, method string) (api.Enrolment, error)
	FinishSignIn(ctx context.Context, email string, req api.SecondFactor) ([]string, error)
	mailboxReader
}

// devicesFlow is the settings' list of the account's trusted computers.
type devicesFlow interface {
	Devices(ctx context.Context) ([]api.Device, error)
	RevokeDevice(ctx context.Context, id int64) error
	ThisDevice(ctx context.Context) int64
	// ChangePassword replaces the account's password; the portal ends
	// every other session and forgets every trusted computer.
	ChangePassword(ctx context.Context, email, current, next string) error
}

// structureFlow is step 6.
type structureFlow interface {
	Lookup(ctx context.Context, siret string) onboarding.Lookup
	Submit(ctx context.Context, d core.StructureDraft) (core.StructureRecord, error)
}

// attachFlow is the attachment screen: requests and a manager's decisions.
type attachFlow interface {
	SearchStructure(ctx context.Context, t core.IdentifierType, identifier string) (api.SearchResult, error)
	RequestAttachment(ctx context.Context, t core.IdentifierType, identifier string) (api.Attachment, error)
	Lists(ctx context.Context) (onboarding.AttachmentLists, error)
	DecideAttachment(ctx context.Context, id int64, approve bool) (api.Attachment, error)
}

// syncFlow is the sync panel.
type syncFlow interface {
	Unsettled(ctx context.Context) ([]core.StructureRecord, error)
	RetryNow(ctx context.Context) (onboarding.Progress, error)
	Discard(ctx context.Context, structureID int64) error
}

// handoffFlow is the guided hand-off to Chorus Pro's own pages.
type handoffFlow interface {
	HandoffCandidates(ctx context.Context) ([]core.StructureRecord, error)
	CheckOnChorus(ctx context.Context, structureID int64) (onboarding.ReadBack, error)
}

// settingsFlow is the settings screen.
type settingsFlow interface {
	Settings() core.Settings
	// Effective says where each setting comes from: an admin's policy
	// locks its field, an admin's default is said until changed.
	Effective() core.Effective
	SaveSettings(ctx context.Context, s core.Settings) error
	SaveSecrets(ctx context.Context, env core.Environment, secrets map[string]string) error
	KeepSecretsForSession(ctx context.Context, secrets map[string]string) error
}

// targetFlow says where the app sends: the header and the status line.
type targetFlow interface {
	Target() onboarding.Target
	Health(ctx context.Context) error
	Effective() core.Effective
}

// countsFlow gives the status line its counts.
type countsFlow interface {
	Counts(ctx context.Context) (map[core.SyncState]int, int, error)
	PendingElsewhere(ctx context.Context) (int, error)
}

// workspaceFlow is the accountant's workspace: the table of structures
// and its bulk actions, each reporting progress and stopped by its ctx.
type workspaceFlow interface {
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

// editorFlow is the structure form opened from the workspace on a stored
// record.
type editorFlow interface {
	structureFlow
	Structure(ctx context.Context, id int64) (core.StructureRecord, error)
	Save(ctx context.Context, id int64, d core.StructureDraft, queue bool) (core.StructureRecord, core.SaveResult, error)
}

// approvalsFlow is the table of attachment requests: a manager's, to
// decide many at once, and the user's own.
type approvalsFlow interface {
	Lists(ctx context.Context) (onboarding.AttachmentLists, error)
	DecideAttachments(ctx context.Context, reqs []api.Attachment, approve bool, progress onboarding.ProgressFunc) (onboarding.BulkResult, error)
}

// managedFlow says which structures the user manages, and with how many
// managers: the workspace marks those the user manages alone.
type managedFlow interface {
	Managed(ctx context.Context) ([]api.Managed, error)
}

// peopleFlow is the people of the structures the user manages, in the
// Requests screen.
type peopleFlow interface {
	managedFlow
	Members(ctx context.Context, structure int64) ([]api.Member, error)
	ChangeMember(ctx context.Context, structure, account int64, action string) ([]api.Member, error)
	Invite(ctx context.Context, structure int64, email string) error
}

// The services of the application layer, as the screens see each: the
// composition root hands core/onboarding's (cmd/chorus-onboard), tests
// hand fakes or the real ones.
type (
	// connectionService is onboarding.Connection: the settings screen and
	// the bars.
	connectionService interface {
		settingsFlow
		targetFlow
	}
	// syncService is onboarding.Sync: the sync panel and the counts.
	syncService interface {
		syncFlow
		countsFlow
	}
	// accountService is onboarding.Accounts: the wizard's first steps.
	accountService interface {
		accountFlow
		captchaFlow
		activationFlow
		signInFlow
		devicesFlow
	}
	// structureService is onboarding.Structures: the structure form.
	structureService interface {
		editorFlow
	}
	// attachmentService is onboarding.Attachments: requests and decisions.
	attachmentService interface {
		attachFlow
		approvalsFlow
	}
)

var (
	_ connectionService = (*onboarding.Connection)(nil)
	_ syncService       = (*onboarding.Sync)(nil)
	_ accountService    = (*onboarding.Accounts)(nil)
	_ structureService  = (*onboarding.Structures)(nil)
	_ workspaceFlow     = (*onboarding.Workspace)(nil)
	_ attachmentService = (*onboarding.Attachments)(nil)
	_ handoffFlow       = (*onboarding.Handoff)(nil)
	_ peopleFlow        = (*onboarding.People)(nil)
)

// Deps are what the interface is built on.
type Deps struct {
	// The application layer's services, one per use case; each screen
	// gets the one it uses.
	Connection  connectionService
	Sync        syncService
	Accounts    accountService
	Structures  structureService
	Workspace   workspaceFlow
	Reform      reformFlow
	Attachments attachmentService
	People      peopleFlow
	Handoff     handoffFlow
	// After runs f on the UI goroutine once d has passed, and returns a
	// function that cancels it (debounced draft saves). Tests replace it.
	After func(d time.Duration, f func()) (stop func())
	// Async runs background work: a goroutine in the app; tests may run it
	// inline so that they see its effect when the tap returns.
	Async func(func())
	// Do hands a function to the UI goroutine: fyne.Do in the app; a test
	// that runs work on real goroutines pumps these itself.
	Do func(func())
	// Clock, when set, replaces the wall clock and shows times in UTC:
	// tests fix both, so that screens compare to their goldens.
	Clock func() time.Time
	// DeviceName names this computer in the account's trusted computers;
	// empty means onboarding.DeviceName("Chorus Onboard") (the program
	// and the computer's name). Tests fix it for their goldens.
	DeviceName string
	// SystemLang is the language the operating system shows its own
	// interface in (i18n.System): the app's language until the user or an
	// admin chooses one. Empty means English.
	SystemLang i18n.Lang
}
