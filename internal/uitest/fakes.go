package uitest

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/piste"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
)

// Fakes of the application layer's services, as each screen sees them: in
// memory, no SQLite, no HTTP, each recording what the screen asked (its
// Calls). A screen test built on them runs in milliseconds and checks the
// screen alone; the end-to-end tests (New) check the real stack behind it.

// NoPortal stands for a portal the screens must never call themselves:
// any call panics.
type NoPortal struct{ onboarding.Portal }

// FakeConnection is the connectionService: settings, and the target every screen reads (environment, portal, mailbox).
type FakeConnection struct {
	Calls
	Current   core.Settings
	Eff       core.Effective
	Where     onboarding.Target
	HealthErr error
	SaveErr   error
}

func (f *FakeConnection) Settings() core.Settings { return f.Current }

func (f *FakeConnection) Effective() core.Effective { return f.Eff }

func (f *FakeConnection) Target() onboarding.Target { return f.Where }

func (f *FakeConnection) Health(ctx context.Context) error { return f.HealthErr }

func (f *FakeConnection) SaveSettings(_ context.Context, s core.Settings) error {
	f.Add("SaveSettings " + string(s.Environment))
	if f.SaveErr == nil {
		f.Current = s
	}
	return f.SaveErr
}

func (f *FakeConnection) SaveSecrets(_ context.Context, env core.Environment, secrets map[string]string) error {
	f.Add("SaveSecrets " + string(env))
	return nil
}

func (f *FakeConnection) KeepSecretsForSession(context.Context, map[string]string) error {
	f.Add("KeepSecretsForSession")
	return nil
}

// FakeSync is the syncService of the sync panel and the status bar.
type FakeSync struct {
	Calls
	Rows      []core.StructureRecord
	ByState   map[core.SyncState]int
	Pending   int
	Elsewhere int
}

func (f *FakeSync) Unsettled(context.Context) ([]core.StructureRecord, error) {
	return f.Rows, nil
}

func (f *FakeSync) RetryNow(context.Context) (onboarding.Progress, error) {
	f.Add("RetryNow")
	return onboarding.Progress{Sent: len(f.Rows)}, nil
}

func (f *FakeSync) Discard(_ context.Context, id int64) error {
	f.Add("Discard")
	for i, r := range f.Rows {
		if r.ID == id {
			f.Rows = append(f.Rows[:i], f.Rows[i+1:]...)
			break
		}
	}
	return nil
}

func (f *FakeSync) Counts(context.Context) (map[core.SyncState]int, int, error) {
	return f.ByState, f.Pending, nil
}

func (f *FakeSync) PendingElsewhere(context.Context) (int, error) { return f.Elsewhere, nil }

// FakeAccounts is the accountService of the wizard's account, captcha,
// activation, sign-in and second-factor screens, and of the settings'
// trusted computers. challenge, when set, is what a right password gets;
// finishErr what the second factor gets.
type FakeAccounts struct {
	Calls
	Rec        core.AccountRecord
	SubmitErr  error
	Challenge  *api.SecondFactorChallenge
	Enrolment  api.Enrolment
	Recovery   []string
	FinishErr  error
	DeviceList []api.Device
	This       int64
}

func (f *FakeAccounts) SaveAccount(_ context.Context, id int64, d core.AccountDraft) (core.AccountRecord, error) {
	f.Add("SaveAccount " + d.LoginEmail)
	f.Rec.ID, f.Rec.Draft = 7, d
	return f.Rec, nil
}

func (f *FakeAccounts) Account(context.Context, int64) (core.AccountRecord, error) { return f.Rec, nil }

func (f *FakeAccounts) QueueAccount(context.Context, int64) error {
	f.Add("QueueAccount")
	return nil
}

func (f *FakeAccounts) Captcha(context.Context) (api.Captcha, error) {
	f.Add("Captcha")
	return api.Captcha{ID: "c1", PNG: TinyPNG(), Length: 5, ExpiresIn: 120}, nil
}

func (f *FakeAccounts) CaptchaCode(context.Context, string, string) error {
	f.Add("CaptchaCode")
	return nil
}

func (f *FakeAccounts) SubmitAccount(_ context.Context, _ int64, challenge, answer string) error {
	f.Add("SubmitAccount " + challenge + " " + answer)
	return f.SubmitErr
}

func (f *FakeAccounts) Mailbox(context.Context, string) ([]api.Mail, error) { return nil, nil }

func (f *FakeAccounts) Activate(context.Context, string, string, string) (*api.SecondFactorChallenge, error) {
	f.Add("Activate")
	return f.Challenge, nil
}

func (f *FakeAccounts) ResendActivation(context.Context, string, string, string) error {
	f.Add("ResendActivation")
	return nil
}

func (f *FakeAccounts) StartSignIn(_ context.Context, email, _ string) (*api.SecondFactorChallenge, error) {
	f.Add("SignIn " + email)
	return f.Challenge, nil
}

func (f *FakeAccounts) Enrol(_ context.Context, _, method string) (api.Enrolment, error) {
	f.Add("Enrol " + method)
	return f.Enrolment, nil
}

func (f *FakeAccounts) FinishSignIn(_ context.Context, _ string, req api.SecondFactor) ([]string, error) {
	f.Add(fmt.Sprintf("FinishSignIn code=%s recovery=%s trust=%v", req.Code, req.RecoveryCode, req.TrustDevice))
	return f.Recovery, f.FinishErr
}

func (f *FakeAccounts) Devices(context.Context) ([]api.Device, error) { return f.DeviceList, nil }

func (f *FakeAccounts) RevokeDevice(_ context.Context, id int64) error {
	f.Add(fmt.Sprintf("RevokeDevice %d", id))
	for i, d := range f.DeviceList {
		if d.ID == id {
			f.DeviceList = append(f.DeviceList[:i], f.DeviceList[i+1:]...)
			break
		}
	}
	return nil
}

func (f *FakeAccounts) ThisDevice(context.Context) int64 { return f.This }

func (f *FakeAccounts) ChangePassword(_ context.Context, email, current, next string) error {
	f.Add("ChangePassword " + email)
	if current != "Tr0ub4dor&3x-Lune" {
		return &core.E{Kind: core.KindUnauthorized, Code: api.CodeBadCredentials, Status: 401}
	}
	f.DeviceList = nil
	return nil
}

// FakePeople is the peopleFlow of the Requests screen's people tab: the
// user's structures, their members and invitations, changed as the portal
// would; Offers are the offers of the role made to the user.
type FakePeople struct {
	Calls
	ManagedList []api.Managed
	MemberLists map[int64][]api.Member
	Offers      []api.Handover
	Invited     map[int64][]api.PendingInvitation
}

func (f *FakePeople) Managed(context.Context) ([]api.Managed, error) { return f.ManagedList, nil }

func (f *FakePeople) Members(_ context.Context, id int64) ([]api.Member, error) {
	f.Add(fmt.Sprintf("Members %d", id))
	return f.MemberLists[id], nil
}

// member applies change to the member account of structure id.
func (f *FakePeople) member(id, account int64, change func(*api.Member)) []api.Member {
	ms := f.MemberLists[id]
	for i := range ms {
		if ms[i].AccountID == account {
			change(&ms[i])
		}
	}
	return ms
}

func (f *FakePeople) SetRights(_ context.Context, id, account int64, r api.Rights) ([]api.Member, error) {
	f.Add(fmt.Sprintf("SetRights %d %d %v %v", id, account, r.MayApprove, r.MayModify))
	return f.member(id, account, func(m *api.Member) { m.Rights = r }), nil
}

func (f *FakePeople) Detach(_ context.Context, id, account int64) ([]api.Member, error) {
	f.Add(fmt.Sprintf("Detach %d %d", id, account))
	ms := f.MemberLists[id]
	for i := range ms {
		if ms[i].AccountID == account {
			f.MemberLists[id] = append(ms[:i:i], ms[i+1:]...)
			break
		}
	}
	return f.MemberLists[id], nil
}

func (f *FakePeople) Leave(_ context.Context, id int64) error {
	f.Add(fmt.Sprintf("Leave %d", id))
	for i, m := range f.ManagedList {
		if m.StructureID == id {
			f.ManagedList = append(f.ManagedList[:i:i], f.ManagedList[i+1:]...)
			break
		}
	}
	return nil
}

func (f *FakePeople) OfferHandover(_ context.Context, id, account int64) ([]api.Member, error) {
	f.Add(fmt.Sprintf("OfferHandover %d %d", id, account))
	return f.member(id, account, func(m *api.Member) { m.HandoverUntil = 1_796_000_000 }), nil
}

func (f *FakePeople) WithdrawHandover(_ context.Context, id int64) ([]api.Member, error) {
	f.Add(fmt.Sprintf("WithdrawHandover %d", id))
	for i := range f.MemberLists[id] {
		f.MemberLists[id][i].HandoverUntil = 0
	}
	return f.MemberLists[id], nil
}

func (f *FakePeople) Handovers(context.Context) ([]api.Handover, error) { return f.Offers, nil }

func (f *FakePeople) AnswerHandover(_ context.Context, id int64, accept bool) error {
	f.Add(fmt.Sprintf("AnswerHandover %d %v", id, accept))
	f.Offers = nil
	return nil
}

func (f *FakePeople) Invite(_ context.Context, id int64, email string) error {
	f.Add(fmt.Sprintf("Invite %d %s", id, email))
	return nil
}

func (f *FakePeople) Invitations(_ context.Context, id int64) ([]api.PendingInvitation, error) {
	return f.Invited[id], nil
}

func (f *FakePeople) WithdrawInvitation(_ context.Context, id int64, email string) ([]api.PendingInvitation, error) {
	f.Add(fmt.Sprintf("WithdrawInvitation %d %s", id, email))
	inv := f.Invited[id]
	for i := range inv {
		if inv[i].Email == email {
			f.Invited[id] = append(inv[:i:i], inv[i+1:]...)
			break
		}
	}
	return f.Invited[id], nil
}

// FakeStructures is the structureService of the structure form and editor.
type FakeStructures struct {
	Calls
	Found     onboarding.Lookup
	SubmitErr error
	Recs      map[int64]core.StructureRecord
}

func (f *FakeStructures) Lookup(_ context.Context, siret string) onboarding.Lookup {
	f.Add("Lookup " + siret)
	return f.Found
}

func (f *FakeStructures) Submit(_ context.Context, d core.StructureDraft) (core.StructureRecord, error) {
	f.Add("Submit " + d.Identifier + " " + d.CompanyName)
	if f.SubmitErr != nil {
		return core.StructureRecord{}, f.SubmitErr
	}
	return core.StructureRecord{ID: 1, Draft: d, Sync: core.Sync{State: core.StateCreated, PortalID: "42"}}, nil
}

func (f *FakeStructures) Structure(_ context.Context, id int64) (core.StructureRecord, error) {
	if r, ok := f.Recs[id]; ok {
		return r, nil
	}
	return core.StructureRecord{}, &core.E{Kind: core.KindNotFound, Code: "store.not_found"}
}

func (f *FakeStructures) Save(_ context.Context, id int64, d core.StructureDraft, queue bool) (core.StructureRecord, core.SaveResult, error) {
	f.Add("Save " + d.Identifier)
	rec := core.StructureRecord{ID: max(id, 1), Draft: d}
	if queue {
		rec.Sync.State = core.StateQueued
	}
	return rec, core.SaveResult{Created: id == 0, Queued: queue}, nil
}

// FakeWorkspace is the workspaceFlow of the accountant's workspace.
type FakeWorkspace struct {
	Calls
	Rows   []core.StructureSummary
	Sheets []string // the workbook's usable sheets
}

func (f *FakeWorkspace) QueryStructures(_ context.Context, q core.StructureQuery) (core.StructureList, error) {
	var out []core.StructureSummary
	counts := map[core.StructureFilter]int{}
	for _, r := range f.Rows {
		if q.Filter == "" || q.Filter.MatchesRow(r, q.Today) { // no filter: all, as the store reads it
			out = append(out, r)
		}
		for _, x := range core.ReformFilters {
			if x.MatchesRow(r, q.Today) {
				counts[x]++
			}
		}
	}
	counts[core.FilterAll] = len(f.Rows)
	return core.StructureList{Rows: out, Counts: counts}, nil
}

// FakeReform is the reformFlow of the form's section and the workspace.
type FakeReform struct {
	Calls
	Names []string
	Saved core.Reform
}

func (f *FakeReform) SaveReform(_ context.Context, id int64, r core.Reform) (core.Reform, core.Problems, error) {
	f.Add("SaveReform " + strconv.FormatInt(id, 10) + " " + r.Platform)
	f.Saved = r
	return r, nil, nil
}

func (f *FakeReform) MarkChecked(_ context.Context, ids []int64, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	f.Add("MarkChecked " + IDList(ids))
	return onboarding.BulkResult{Total: len(ids), Done: len(ids)}, nil
}

func (f *FakeReform) SetPlatform(_ context.Context, ids []int64, name string, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	f.Add("SetPlatform " + IDList(ids) + " " + name)
	return onboarding.BulkResult{Total: len(ids), Done: len(ids)}, nil
}

func (f *FakeReform) PlatformNames(context.Context) ([]string, error) { return f.Names, nil }

func (f *FakeReform) DirectoryPage() string { return "http://127.0.0.1:1/annuaire" }

func (f *FakeWorkspace) bulk(name string, ids []int64, progress onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	f.Add(name + " " + IDList(ids))
	if progress != nil {
		progress(len(ids), len(ids))
	}
	return onboarding.BulkResult{Total: len(ids), Done: len(ids)}, nil
}

func (f *FakeWorkspace) QueueStructures(_ context.Context, ids []int64, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	return f.bulk("QueueStructures", ids, p)
}

func (f *FakeWorkspace) DraftStructures(_ context.Context, ids []int64, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	return f.bulk("DraftStructures", ids, p)
}

func (f *FakeWorkspace) DeleteStructures(_ context.Context, ids []int64, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	return f.bulk("DeleteStructures", ids, p)
}

func (f *FakeWorkspace) RevalidateStructures(_ context.Context, ids []int64, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	return f.bulk("RevalidateStructures", ids, p)
}

func (f *FakeWorkspace) PrefillStructures(_ context.Context, ids []int64, _ onboarding.ProgressFunc) (onboarding.PrefillResult, error) {
	f.Add("PrefillStructures " + IDList(ids))
	return onboarding.PrefillResult{}, nil
}

func (f *FakeWorkspace) AcceptDifferences(_ context.Context, diffs []onboarding.Difference, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	f.Add("AcceptDifferences")
	return onboarding.BulkResult{Total: len(diffs), Done: len(diffs)}, nil
}

func (f *FakeWorkspace) ExportStructures(_ context.Context, out io.Writer, ids []int64, format string, _ csvio.WriterOptions,
	_ onboarding.ProgressFunc) (int, error) {
	f.Add("ExportStructures " + format + " " + IDList(ids))
	_, err := io.WriteString(out, "exported\n")
	return len(ids), err
}

func (f *FakeWorkspace) ImportCSV(context.Context, io.Reader, onboarding.ImportOptions) (*onboarding.ImportReport, error) {
	f.Add("ImportCSV")
	return &onboarding.ImportReport{}, nil
}

func (f *FakeWorkspace) ImportXLSX(_ context.Context, _ io.Reader, sheet string, _ onboarding.ImportOptions) (*onboarding.ImportReport, error) {
	f.Add("ImportXLSX " + sheet)
	return &onboarding.ImportReport{Sheet: sheet}, nil
}

func (f *FakeWorkspace) SheetsOf(io.Reader) ([]string, error) { return f.Sheets, nil }

// FakeAttachments is the attachmentService of the attachment and approvals screens.
type FakeAttachments struct {
	Calls
	AttLists onboarding.AttachmentLists
	Found    api.SearchResult
}

func (f *FakeAttachments) SearchStructure(_ context.Context, _ core.IdentifierType, id string) (api.SearchResult, error) {
	f.Add("SearchStructure " + id)
	return f.Found, nil
}

func (f *FakeAttachments) RequestAttachment(_ context.Context, _ core.IdentifierType, id string) (api.Attachment, error) {
	f.Add("RequestAttachment " + id)
	return api.Attachment{ID: 9, Identifier: id, Status: api.AttachmentPending}, nil
}

func (f *FakeAttachments) Lists(context.Context) (onboarding.AttachmentLists, error) {
	return f.AttLists, nil
}

func (f *FakeAttachments) DecideAttachment(_ context.Context, id int64, approve bool) (api.Attachment, error) {
	f.Add("DecideAttachment")
	return api.Attachment{ID: id, Status: api.AttachmentApproved}, nil
}

func (f *FakeAttachments) DecideAttachments(_ context.Context, reqs []api.Attachment, approve bool, p onboarding.ProgressFunc) (onboarding.BulkResult, error) {
	ids := make([]int64, len(reqs))
	for i, r := range reqs {
		ids[i] = r.ID
	}
	verb := "refuse"
	if approve {
		verb = "approve"
	}
	f.Add("DecideAttachments " + verb + " " + IDList(ids))
	f.AttLists.Waiting = nil
	return onboarding.BulkResult{Total: len(reqs), Done: len(reqs)}, nil
}

// FakeHandoff is the handoffFlow of the guided hand-off.
type FakeHandoff struct {
	Calls
	Candidates []core.StructureRecord
}

func (f *FakeHandoff) HandoffCandidates(context.Context) ([]core.StructureRecord, error) {
	return f.Candidates, nil
}

func (f *FakeHandoff) CheckOnChorus(context.Context, int64) (onboarding.ReadBack, error) {
	f.Add("CheckOnChorus")
	return onboarding.ReadBack{PortalID: 42, State: core.StateCreated}, nil
}

// Fakes are a whole application layer of Fakes, on the Local sandbox.
type Fakes struct {
	Conn        *FakeConnection
	Sync        *FakeSync
	Accounts    *FakeAccounts
	Structures  *FakeStructures
	Workspace   *FakeWorkspace
	Reform      *FakeReform
	Attachments *FakeAttachments
	People      *FakePeople
	Handoff     *FakeHandoff
}

// NewFakes returns a whole application layer of fakes, on the Local
// sandbox, whose portal no screen may call itself.
func NewFakes() *Fakes {
	return &Fakes{
		Conn: &FakeConnection{Eff: core.Effective{OfferSandbox: true},
			Where: onboarding.Target{Env: core.EnvLocal, Portal: NoPortal{}, Mailbox: true}},
		Sync: &FakeSync{}, Accounts: &FakeAccounts{}, Structures: &FakeStructures{}, Workspace: &FakeWorkspace{},
		Reform: &FakeReform{}, Attachments: &FakeAttachments{}, People: &FakePeople{}, Handoff: &FakeHandoff{},
	}
}

// IDList writes ids as "1,2,3".
func IDList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// FakeShell builds a window and its shell on f's connection and counts,
// in lang, every piece of work run inline; the test registers the area's
// screens on it.
func FakeShell(t testing.TB, lang string, f *Fakes) *shell.Shell {
	t.Helper()
	a := test.NewTempApp(t)
	a.Preferences().SetString(shell.PrefLang, lang)
	w := test.NewTempWindow(t, nil)
	inline := func(g func()) { g() }
	clock := NewTickClock()
	return shell.New(a, w, shell.Deps{Connection: f.Conn, Counts: f.Sync, Async: inline, Do: inline, Clock: clock.Now,
		After: func(time.Duration, func()) func() { return func() {} }})
}

// FakeChorus is Chorus Pro's API (PISTE) as a test sets it: Find answers
// the look-ups (none found when nil), Rattachements and Expiry the
// technical account's attachments and password expiry; Config is the
// configuration the application layer built the client with.
type FakeChorus struct {
	Find         func(core.IdentifierType, string) (piste.StructureAAfficher, error)
	Rattachement []piste.StructureRattachement
	Expiry       string
	Config       onboarding.ChorusConfig
}

// New returns the fake as the application layer's NewChorus does,
// recording the configuration.
func (f *FakeChorus) New(cfg onboarding.ChorusConfig) onboarding.Chorus {
	f.Config = cfg
	return f
}

// FindStructure answers with Find.
func (f *FakeChorus) FindStructure(_ context.Context, t core.IdentifierType, id string) (piste.StructureAAfficher, error) {
	if f.Find == nil {
		return piste.StructureAAfficher{}, &core.E{Kind: core.KindNotFound, Code: "piste.not_found"}
	}
	return f.Find(t, id)
}

// Consulter gives the technical account's password expiry.
func (f *FakeChorus) Consulter(context.Context, int64, string) (piste.WsRetourConsulterStructure, error) {
	return piste.WsRetourConsulterStructure{InformationGenerales: &piste.InformationsGeneralesStructure{DateExpirationMotPasseCompteTech: f.Expiry}}, nil
}

// Rattachements gives the technical account's attachments.
func (f *FakeChorus) Rattachements(context.Context) ([]piste.StructureRattachement, error) {
	return f.Rattachement, nil
}
