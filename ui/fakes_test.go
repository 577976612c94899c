package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
)

// Fakes of the services, as each screen sees them: in memory, no SQLite,
// no HTTP, each recording what the screen asked. A screen test built on
// them runs in milliseconds and checks the screen alone; the end-to-end
// tests (newHarness) check the real stack behind it.

// calls records what a fake was asked, in order.
type calls struct {
	mu  sync.Mutex
	log []string
}

func (c *calls) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, s)
}

func (c *calls) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.log...)
}

// noPortal stands for a portal the screens must never call themselves:
// any call panics.
type noPortal struct{ onboarding.Portal }

// fakeConnection is the connectionService: settings, and the target every screen reads (environment, portal, mailbox).
type fakeConnection struct {
	calls
	settings core.Settings
	eff      core.Effective
	target   onboarding.Target
	health   error
	saveErr  error
}

func (f *fakeConnection) Settings() core.Settings          { return f.settings }
func (f *fakeConnection) Effective() core.Effective        { return f.eff }
func (f *fakeConnection) Target() onboarding.Target        { return f.target }
func (f *fakeConnection) Health(ctx context.Context) error { return f.health }
func (f *fakeConnection) SaveSettings(_ context.Context, s core.Settings) error {
	f.add("SaveSettings " + string(s.Environment))
	if f.saveErr == nil {
		f.settings = s
	}
	return f.saveErr
}
func (f *fakeConnection) SaveSecrets(_ context.Context, env core.Environment, secrets map[string]string) error {
	f.add("SaveSecrets " + string(env))
	return nil
}
func (f *fakeConnection) KeepSecretsForSession(context.Context, map[string]string) error {
	f.add("KeepSecretsForSession")
	return nil
}

// fakeSync is the syncService of the sync panel and the status bar.
type fakeSync struct {
	calls
	unsettled []core.StructureRecord
	counts    map[core.SyncState]int
	pending   int
	elsewhere int
}

func (f *fakeSync) Unsettled(context.Context) ([]core.StructureRecord, error) {
	return f.unsettled, nil
}
func (f *fakeSync) RetryNow(context.Context) (onboarding.Progress, error) {
	f.add("RetryNow")
	return onboarding.Progress{Sent: len(f.unsettled)}, nil
}
func (f *fakeSync) Discard(_ context.Context, id int64) error {
	f.add("Discard")
	for i, r := range f.unsettled {
		if r.ID == id {
			f.unsettled = append(f.unsettled[:i], f.unsettled[i+1:]...)
			break
		}
	}
	return nil
}
func (f *fakeSync) Counts(context.Context) (map[core.SyncState]int, int, error) {
	return f.counts, f.pending, nil
}
func (f *fakeSync) PendingElsewhere(context.Context) (int, error) { return f.elsewhere, nil }

// fakeAccounts is the accountService of the wizard's account, captcha,
// activation, sign-in and second-factor screens, and of the settings'
// trusted computers. challenge, when set, is what a right password gets;
// finishErr what the second factor gets.
type fakeAccounts struct {
	calls
	rec       core.AccountRecord
	submitErr error
	challenge *api.SecondFactorChallenge
	enrolment api.Enrolment
	recovery  []string
	finishErr error
	devices   []api.Device
	this      int64
}

func (f *fakeAccounts) SaveAccount(_ context.Context, id int64, d core.AccountDraft) (core.AccountRecord, error) {
	f.add("SaveAccount " + d.LoginEmail)
	f.rec.ID, f.rec.Draft = 7, d
	return f.rec, nil
}
func (f *fakeAccounts) Account(context.Context, int64) (core.AccountRecord, error) { return f.rec, nil }
func (f *fakeAccounts) QueueAccount(context.Context, int64) error {
	f.add("QueueAccount")
	return nil
}
func (f *fakeAccounts) Captcha(context.Context) (api.Captcha, error) {
	f.add("Captcha")
	return api.Captcha{ID: "c1", PNG: tinyPNG(), Length: 5, ExpiresIn: 120}, nil
}
func (f *fakeAccounts) CaptchaCode(context.Context, string, string) error {
	f.add("CaptchaCode")
	return nil
}
func (f *fakeAccounts) SubmitAccount(_ context.Context, _ int64, challenge, answer string) error {
	f.add("SubmitAccount " + challenge + " " + answer)
	return f.submitErr
}
func (f *fakeAccounts) Mailbox(context.Context, string) ([]api.Mail, error) { return nil, nil }
func (f *fakeAccounts) Activate(context.Context, string, string, string) (*api.SecondFactorChallenge, error) {
	f.add("Activate")
	return f.challenge, nil
}
func (f *fakeAccounts) ResendActivation(context.Context, string, string, string) error {
	f.add("ResendActivation")
	return nil
}
func (f *fakeAccounts) StartSignIn(_ context.Context, email, _ string) (*api.SecondFactorChallenge, error) {
	f.add("SignIn " + email)
	return f.challenge, nil
}
func (f *fakeAccounts) Enrol(_ context.Context, _, method string) (api.Enrolment, error) {
	f.add("Enrol " + method)
	return f.enrolment, nil
}
func (f *fakeAccounts) FinishSignIn(_ context.Context, _ string, req api.SecondFactor) ([]string, error) {
	f.add(fmt.Sprintf("FinishSignIn code=%s recovery=%s trust=%v", req.Code, req.RecoveryCode, req.TrustDevice))
	return f.recovery, f.finishErr
}
func (f *fakeAccounts) Devices(context.Context) ([]api.Device, error) { return f.devices, nil }
func (f *fakeAccounts) RevokeDevice(_ context.Context, id int64) error {
	f.add(fmt.Sprintf("RevokeDevice %d", id))
	for i, d := range f.devices {
		if d.ID == id {
			f.devices = append(f.devices[:i], f.devices[i+1:]...)
			break
		}
	}
	return nil
}
func (f *fakeAccounts) ThisDevice(context.Context) int64 { return f.this }
func (f *fakeAccounts) ChangePassword(_ context.Context, email, current, next string) error {
	f.add("ChangePassword " + email)
	if current != "Tr0ub4dor&3x-Lune" {
		return &core.E{Kind: core.KindUnauthorized, Code: api.CodeBadCredentials, Status: 401}
	}
	f.devices = nil
	return nil
}

// fakePeople is the peopleFlow of the Requests screen's people tab: the
// structures managed and their members, changed as the portal would.
type fakePeople struct {
	calls
	managed []api.Managed
	members map[int64][]api.Member
}

func (f *fakePeople) Managed(context.Context) ([]api.Managed, error) { return f.managed, nil }
func (f *fakePeople) Members(_ context.Context, id int64) ([]api.Member, error) {
	f.add(fmt.Sprintf("Members %d", id))
	return f.members[id], nil
}
func (f *fakePeople) ChangeMember(_ context.Context, id, account int64, action string) ([]api.Member, error) {
	f.add(fmt.Sprintf("ChangeMember %d %d %s", id, account, action))
	ms := f.members[id]
	for i := range ms {
		switch {
		case ms[i].AccountID == account && action == api.MemberPromote:
			ms[i].Role = api.RoleSecondary
		case ms[i].AccountID == account && action == api.MemberTransfer:
			ms[i].Role = api.RolePrincipal
		case ms[i].Role == api.RolePrincipal && action == api.MemberTransfer:
			ms[i].Role = api.RoleSecondary
		}
	}
	return ms, nil
}
func (f *fakePeople) Invite(_ context.Context, id int64, email string) error {
	f.add(fmt.Sprintf("Invite %d %s", id, email))
	return nil
}

// fakeStructures is the structureService of the structure form and editor.
type fakeStructures struct {
	calls
	lookup    onboarding.Lookup
	submitErr error
	recs      map[int64]core.StructureRecord
}

func (f *fakeStructures) Lookup(_ context.Context, siret string) onboarding.Lookup {
	f.add("Lookup " + siret)
	return f.lookup
}
func (f *fakeStructures) Submit(_ context.Context, d core.StructureDraft) (core.StructureRecord, error) {
	f.add("Submit " + d.Identifier + " " + d.CompanyName)
	if f.submitErr != nil {
		return core.StructureRecord{}, f.submitErr
	}
	return core.StructureRecord{ID: 1, Draft: d, Sync: core.Sync{State: core.StateCreated, PortalID: "42"}}, nil
}
func (f *fakeStructures) Structure(_ context.Context, id int64) (core.StructureRecord, error) {
	if r, ok := f.recs[id]; ok {
		return r, nil
	}
	return core.StructureRecord{}, &core.E{Kind: core.KindNotFound, Code: "store.not_found"}
}
func (f *fakeStructures) Save(_ context.Context, id int64, d core.StructureDraft, queue bool) (core.StructureRecord, core.SaveResult, error) {
	f.add("Save " + d.Identifier)
	rec := core.StructureRecord{ID: max(id, 1), Draft: d}
	if queue {
		rec.Sync.State = core.StateQueued
	}
	return rec, core.SaveResult{Created: id == 0, Queued: queue}, nil
}

// fakeWorkspace is the workspaceFlow of the accountant's workspace.
type fakeWorkspace struct {
	calls
	rows   []core.StructureSummary
	sheets []string // the workbook's usable sheets
}

func (f *fakeWorkspace) QueryStructures(_ context.Context, q core.StructureQuery) (core.StructureList, error) {
	var out []core.StructureSummary
	counts := map[core.StructureFilter]int{}
	for _, r := range f.rows {
		if q.Filter == "" || q.Filter.MatchesRow(r, q.Today) { // no filter: all, as the store reads it
			out = append(out, r)
		}
		for _, x := range core.ReformFilters {
			if x.MatchesRow(r, q.Today) {
				counts[x]++
			}
		}
	}
	counts[core.FilterAll] = len(f.rows)
	return core.StructureList{Rows: out, Counts: counts}, nil
}

// fakeReform is the reformFlow of the form's section and the workspace.
type fakeReform struct {
	calls
	names []string
	saved core.Reform
}

func (f *fakeReform) SaveReform(_ context.Context, id int64, r core.Reform) (core.Reform, core.Problems, error) {
	f.add("SaveReform " + strconv.FormatInt(id, 10) + " " + r.Platform)
	f.saved = r
	return r, nil, nil
}
func (f *fakeReform) MarkChecked(_ context.Context, ids []int64, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	f.add("MarkChecked " + idList(ids))
	return onboarding.BulkResult{Total: len(ids), Done: len(ids)}, nil
}
func (f *fakeReform) SetPlatform(_ context.Context, ids []int64, name string, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	f.add("SetPlatform " + idList(ids) + " " + name)
	return onboarding.BulkResult{Total: len(ids), Done: len(ids)}, nil
}
func (f *fakeReform) PlatformNames(context.Context) ([]string, error) { return f.names, nil }
func (f *fakeReform) DirectoryPage() string                           { return "http://127.0.0.1:1/annuaire" }
func (f *fakeWorkspace) bulk(name string, ids []int64, progress onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	f.add(name + " " + idList(ids))
	if progress != nil {
		progress(len(ids), len(ids))
	}
	return onboarding.BulkResult{Total: len(ids), Done: len(ids)}, nil
}
func (f *fakeWorkspace) QueueStructures(_ context.Context, ids []int64, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	return f.bulk("QueueStructures", ids, p)
}
func (f *fakeWorkspace) DraftStructures(_ context.Context, ids []int64, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	return f.bulk("DraftStructures", ids, p)
}
func (f *fakeWorkspace) DeleteStructures(_ context.Context, ids []int64, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	return f.bulk("DeleteStructures", ids, p)
}
func (f *fakeWorkspace) RevalidateStructures(_ context.Context, ids []int64, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	return f.bulk("RevalidateStructures", ids, p)
}
func (f *fakeWorkspace) PrefillStructures(_ context.Context, ids []int64, _ onboarding.ProgressFunc) (onboarding.PrefillResult, error) {
	f.add("PrefillStructures " + idList(ids))
	return onboarding.PrefillResult{}, nil
}
func (f *fakeWorkspace) AcceptDifferences(_ context.Context, diffs []onboarding.Difference, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	f.add("AcceptDifferences")
	return onboarding.BulkResult{Total: len(diffs), Done: len(diffs)}, nil
}
func (f *fakeWorkspace) ExportStructures(_ context.Context, out io.Writer, ids []int64, format string, _ csvio.WriterOptions,
	_ onboarding.ProgressFunc) (int, error) {
	f.add("ExportStructures " + format + " " + idList(ids))
	_, err := io.WriteString(out, "exported\n")
	return len(ids), err
}
func (f *fakeWorkspace) ImportCSV(context.Context, io.Reader, onboarding.ImportOptions) (*onboarding.ImportReport, error) {
	f.add("ImportCSV")
	return &onboarding.ImportReport{}, nil
}
func (f *fakeWorkspace) ImportXLSX(_ context.Context, _ io.Reader, sheet string, _ onboarding.ImportOptions) (*onboarding.ImportReport, error) {
	f.add("ImportXLSX " + sheet)
	return &onboarding.ImportReport{Sheet: sheet}, nil
}
func (f *fakeWorkspace) SheetsOf(io.Reader) ([]string, error) { return f.sheets, nil }

// fakeAttachments is the attachmentService of the attachment and approvals screens.
type fakeAttachments struct {
	calls
	lists onboarding.AttachmentLists
	found api.SearchResult
}

func (f *fakeAttachments) SearchStructure(_ context.Context, _ core.IdentifierType, id string) (api.SearchResult, error) {
	f.add("SearchStructure " + id)
	return f.found, nil
}
func (f *fakeAttachments) RequestAttachment(_ context.Context, _ core.IdentifierType, id string) (api.Attachment, error) {
	f.add("RequestAttachment " + id)
	return api.Attachment{ID: 9, Identifier: id, Status: api.AttachmentPending}, nil
}
func (f *fakeAttachments) Lists(context.Context) (onboarding.AttachmentLists, error) {
	return f.lists, nil
}
func (f *fakeAttachments) DecideAttachment(_ context.Context, id int64, approve bool) (api.Attachment, error) {
	f.add("DecideAttachment")
	return api.Attachment{ID: id, Status: api.AttachmentApproved}, nil
}
func (f *fakeAttachments) DecideAttachments(_ context.Context, reqs []api.Attachment, approve bool, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	ids := make([]int64, len(reqs))
	for i, r := range reqs {
		ids[i] = r.ID
	}
	verb := "refuse"
	if approve {
		verb = "approve"
	}
	f.add("DecideAttachments " + verb + " " + idList(ids))
	f.lists.Waiting = nil
	return onboarding.BulkResult{Total: len(reqs), Done: len(reqs)}, nil
}

// fakeHandoff is the handoffFlow of the guided hand-off.
type fakeHandoff struct {
	calls
	candidates []core.StructureRecord
}

func (f *fakeHandoff) HandoffCandidates(context.Context) ([]core.StructureRecord, error) {
	return f.candidates, nil
}
func (f *fakeHandoff) CheckOnChorus(context.Context, int64) (onboarding.ReadBack, error) {
	f.add("CheckOnChorus")
	return onboarding.ReadBack{PortalID: 42, State: core.StateCreated}, nil
}

// fakes are a whole application layer of fakes, on the Local sandbox.
type fakes struct {
	conn        *fakeConnection
	sync        *fakeSync
	accounts    *fakeAccounts
	structures  *fakeStructures
	workspace   *fakeWorkspace
	reform      *fakeReform
	attachments *fakeAttachments
	people      *fakePeople
	handoff     *fakeHandoff
}

func newFakes() *fakes {
	return &fakes{
		conn: &fakeConnection{eff: core.Effective{OfferSandbox: true},
			target: onboarding.Target{Env: core.EnvLocal, Portal: noPortal{}, Mailbox: true}},
		sync: &fakeSync{}, accounts: &fakeAccounts{}, structures: &fakeStructures{}, workspace: &fakeWorkspace{},
		reform: &fakeReform{}, attachments: &fakeAttachments{}, people: &fakePeople{}, handoff: &fakeHandoff{},
	}
}

// newFakeUI builds the window on f, in lang, everything run inline.
func newFakeUI(t *testing.T, lang string, f *fakes) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefLang, lang)
	w := test.NewTempWindow(t, nil)
	inline := func(g func()) { g() }
	clock := newTickClock()
	return New(a, w, Deps{Connection: f.conn, Sync: f.sync, Accounts: f.accounts, Structures: f.structures, Workspace: f.workspace,
		Reform: f.reform, Attachments: f.attachments, People: f.people, Handoff: f.handoff, Async: inline, Do: inline, Clock: clock.Now,
		After: func(time.Duration, func()) func() { return func() {} }})
}

// idList writes ids as "1,2,3".
func idList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// tinyPNG is a captcha image: its content does not matter to a fake.
func tinyPNG() []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 24, 8)))
	return b.Bytes()
}

// tapped taps b as a user does: only if it shows and is enabled.
func tapped(t *testing.T, b interface {
	fyne.Tappable
	fyne.Disableable
	fyne.CanvasObject
}) {
	t.Helper()
	if !b.Visible() || b.Disabled() {
		t.Fatalf("the button cannot be tapped (visible %v, disabled %v)", b.Visible(), b.Disabled())
	}
	b.Tapped(&fyne.PointEvent{})
}
