package onboarding

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/xlsxio"
)

// The firm's shared workspace on the desktop: the firm's server (a team
// portal, independent of the environment structures are sent to) shares
// its clients with every member; this desktop keeps a copy in its store,
// works offline on it, sends its changes when online (FirmStore queues
// them in the transaction of each change) and applies the colleagues' as
// they arrive, merging field by field.

// FirmKeyring is the keyring's part of the firm's session.
const FirmKeyring = core.FirmKeyring

// SessionSecret names the keyring entry of a member's session on the
// firm's server (in FirmKeyring): one per member, so that two desktops of
// one user on one computer (a demonstration, a second firm) keep theirs.
func SessionSecret(email string) string {
	return core.SecretFirmSession + ":" + strings.ToLower(strings.TrimSpace(email))
}

// FirmAuth is the firm's server's sign-in: the portal's, with its second
// factor.
type FirmAuth interface {
	SignInWith(ctx context.Context, req api.SignIn) (api.Session, *api.SecondFactorChallenge, error)
	AnswerSecondFactor(ctx context.Context, req api.SecondFactor) (api.Session, error)
	SetSession(token string)
}

// FirmAPI is the firm's workspace on its server (core/portal.Firm). A
// write refused for a newer version returns an error that carries it
// (FirmCurrent).
type FirmAPI interface {
	Get(ctx context.Context) (api.Firm, error)
	Join(ctx context.Context, key string) (api.Firm, error)
	Leave(ctx context.Context, key string) error
	Members(ctx context.Context) ([]api.FirmMember, error)
	SetRole(ctx context.Context, account int64, role string) ([]api.FirmMember, error)
	Remove(ctx context.Context, account int64) ([]api.FirmMember, error)
	Invite(ctx context.Context, key, email, role string) error
	Invitations(ctx context.Context) ([]api.FirmInvitation, error)
	WithdrawInvitation(ctx context.Context, email string) ([]api.FirmInvitation, error)
	Feed(ctx context.Context, cursor int64, limit, wait int) (api.FeedPage, error)
	Create(ctx context.Context, key string, w api.FirmWrite) (api.FirmClient, error)
	Update(ctx context.Context, key string, id int64, w api.FirmWrite) (api.FirmClient, error)
	Delete(ctx context.Context, key string, id, revision int64) (api.FirmClient, error)
	Claim(ctx context.Context, key string, id int64) (api.FirmClient, error)
	Restore(ctx context.Context, key string, id int64) (api.FirmClient, error)
	Deleted(ctx context.Context, before int64, limit int) ([]api.FirmDeleted, error)
	Assign(ctx context.Context, key string, clients []int64, account int64) error
	History(ctx context.Context, id int64) ([]api.FirmAuditEntry, error)
	Audit(ctx context.Context, after int64, limit int) ([]api.FirmAuditEntry, error)
}

// FirmConn is a firm's server as the desktop reaches it: one session for
// its sign-in and its workspace.
type FirmConn struct {
	Auth FirmAuth
	API  FirmAPI
}

// firmCurrent is an error carrying the firm's current version of a
// client (core/portal.Stale).
type firmCurrent interface{ FirmCurrent() api.FirmClient }

// currentOf returns the firm's version an error carries.
func currentOf(err error) (api.FirmClient, bool) {
	var c firmCurrent
	if errors.As(err, &c) {
		return c.FirmCurrent(), true
	}
	return api.FirmClient{}, false
}

// FirmConfig is what the firm's service is built from.
type FirmConfig struct {
	Store core.FirmStore
	// Connect reaches the firm's server at url.
	Connect func(url string) FirmConn
	// Secrets keeps the firm's session (FirmKeyring).
	Secrets core.Secrets
	NewOpID func() string
	// Dir is where the changes the firm did not accept are saved when the
	// desktop leaves (the data directory).
	Dir string
	// Device names this computer in the firm's history.
	Device string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Firm is the desktop's side of the firm's shared workspace: joining,
// keeping in step, leaving, conflicts, history, and the claim of a
// submission.
type Firm struct {
	cfg FirmConfig

	// pushing serializes the sending of changes (the watch's loop, a
	// sync asked for), so that no change is sent twice at once.
	pushing sync.Mutex

	mu    sync.Mutex
	conn  *FirmConn // the link's server, signed in; nil when none
	url   string
	email string // the member signed in
	// status is what the last exchange said.
	status FirmStatus
}

// FirmStatus is how the desktop stands with its firm.
type FirmStatus struct {
	Link core.FirmLink
	// Online is set when the last exchange with the server went through;
	// SignedOut when the server asked for a sign-in.
	Online, SignedOut bool
	// Pending counts the changes waiting to be sent; Conflicts the fields
	// waiting for the user to keep one value.
	Pending, Conflicts int
	// Removed is set when the firm removed this member: the firm's
	// clients are gone from this desktop; Saved names the file where the
	// changes it had not accepted were saved.
	Removed bool
	Saved   string
	// Err is the last exchange's failure.
	Err error
}

// NewFirm returns the firm's service.
func NewFirm(cfg FirmConfig) *Firm {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Firm{cfg: cfg}
}

// Link returns the firm the desktop is in.
func (f *Firm) Link(ctx context.Context) (core.FirmLink, error) { return f.cfg.Store.FirmLink(ctx) }

// SignIn signs in on the firm's server at url with the member's account; a
// second factor asked for comes back as a challenge (SecondFactor
// answers it). The session is kept in the keyring, never on disk.
func (f *Firm) SignIn(ctx context.Context, url, email, password string) (*api.SecondFactorChallenge, error) {
	url = strings.TrimRight(strings.TrimSpace(url), "/")
	if url == "" {
		return nil, &core.E{Kind: core.KindInvalid, Code: "firm.no_url", Op: "sign in to the firm"}
	}
	c := f.cfg.Connect(url)
	s, ch, err := c.Auth.SignInWith(ctx, api.SignIn{Email: strings.TrimSpace(email), Password: password})
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.conn, f.url, f.email = &c, url, strings.TrimSpace(email)
	f.mu.Unlock()
	if ch != nil {
		return ch, nil
	}
	return nil, f.keep(ctx, url, c, s.Token)
}

// SecondFactor answers the sign-in's challenge with a code (or a
// recovery code).
func (f *Firm) SecondFactor(ctx context.Context, challenge, code string) error {
	f.mu.Lock()
	c, url := f.conn, f.url
	f.mu.Unlock()
	if c == nil {
		return &core.E{Kind: core.KindInvalid, Code: "firm.no_url", Op: "sign in to the firm"}
	}
	s, err := c.Auth.AnswerSecondFactor(ctx, api.SecondFactor{Challenge: challenge, Code: strings.TrimSpace(code)})
	if err != nil {
		return err
	}
	return f.keep(ctx, url, *c, s.Token)
}

// keep sets and keeps the session.
func (f *Firm) keep(ctx context.Context, url string, c FirmConn, token string) error {
	c.Auth.SetSession(token)
	f.mu.Lock()
	f.status.SignedOut = false
	email := f.email
	f.mu.Unlock()
	return f.cfg.Secrets.Set(ctx, SessionSecret(email), url+"\n"+token)
}

// connected returns the link's server, signed in with the kept session.
func (f *Firm) connected(ctx context.Context) (FirmConn, core.FirmLink, error) {
	l, err := f.cfg.Store.FirmLink(ctx)
	if err != nil {
		return FirmConn{}, l, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	url := l.URL
	if url == "" {
		url = f.url // signed in, not joined yet
	}
	if url == "" {
		return FirmConn{}, l, &core.E{Kind: core.KindNotFound, Code: api.CodeFirmNone, Op: "reach the firm"}
	}
	if f.conn != nil && f.url == url {
		return *f.conn, l, nil
	}
	email := l.Email
	if email == "" {
		email = f.email
	}
	kept, err := f.cfg.Secrets.Get(ctx, SessionSecret(email))
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return FirmConn{}, l, err
	}
	c := f.cfg.Connect(url)
	if u, token, ok := strings.Cut(kept, "\n"); ok && u == url {
		c.Auth.SetSession(token)
	}
	f.conn, f.url, f.email = &c, url, email
	return c, l, nil
}

// JoinResult is what joining did.
type JoinResult struct {
	Firm    api.Firm
	Applied core.FirmApplied
}

// Join enters the firm the signed-in member belongs to (accepting its
// invitation first when they are not a member yet), then reads every
// client they may see, progress told page by page; cancelled, it resumes
// from where it stopped at the next Join or Sync. With bring, the
// structures already here become the firm's; else they stay this
// desktop's own (a client the firm has, by identifier, is merged anyway:
// one structure per identifier).
func (f *Firm) Join(ctx context.Context, bring bool, progress ProgressFunc) (JoinResult, error) {
	c, l, err := f.connected(ctx)
	if err != nil {
		return JoinResult{}, err
	}
	var out JoinResult
	if l.IsZero() {
		firm, err := c.API.Get(ctx)
		if core.CodeOf(err) == api.CodeFirmNone {
			firm, err = c.API.Join(ctx, f.cfg.NewOpID())
		}
		if err != nil {
			return out, err
		}
		out.Firm = firm
		f.mu.Lock()
		url := f.url
		f.mu.Unlock()
		if err := f.cfg.Store.StartFirm(ctx, core.FirmLink{URL: url, Email: firm.Email, Name: firm.Name, Role: firm.Role, AccountID: firm.AccountID}, bring); err != nil {
			return out, err
		}
	} else {
		out.Firm = api.Firm{Name: l.Name, Role: l.Role, AccountID: l.AccountID, Email: l.Email}
	}
	applied, err := f.pull(ctx, c, 0, progress)
	out.Applied = applied
	f.reached(err)
	return out, err
}

// reached records whether the last exchange with the server went through
// (an error that is the server's answer, not the network's, counts as
// reached).
func (f *Firm) reached(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case err == nil:
		f.status.Online = true
	case core.KindOf(err) == core.KindUnavailable || errors.Is(err, context.DeadlineExceeded):
		f.status.Online = false
	}
}

// pageSize is how many changes one feed request reads.
const pageSize = 500

// pull applies the feed's pages until it is read (wait: seconds the first
// request waits for a change when none is there), saving what the firm
// removed with changes not sent.
func (f *Firm) pull(ctx context.Context, c FirmConn, wait int, progress ProgressFunc) (core.FirmApplied, error) {
	var total core.FirmApplied
	done := 0
	for {
		l, err := f.cfg.Store.FirmLink(ctx)
		if err != nil {
			return total, err
		}
		page, err := c.API.Feed(ctx, l.Cursor, pageSize, wait)
		if e := core.AsE(err); e != nil && e.Status == 410 {
			// The feed forgot changes since our cursor: read every client
			// again (they merge with what is here, as at the join).
			page, err = c.API.Feed(ctx, 0, pageSize, 0)
		}
		if err != nil {
			return total, f.lost(ctx, err)
		}
		wait = 0
		var changes []core.FirmVersion
		var gone []int64
		for _, e := range page.Entries {
			if e.Client != nil {
				changes = append(changes, versionOf(*e.Client))
			} else if e.Gone != 0 {
				gone = append(gone, e.Gone)
			}
		}
		applied, err := f.cfg.Store.ApplyFirm(ctx, changes, gone, page.Cursor, !page.More)
		if err != nil {
			return total, err
		}
		if len(applied.Dropped) > 0 {
			if _, err := f.save(applied.Dropped, "firm-removed"); err != nil {
				return total, err
			}
		}
		total = addApplied(total, applied)
		done += len(page.Entries)
		if progress != nil {
			progress(done, done+pageSize*boolInt(page.More))
		}
		if !page.More {
			return total, nil
		}
	}
}

// addApplied adds two counts (the changes dropped are saved already).
func addApplied(a, b core.FirmApplied) core.FirmApplied {
	return core.FirmApplied{Added: a.Added + b.Added, Changed: a.Changed + b.Changed, Removed: a.Removed + b.Removed,
		Merged: a.Merged + b.Merged, Conflicts: a.Conflicts + b.Conflicts}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// versionOf reads a client of the wire.
func versionOf(c api.FirmClient) core.FirmVersion {
	return core.FirmVersion{ClientID: c.ID, Revision: c.Revision, Fields: core.ClientFields(c.Fields).With(nil),
		InCharge: c.InCharge, InChargeEmail: c.InChargeEmail, ClaimedBy: c.ClaimedBy, UpdatedBy: c.UpdatedBy,
		UpdatedAt: time.UnixMilli(c.UpdatedAt)}
}

// lost handles a refusal that says the member is no longer in the firm:
// the firm's clients leave the desktop, what it had not accepted saved
// first. Other errors are returned as they are.
func (f *Firm) lost(ctx context.Context, err error) error {
	if core.CodeOf(err) != api.CodeFirmNone {
		if core.KindOf(err) == core.KindUnauthorized {
			f.mu.Lock()
			f.status.SignedOut = true
			f.mu.Unlock()
		}
		return err
	}
	l, lerr := f.cfg.Store.FirmLink(ctx)
	if lerr != nil || l.IsZero() || !l.Joined {
		return err
	}
	path, serr := f.leaveHere(ctx, "firm-removed")
	if serr != nil {
		return serr
	}
	f.mu.Lock()
	f.status.Removed, f.status.Saved = true, path
	f.mu.Unlock()
	return err
}

// Sync sends the changes waiting, then applies the firm's: one round,
// without waiting for a change.
func (f *Firm) Sync(ctx context.Context) (FirmRound, error) {
	return f.round(ctx, 0)
}

// FirmRound is what one exchange with the firm did.
type FirmRound struct {
	Sent    int
	Applied core.FirmApplied
}

// round pushes then pulls (waiting up to wait seconds for a change).
func (f *Firm) round(ctx context.Context, wait int) (FirmRound, error) {
	var out FirmRound
	c, l, err := f.connected(ctx)
	if err != nil || l.IsZero() {
		return out, err
	}
	if !l.Joined {
		if out.Applied, err = f.pull(ctx, c, 0, nil); err != nil {
			return out, err
		}
	}
	var merged core.FirmApplied
	if out.Sent, err = f.push(ctx, c, &merged); err != nil {
		return out, err
	}
	applied, err := f.pull(ctx, c, wait, nil)
	out.Applied = addApplied(addApplied(out.Applied, merged), applied)
	f.reached(err)
	return out, err
}

// push sends the changes due; a refused one (the firm has a newer
// version) is merged with it (counted in merged) and sent again in the
// next pass.
func (f *Firm) push(ctx context.Context, c FirmConn, merged *core.FirmApplied) (int, error) {
	f.pushing.Lock()
	defer f.pushing.Unlock()
	sent := 0
	for range 100 { // bounded: each pass reads up to pageSize
		ps, err := f.cfg.Store.FirmPending(ctx, f.cfg.Now(), pageSize)
		if err != nil || len(ps) == 0 {
			return sent, err
		}
		progressed := false
		for _, p := range ps {
			ok, err := f.send(ctx, c, p, merged)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
				progressed = true
			}
		}
		if !progressed {
			return sent, nil
		}
	}
	return sent, nil
}

// send sends one change; it reports whether the firm took it (or the
// desktop took the firm's newer version to merge with).
func (f *Firm) send(ctx context.Context, c FirmConn, p core.FirmPush, merged *core.FirmApplied) (bool, error) {
	var got api.FirmClient
	var err error
	switch {
	case p.Delete:
		got, err = c.API.Delete(ctx, p.Key, p.ClientID, p.Revision)
	case p.ClientID == 0:
		got, err = c.API.Create(ctx, p.Key, api.FirmWrite{Fields: p.Local, Device: f.cfg.Device})
	default:
		diff := p.Base.Diff(p.Local)
		if len(diff) == 0 {
			// Nothing differs from the firm's version (a change undone,
			// a change from the firm itself): done.
			return true, f.cfg.Store.FirmAccepted(ctx, p, core.FirmVersion{})
		}
		got, err = c.API.Update(ctx, p.Key, p.ClientID, api.FirmWrite{BaseRevision: p.Revision, Fields: diff, Device: f.cfg.Device})
	}
	if cur, ok := currentOf(err); ok {
		// The firm has a newer version, or the client already: merge with
		// it; what differs still is sent at the next pass.
		if p.Delete {
			// A colleague changed it since: deleting it would lose
			// their change, so it comes back here instead.
			_, aerr := f.cfg.Store.ApplyFirm(ctx, []core.FirmVersion{versionOf(cur)}, nil, f.cursor(ctx), false)
			if aerr != nil {
				return false, aerr
			}
			return true, f.cfg.Store.FirmAccepted(ctx, p, core.FirmVersion{})
		}
		a, aerr := f.cfg.Store.ApplyFirm(ctx, []core.FirmVersion{versionOf(cur)}, nil, f.cursor(ctx), false)
		*merged = addApplied(*merged, a)
		return true, aerr
	}
	if err != nil {
		if core.CodeOf(err) == api.CodeFirmNone || core.KindOf(err) == core.KindUnauthorized {
			return false, f.lost(ctx, err)
		}
		if core.Retryable(err) {
			return false, err // the whole round stops: offline, or the server busy
		}
		// Refused for good (a value the server does not take): kept, and
		// tried again later, the user told by the status.
		next := f.cfg.Now().Add(time.Duration(min(p.Attempts+1, 12)) * 5 * time.Minute)
		return false, f.cfg.Store.FirmRetry(ctx, p, next, core.CodeOf(err))
	}
	return true, f.cfg.Store.FirmAccepted(ctx, p, versionOf(got))
}

// cursor returns the feed's cursor (a merge outside the feed keeps it).
func (f *Firm) cursor(ctx context.Context) int64 {
	l, _ := f.cfg.Store.FirmLink(ctx)
	return l.Cursor
}

// Watch keeps the desktop in step until ctx ends: changes made here are
// sent within a tenth of a second, the colleagues' applied as they commit (the
// feed waits for them), report told after each exchange. Offline, it
// tries again with a growing pause.
func (f *Firm) Watch(ctx context.Context, report func(FirmStatus)) {
	pause := time.Second
	for ctx.Err() == nil {
		l, err := f.cfg.Store.FirmLink(ctx)
		if err != nil || l.IsZero() {
			if !sleep(ctx, 2*time.Second) {
				return
			}
			continue
		}
		// The feed waits for a colleague's change; changes here are sent
		// by a second loop meanwhile (pushLoop).
		pctx, stop := context.WithCancel(ctx)
		go f.pushLoop(pctx)
		if c, l, cerr := f.connected(ctx); cerr != nil {
			err = cerr
		} else if !l.IsZero() {
			_, err = f.pull(ctx, c, 20, nil)
		}
		stop()
		f.reached(err)
		st := f.Status(ctx)
		st.Err = err
		if report != nil {
			report(st)
		}
		if err == nil {
			pause = time.Second
			continue
		}
		if !sleep(ctx, pause+time.Duration(rand.Int64N(int64(pause)))) {
			return
		}
		pause = min(2*pause, time.Minute)
	}
}

// pushLoop sends the changes made here every tenth of a second until ctx
// ends (a look at an index when none waits).
func (f *Firm) pushLoop(ctx context.Context) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if c, l, err := f.connected(ctx); err == nil && l.Joined {
				_, _ = f.push(ctx, c, &core.FirmApplied{})
			}
		}
	}
}

// sleep waits d unless ctx ends first (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Status says how the desktop stands with its firm, read now.
func (f *Firm) Status(ctx context.Context) FirmStatus {
	f.mu.Lock()
	st := f.status
	f.mu.Unlock()
	st.Link, st.Err = f.cfg.Store.FirmLink(ctx)
	if unsent, err := f.cfg.Store.FirmUnsent(ctx); err == nil {
		st.Pending = len(unsent)
	}
	if cs, err := f.cfg.Store.FirmConflicts(ctx, 0, 100000); err == nil {
		st.Conflicts = len(cs)
	}
	return st
}

// Leave takes the member out of the firm: the changes the firm did not
// accept are saved to a file (its path returned) and the firm's clients
// removed from this desktop; the server is told when it answers (a
// member removed already is out anyway).
func (f *Firm) Leave(ctx context.Context) (string, error) {
	c, l, err := f.connected(ctx)
	if err != nil {
		return "", err
	}
	if l.IsZero() {
		return "", nil
	}
	if err := c.API.Leave(ctx, f.cfg.NewOpID()); err != nil && core.CodeOf(err) != api.CodeFirmNone && !core.Retryable(err) {
		return "", err // the last admin: name another first
	}
	return f.leaveHere(ctx, "firm-unsent")
}

// leaveHere saves the changes not accepted and removes the firm's clients.
func (f *Firm) leaveHere(ctx context.Context, prefix string) (string, error) {
	unsent, err := f.cfg.Store.FirmUnsent(ctx)
	if err != nil {
		return "", err
	}
	path := ""
	if len(unsent) > 0 {
		if path, err = f.save(unsent, prefix); err != nil {
			return "", err
		}
	}
	if err := f.cfg.Store.LeaveFirm(ctx); err != nil {
		return path, err
	}
	f.mu.Lock()
	email := f.email
	f.conn, f.url, f.email = nil, "", ""
	f.mu.Unlock()
	_ = f.cfg.Secrets.Delete(ctx, SessionSecret(email))
	return path, nil
}

// save writes changes to a CSV file of the data directory (";", UTF-8 with
// a byte order mark, every cell guarded for spreadsheets), one line per
// client with every field, and returns its path.
func (f *Firm) save(changes []core.FirmPush, prefix string) (string, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Comma = ';'
	_ = w.Write(append([]string{"action"}, core.ClientFieldNames...))
	for _, p := range changes {
		fields, action := p.Local, "change"
		if p.Delete {
			fields, action = p.Base, "delete"
		}
		row := []string{action}
		for _, k := range core.ClientFieldNames {
			row = append(row, csvio.Guard(fields[k]))
		}
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return "", err
	}
	path := filepath.Join(f.cfg.Dir, fmt.Sprintf("%s-%s.csv", prefix, f.cfg.Now().Format("20060102-150405")))
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		return "", fmt.Errorf("save the changes not sent to the firm: %w", err)
	}
	return path, nil
}

// Claim claims the submission of a structure to the portal for this
// member, if it is one of the firm's clients: the first member to claim
// sends it; another is refused with who did (KindConflict, code
// api.CodeFirmClaimed, parameter "by"). A structure of no firm, or one
// the firm does not have yet, needs no claim.
func (f *Firm) Claim(ctx context.Context, structureID int64) error {
	v, ok, err := f.cfg.Store.FirmClient(ctx, structureID)
	if err != nil || !ok || v.ClientID == 0 {
		return err
	}
	c, _, err := f.connected(ctx)
	if err != nil {
		return err
	}
	_, err = c.API.Claim(ctx, f.cfg.NewOpID(), v.ClientID)
	if cur, ok := currentOf(err); ok {
		// What the firm has of the client (who claimed it among it) is
		// taken here now: the claimer's state is the one that counts.
		if _, aerr := f.cfg.Store.ApplyFirm(ctx, []core.FirmVersion{versionOf(cur)}, nil, f.cursor(ctx), false); aerr != nil {
			return aerr
		}
		return &core.E{Kind: core.KindConflict, Code: api.CodeFirmClaimed, Op: "claim the submission", Err: err,
			Params: map[string]string{"by": cur.ClaimedBy}}
	}
	return err
}

// History returns what the firm recorded of a structure's changes, newest
// first.
func (f *Firm) History(ctx context.Context, structureID int64) ([]api.FirmAuditEntry, error) {
	v, ok, err := f.cfg.Store.FirmClient(ctx, structureID)
	if err != nil {
		return nil, err
	}
	if !ok || v.ClientID == 0 {
		return nil, nil // the firm does not have it (yet): no history there
	}
	c, _, err := f.connected(ctx)
	if err != nil {
		return nil, err
	}
	return c.API.History(ctx, v.ClientID)
}

// Conflicts returns the fields in conflict of a structure (0: all).
func (f *Firm) Conflicts(ctx context.Context, structureID int64) ([]core.FieldConflict, error) {
	return f.cfg.Store.FirmConflicts(ctx, structureID, 10000)
}

// Resolve keeps, for each field in conflict of a structure, the value
// chosen (mine or theirs); the choice is sent to the firm, and reaches the
// colleagues' desktops from there.
func (f *Firm) Resolve(ctx context.Context, structureID int64, keep core.ClientFields) error {
	return f.cfg.Store.ResolveFirmConflicts(ctx, structureID, keep)
}

// FirmAdmin is what the firm's admin does from the desktop: the members
// and their roles, invitations, who is in charge of which client, and the
// audit's export. Any member reads the members (the screens show who is
// in charge). The server checks the role of every call.
type FirmAdmin struct{ f *Firm }

// NewFirmAdmin returns the admin's service on the firm's.
func NewFirmAdmin(f *Firm) *FirmAdmin { return &FirmAdmin{f: f} }

// api returns the firm's API, signed in.
func (a *FirmAdmin) api(ctx context.Context) (FirmAPI, error) {
	c, _, err := a.f.connected(ctx)
	return c.API, err
}

// Members lists the firm's members.
func (a *FirmAdmin) Members(ctx context.Context) ([]api.FirmMember, error) {
	p, err := a.api(ctx)
	if err != nil {
		return nil, err
	}
	return p.Members(ctx)
}

// SetRole changes a member's role.
func (a *FirmAdmin) SetRole(ctx context.Context, account int64, role string) ([]api.FirmMember, error) {
	p, err := a.api(ctx)
	if err != nil {
		return nil, err
	}
	return p.SetRole(ctx, account, role)
}

// RemoveMember removes a member from the firm.
func (a *FirmAdmin) RemoveMember(ctx context.Context, account int64) ([]api.FirmMember, error) {
	p, err := a.api(ctx)
	if err != nil {
		return nil, err
	}
	return p.Remove(ctx, account)
}

// Invite invites an address into the firm with a role.
func (a *FirmAdmin) Invite(ctx context.Context, email, role string) error {
	p, err := a.api(ctx)
	if err != nil {
		return err
	}
	return p.Invite(ctx, a.f.cfg.NewOpID(), email, role)
}

// Invitations lists the invitations waiting.
func (a *FirmAdmin) Invitations(ctx context.Context) ([]api.FirmInvitation, error) {
	p, err := a.api(ctx)
	if err != nil {
		return nil, err
	}
	return p.Invitations(ctx)
}

// WithdrawInvitation withdraws an invitation.
func (a *FirmAdmin) WithdrawInvitation(ctx context.Context, email string) ([]api.FirmInvitation, error) {
	p, err := a.api(ctx)
	if err != nil {
		return nil, err
	}
	return p.WithdrawInvitation(ctx, email)
}

// Assign puts structures of the firm in a member's charge (account 0:
// nobody's); the ones the firm does not have yet are left out and
// counted. The change comes back through the feed.
func (a *FirmAdmin) Assign(ctx context.Context, structureIDs []int64, account int64) (skipped int, err error) {
	ids, err := a.f.cfg.Store.FirmClientIDs(ctx, structureIDs)
	if err != nil {
		return 0, err
	}
	clients := make([]int64, 0, len(ids))
	for _, id := range structureIDs {
		if c, ok := ids[id]; ok {
			clients = append(clients, c)
		}
	}
	skipped = len(structureIDs) - len(clients)
	if len(clients) == 0 {
		return skipped, nil
	}
	p, err := a.api(ctx)
	if err != nil {
		return skipped, err
	}
	for len(clients) > 0 {
		n := min(len(clients), 5000)
		if err := p.Assign(ctx, a.f.cfg.NewOpID(), clients[:n], account); err != nil {
			return skipped, err
		}
		clients = clients[n:]
	}
	_, err = a.f.Sync(ctx)
	return skipped, err
}

// Deleted lists the firm's deleted clients, the most recently deleted
// first (the newest 1,000), each with who deleted it and when, for the
// admin to restore one.
func (a *FirmAdmin) Deleted(ctx context.Context) ([]api.FirmDeleted, error) {
	p, err := a.api(ctx)
	if err != nil {
		return nil, err
	}
	return p.Deleted(ctx, 0, 1000)
}

// Restore brings a deleted client back for every member; this desktop
// reads it at once. A client whose identifier the firm has given to
// another since stays deleted (api.CodeFirmExists).
func (a *FirmAdmin) Restore(ctx context.Context, clientID int64) error {
	p, err := a.api(ctx)
	if err != nil {
		return err
	}
	if _, err := p.Restore(ctx, a.f.cfg.NewOpID(), clientID); err != nil {
		return err
	}
	_, err = a.f.Sync(ctx)
	return err
}

// Audit calls fn for each entry of the firm's audit, oldest first (the
// admin's export writes them to a file).
func (a *FirmAdmin) Audit(ctx context.Context, fn func(api.FirmAuditEntry) error) error {
	p, err := a.api(ctx)
	if err != nil {
		return err
	}
	var after int64
	for {
		page, err := p.Audit(ctx, after, 1000)
		if err != nil {
			return err
		}
		for _, e := range page {
			if err := fn(e); err != nil {
				return err
			}
			after = e.ID
		}
		if len(page) < 1000 {
			return nil
		}
	}
}

// ExportAudit writes the firm's audit to w, as CSV (";", UTF-8 with a
// byte order mark, every cell guarded for spreadsheets) or as an Excel
// workbook (format "xlsx", every cell text, never a formula); it returns
// how many entries it wrote. The entries are written as their pages
// arrive, so a firm's whole audit is never held in memory at once.
func (a *FirmAdmin) ExportAudit(ctx context.Context, w io.Writer, format string) (int, error) {
	header := []string{"entry", "client", "revision", "at_utc", "by", "computer", "action", "field", "old", "new"}
	row := func(e api.FirmAuditEntry) []string {
		return []string{strconv.FormatInt(e.ID, 10), strconv.FormatInt(e.ClientID, 10), strconv.FormatInt(e.Revision, 10),
			time.UnixMilli(e.At).UTC().Format(time.DateTime), e.By, e.Device, e.Action, e.Field, e.Old, e.New}
	}
	n := 0
	if format == "xlsx" {
		xw, err := xlsxio.NewWriter(w, header)
		if err != nil {
			return 0, err
		}
		if err := a.Audit(ctx, func(e api.FirmAuditEntry) error { n++; return xw.WriteRow(row(e)) }); err != nil {
			xw.Abort()
			return n, err
		}
		return n, xw.Close()
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	cw.Comma = ';'
	_ = cw.Write(header)
	err := a.Audit(ctx, func(e api.FirmAuditEntry) error {
		n++
		cells := row(e)
		for i := range cells {
			cells[i] = csvio.Guard(cells[i])
		}
		return cw.Write(cells)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}
