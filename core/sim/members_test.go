package sim

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// people returns "email=ROLE approve modify" of a structure's people,
// sorted, as c sees them.
func people(t *testing.T, c *portal.Onboarding, structure int64) []string {
	t.Helper()
	ms, err := c.People().Members(t.Context(), structure)
	if err != nil {
		t.Fatalf("members: %v", err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s=%s %v %v", m.Email, m.Role, m.MayApprove, m.MayModify))
	}
	slices.Sort(out)
	return out
}

// accountID finds a member's account id.
func accountID(t *testing.T, c *portal.Onboarding, structure int64, email string) int64 {
	t.Helper()
	ms, err := c.People().Members(t.Context(), structure)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Email == email {
			return m.AccountID
		}
	}
	t.Fatalf("%s is not a member", email)
	return 0
}

// team is a structure created by ana (its principal) with users attached:
// each asked, ana approved.
type team struct {
	sid   int64
	ana   *portal.Onboarding
	users map[string]*portal.Onboarding
	ids   map[string]int64
}

// newTeam onboards ana and the users, who ask to join; ana approves them.
func newTeam(t *testing.T, e *env, siret string, users ...string) *team {
	t.Helper()
	ctx := t.Context()
	tm := &team{ana: onboard(t, e, "ana@example.fr"), users: map[string]*portal.Onboarding{}, ids: map[string]int64{}}
	created, err := tm.ana.CreateStructure(ctx, "s-"+siret, structure(siret))
	if err != nil {
		t.Fatal(err)
	}
	tm.sid = created.ID
	for _, who := range users {
		tm.users[who] = onboard(t, e, who)
		if _, err := tm.users[who].RequestAttachment(ctx, "r-"+who, core.IDSIRET, siret); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := tm.ana.PendingAttachments(ctx)
	if err != nil || len(pending) != len(users) {
		t.Fatalf("pending %v %v", pending, err)
	}
	for _, p := range pending {
		if _, err := tm.ana.DecideAttachment(ctx, "", p.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	for _, who := range users {
		tm.ids[who] = accountID(t, tm.ana, tm.sid, who)
	}
	return tm
}

// grant sets a user's rights as the principal.
func (tm *team) grant(t *testing.T, who string, r api.Rights) {
	t.Helper()
	if _, err := tm.ana.People().SetRights(t.Context(), tm.sid, tm.ids[who], r); err != nil {
		t.Fatalf("rights of %s: %v", who, err)
	}
}

// TestRights: a new user has no right; a user without the right to
// approve gets 403 on approve and refuse, naming the right, and nothing
// changes; granted it, they see the queue and decide; the principal
// withdraws it again. A user cannot grant rights, hand the role over or
// detach anyone (403, nothing changed); the principal cannot be detached.
func TestRights(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	const siret = "73282932000074"
	tm := newTeam(t, e, siret, "bob@example.fr", "chloe@example.fr")
	bob, chloe := tm.users["bob@example.fr"], tm.users["chloe@example.fr"]
	want := []string{"ana@example.fr=GESTIONNAIRE_PRINCIPAL true true", "bob@example.fr=UTILISATEUR false false", "chloe@example.fr=UTILISATEUR false false"}
	if got := people(t, bob, tm.sid); !slices.Equal(got, want) {
		t.Fatalf("members as a user sees them: %v", got)
	}
	dan := onboard(t, e, "dan@example.fr")
	if _, err := dan.RequestAttachment(ctx, "r-dan", core.IDSIRET, siret); err != nil {
		t.Fatal(err)
	}
	req, err := tm.ana.PendingAttachments(ctx)
	if err != nil || len(req) != 1 {
		t.Fatalf("the queue: %v %v", req, err)
	}

	// Bob has no right: his queue is empty, his decisions refused.
	if q, _ := bob.PendingAttachments(ctx); len(q) != 0 {
		t.Fatalf("a user without the right sees %d requests", len(q))
	}
	for _, approve := range []bool{true, false} {
		_, err := bob.DecideAttachment(ctx, "", req[0].ID, approve)
		if core.KindOf(err) != core.KindForbidden || core.CodeOf(err) != api.CodeApproveRight {
			t.Fatalf("a user without the right decides (approve %v): %v", approve, err)
		}
	}
	// Nor may he grant rights, hand the role over, detach, or list the
	// invitations: each is the principal's.
	p := bob.People()
	if _, err := p.SetRights(ctx, tm.sid, tm.ids["chloe@example.fr"], api.Rights{MayApprove: true}); core.CodeOf(err) != api.CodePrincipalOnly {
		t.Errorf("a user grants a right: %v", err)
	}
	if _, err := p.SetRights(ctx, tm.sid, tm.ids["bob@example.fr"], api.Rights{MayApprove: true}); core.CodeOf(err) != api.CodePrincipalOnly {
		t.Errorf("a user grants himself a right: %v", err)
	}
	if _, err := p.OfferHandover(ctx, "", tm.sid, tm.ids["chloe@example.fr"]); core.CodeOf(err) != api.CodePrincipalOnly {
		t.Errorf("a user hands the role over: %v", err)
	}
	if _, err := p.Detach(ctx, "", tm.sid, tm.ids["chloe@example.fr"]); core.CodeOf(err) != api.CodePrincipalOnly {
		t.Errorf("a user detaches another: %v", err)
	}
	if _, err := p.Invitations(ctx, tm.sid); core.CodeOf(err) != api.CodePrincipalOnly {
		t.Errorf("a user lists the invitations: %v", err)
	}
	if err := p.Invite(ctx, "", tm.sid, "x@example.fr"); core.CodeOf(err) != api.CodeApproveRight {
		t.Errorf("a user without the right invites: %v", err)
	}
	// Someone of no structure is told nothing exists.
	if _, err := dan.People().Members(ctx, tm.sid); core.KindOf(err) != core.KindNotFound {
		t.Errorf("a stranger lists the members: %v", err)
	}
	if got := people(t, tm.ana, tm.sid); !slices.Equal(got, want) {
		t.Fatalf("after the refusals: %v", got)
	}
	if q, _ := tm.ana.PendingAttachments(ctx); len(q) != 1 || q[0].Status != api.AttachmentPending {
		t.Fatalf("the request after the refusals: %v", q)
	}

	// The principal grants Bob the right to approve: he sees the queue
	// and decides.
	tm.grant(t, "bob@example.fr", api.Rights{MayApprove: true})
	if q, _ := bob.PendingAttachments(ctx); len(q) != 1 {
		t.Fatalf("with the right, Bob sees %d requests", len(q))
	}
	if at, err := bob.DecideAttachment(ctx, "", req[0].ID, true); err != nil || at.Status != api.AttachmentApproved {
		t.Fatalf("with the right: %+v %v", at, err)
	}
	if err := p.Invite(ctx, "", tm.sid, "x@example.fr"); err != nil {
		t.Errorf("with the right, Bob invites: %v", err)
	}
	managed, err := tm.ana.People().Managed(ctx)
	if err != nil || len(managed) != 1 || managed[0].Approvers != 2 || managed[0].Role != api.RolePrincipal {
		t.Fatalf("managed: %+v %v", managed, err)
	}
	mine, err := chloe.People().Managed(ctx)
	if err != nil || len(mine) != 1 || mine[0].Role != api.RoleUser || mine[0].MayApprove || mine[0].Approvers != 2 {
		t.Fatalf("a user's structures: %+v %v", mine, err)
	}

	// Each right, granted then withdrawn.
	tm.grant(t, "chloe@example.fr", api.Rights{MayModify: true})
	tm.grant(t, "bob@example.fr", api.Rights{})
	want = []string{"ana@example.fr=GESTIONNAIRE_PRINCIPAL true true", "bob@example.fr=UTILISATEUR false false",
		"chloe@example.fr=UTILISATEUR false true", "dan@example.fr=UTILISATEUR false false"}
	if got := people(t, tm.ana, tm.sid); !slices.Equal(got, want) {
		t.Fatalf("after granting and withdrawing: %v", got)
	}
	if _, err := bob.DecideAttachment(ctx, "", req[0].ID, false); core.CodeOf(err) != api.CodeApproveRight {
		t.Fatalf("the right withdrawn, Bob decides: %v", err)
	}

	// The right to modify the structure: Chloé has it, Bob not.
	body := api.StructureBody(structure(siret))
	body.City = "Lyon"
	body.PostalCode = "69003"
	if _, err := bob.ModifyStructure(ctx, tm.sid, body); core.CodeOf(err) != api.CodeModifyRight {
		t.Fatalf("a user without the right modifies: %v", err)
	}
	st, err := chloe.ModifyStructure(ctx, tm.sid, body)
	if err != nil || st.Draft.City != "Lyon" {
		t.Fatalf("a user who may modify: %+v %v", st, err)
	}
	other := body
	other.Identifier = "44306184100047"
	if _, err := chloe.ModifyStructure(ctx, tm.sid, other); core.KindOf(err) != core.KindInvalid {
		t.Fatalf("an identifier changed: %v", err)
	}

	// The principal stays: neither detached nor leaving.
	anaID := accountID(t, tm.ana, tm.sid, "ana@example.fr")
	if _, err := tm.ana.People().Detach(ctx, "", tm.sid, anaID); core.CodeOf(err) != api.CodePrincipalStays {
		t.Errorf("the principal detached: %v", err)
	}
	if err := tm.ana.People().Leave(ctx, "", tm.sid); core.CodeOf(err) != api.CodePrincipalStays {
		t.Errorf("the principal leaves: %v", err)
	}
	// The principal detaches Dan, who is told.
	if _, err := tm.ana.People().Detach(ctx, "d-1", tm.sid, accountID(t, tm.ana, tm.sid, "dan@example.fr")); err != nil {
		t.Fatal(err)
	}
	if got := people(t, tm.ana, tm.sid); len(got) != 3 || slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "dan@") }) {
		t.Fatalf("after detaching Dan: %v", got)
	}
	if mails, _ := dan.Mailbox(ctx, "dan@example.fr"); len(mails) == 0 || !strings.Contains(mails[0].Subject, "plus rattaché") {
		t.Fatalf("Dan was not told: %+v", mails)
	}
}

// TestSecondaryManagerGone: the old promote, demote and transfer are
// answered with a coded error of their own (410), and change nothing.
func TestSecondaryManagerGone(t *testing.T) {
	e := start(t)
	tm := newTeam(t, e, "73282932000074", "bob@example.fr")
	s, err := tm.ana.SignIn(t.Context(), "ana@example.fr", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	before := people(t, tm.ana, tm.sid)
	for _, action := range []string{api.MemberPromote, api.MemberDemote, api.MemberTransfer} {
		path := strings.NewReplacer("{id}", fmt.Sprint(tm.sid), "{account}", fmt.Sprint(tm.ids["bob@example.fr"]), "{action}", action).Replace(api.PathMember)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.http.URL+path, nil)
		req.Header.Set(api.HeaderAuthorization, "Bearer "+s.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusGone || !strings.Contains(string(body), api.CodeSecondaryGone) {
			t.Errorf("%s: %d %s", action, res.StatusCode, body)
		}
	}
	if got := people(t, tm.ana, tm.sid); !slices.Equal(got, before) {
		t.Fatalf("after the old actions: %v, was %v", got, before)
	}
}

// TestHandover: the principal offers the role; nothing changes until the
// user accepts; declined, the principal keeps it; accepted, the user is
// principal and the old one a user with exactly both rights; both are
// told. An offer expires; only a user of the structure can be offered it.
func TestHandover(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	tm := newTeam(t, e, "73282932000074", "bob@example.fr", "chloe@example.fr")
	bob := tm.users["bob@example.fr"]
	pa := tm.ana.People()
	stranger := onboard(t, e, "zoe@example.fr")
	if _, err := pa.OfferHandover(ctx, "", tm.sid, accountID(t, tm.ana, tm.sid, "ana@example.fr")+100); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("an offer to someone not attached: %v", err)
	}
	_ = stranger

	// Offered, declined: nothing changed.
	ms, err := pa.OfferHandover(ctx, "h-1", tm.sid, tm.ids["bob@example.fr"])
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(ms, func(m api.Member) bool { return m.Email == "bob@example.fr" }); i < 0 || ms[i].HandoverUntil == 0 {
		t.Fatalf("the members do not show the offer: %+v", ms)
	}
	offers, err := bob.People().Handovers(ctx)
	if err != nil || len(offers) != 1 || offers[0].From != "ana@example.fr" || offers[0].StructureID != tm.sid {
		t.Fatalf("Bob's offers: %+v %v", offers, err)
	}
	if err := tm.users["chloe@example.fr"].People().AnswerHandover(ctx, "", tm.sid, true); core.CodeOf(err) != api.CodeHandoverGone {
		t.Fatalf("someone else accepts: %v", err)
	}
	if err := bob.People().AnswerHandover(ctx, "", tm.sid, false); err != nil {
		t.Fatal(err)
	}
	want := []string{"ana@example.fr=GESTIONNAIRE_PRINCIPAL true true", "bob@example.fr=UTILISATEUR false false", "chloe@example.fr=UTILISATEUR false false"}
	if got := people(t, tm.ana, tm.sid); !slices.Equal(got, want) {
		t.Fatalf("after the refusal: %v", got)
	}
	if err := bob.People().AnswerHandover(ctx, "", tm.sid, true); core.CodeOf(err) != api.CodeHandoverGone {
		t.Fatalf("a declined offer accepted: %v", err)
	}

	// Offered, expired: gone.
	if _, err := pa.OfferHandover(ctx, "h-2", tm.sid, tm.ids["bob@example.fr"]); err != nil {
		t.Fatal(err)
	}
	e.clock.add(HandoverTTL + time.Minute)
	for who, c := range map[string]*portal.Onboarding{"ana@example.fr": tm.ana, "bob@example.fr": bob} {
		if _, err := c.SignIn(ctx, who, goodPassword); err != nil { // a week later: the sessions ended
			t.Fatal(err)
		}
	}
	if err := bob.People().AnswerHandover(ctx, "", tm.sid, true); core.CodeOf(err) != api.CodeHandoverGone {
		t.Fatalf("an expired offer accepted: %v", err)
	}

	// Offered, accepted: Bob is principal; Ana a user with both rights.
	if _, err := pa.OfferHandover(ctx, "h-3", tm.sid, tm.ids["bob@example.fr"]); err != nil {
		t.Fatal(err)
	}
	if err := bob.People().AnswerHandover(ctx, "a-1", tm.sid, true); err != nil {
		t.Fatal(err)
	}
	want = []string{"ana@example.fr=UTILISATEUR true true", "bob@example.fr=GESTIONNAIRE_PRINCIPAL true true", "chloe@example.fr=UTILISATEUR false false"}
	if got := people(t, bob, tm.sid); !slices.Equal(got, want) {
		t.Fatalf("after the hand-over: %v", got)
	}
	for who, subject := range map[string]string{"bob@example.fr": "vous êtes gestionnaire principal", "ana@example.fr": "rôle de gestionnaire principal transmis"} {
		mails, err := bob.Mailbox(ctx, who)
		if err != nil || len(mails) == 0 || !strings.Contains(mails[0].Subject, subject) {
			t.Errorf("%s was not told: %+v %v", who, mails, err)
		}
	}
	// Ana, now a user, grants nothing; Bob does.
	if _, err := pa.SetRights(ctx, tm.sid, tm.ids["chloe@example.fr"], api.Rights{MayApprove: true}); core.CodeOf(err) != api.CodePrincipalOnly {
		t.Fatalf("the old principal grants: %v", err)
	}
	if err := tm.ana.People().Leave(ctx, "l-1", tm.sid); err != nil {
		t.Fatalf("the old principal, a user now, leaves: %v", err)
	}
}

// TestMailToAMemberIsBounded (issue 30): toggling a user's right in a
// loop mailed them once per change (1,002 mails for 1,000 promotions and
// demotions before). The first change is said at once; the others within
// NoticeWindow once, together, when it ends, with the rights then true.
func TestMailToAMemberIsBounded(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	tm := newTeam(t, e, "73282932000074", "bob@example.fr")
	count := func() int {
		var n int
		if err := e.srv.db.QueryRowContext(ctx, `SELECT count(*) FROM mail WHERE recipient = 'bob@example.fr'
			AND subject LIKE '%droits%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i := range 1000 {
		tm.grant(t, "bob@example.fr", api.Rights{MayApprove: i%2 == 0})
	}
	if n := count(); n != 1 {
		t.Fatalf("%d mails after 1,000 changes, want 1 at once", n)
	}
	if err := e.srv.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d mails before the window ends", n)
	}
	e.clock.add(NoticeWindow)
	if err := e.srv.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	mails, _ := tm.ana.Mailbox(ctx, "bob@example.fr")
	if n := count(); n != 2 || !strings.Contains(mails[0].Body, "valider les demandes de rattachement : non") {
		t.Fatalf("%d mails after the window; the last says %q", n, mails[0].Body)
	}
}

// TestInvitationRevealsNothing (issue 30): inviting an address with an
// account attached it at once and showed the name in the members; now the
// answer and the lists are the same whatever the address, and the person
// is attached only once they ask, when they are approved at once.
func TestInvitationRevealsNothing(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	const siret = "73282932000074"
	tm := newTeam(t, e, siret, "bob@example.fr")
	carl := onboard(t, e, "carl@example.fr")
	before := people(t, tm.ana, tm.sid)
	pa := tm.ana.People()
	if err := pa.Invite(ctx, "i-1", tm.sid, "carl@example.fr"); err != nil {
		t.Fatal(err)
	}
	if err := pa.Invite(ctx, "i-2", tm.sid, "nobody@example.fr"); err != nil {
		t.Fatal(err)
	}
	if got := people(t, tm.ana, tm.sid); !slices.Equal(got, before) {
		t.Fatalf("the members after inviting an account: %v", got)
	}
	inv, err := pa.Invitations(ctx, tm.sid)
	if err != nil || len(inv) != 2 {
		t.Fatalf("invitations %+v %v", inv, err)
	}
	for _, i := range inv {
		if i.InvitedBy != "ana@example.fr" || i.Expires <= i.Created {
			t.Fatalf("an invitation listed %+v", i)
		}
	}
	// Carl asks: approved at once; his invitation is used up.
	at, err := carl.RequestAttachment(ctx, "r-c", core.IDSIRET, siret)
	if err != nil || at.Status != api.AttachmentApproved {
		t.Fatalf("the invited account asks: %+v %v", at, err)
	}
	// The principal withdraws the other invitation: its address, asking,
	// waits like anyone.
	left, err := pa.WithdrawInvitation(ctx, tm.sid, "nobody@example.fr")
	if err != nil || len(left) != 0 {
		t.Fatalf("after the withdrawal: %+v %v", left, err)
	}
	nobody := onboard(t, e, "nobody@example.fr")
	if at, err := nobody.RequestAttachment(ctx, "r-n", core.IDSIRET, siret); err != nil || at.Status != api.AttachmentPending {
		t.Fatalf("a withdrawn invitation's address asks: %+v %v", at, err)
	}
}

// TestRemovedApproverInvitationsEnd (issue 30): an address invited by
// someone later removed was approved on arrival. Invitations end when
// their author loses the right to invite: withdrawn, or detached.
func TestRemovedApproverInvitationsEnd(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	const siret = "73282932000074"
	tm := newTeam(t, e, siret, "bob@example.fr", "chloe@example.fr")
	tm.grant(t, "bob@example.fr", api.Rights{MayApprove: true})
	tm.grant(t, "chloe@example.fr", api.Rights{MayApprove: true})
	if err := tm.users["bob@example.fr"].People().Invite(ctx, "", tm.sid, "eve@example.fr"); err != nil {
		t.Fatal(err)
	}
	if err := tm.users["chloe@example.fr"].People().Invite(ctx, "", tm.sid, "fred@example.fr"); err != nil {
		t.Fatal(err)
	}
	tm.grant(t, "bob@example.fr", api.Rights{})
	if _, err := tm.ana.People().Detach(ctx, "", tm.sid, tm.ids["chloe@example.fr"]); err != nil {
		t.Fatal(err)
	}
	if inv, err := tm.ana.People().Invitations(ctx, tm.sid); err != nil || len(inv) != 0 {
		t.Fatalf("invitations left: %+v %v", inv, err)
	}
	for _, who := range []string{"eve@example.fr", "fred@example.fr"} {
		at, err := onboard(t, e, who).RequestAttachment(ctx, "r-"+who, core.IDSIRET, siret)
		if err != nil || at.Status != api.AttachmentPending {
			t.Errorf("%s, invited by someone who lost the right, asks: %+v %v", who, at, err)
		}
	}
}

// TestNobodyPrincipalUnasked (issue 30): a stranger was attached by
// invitation and made principal of a structure they never asked for, with
// no way out. Now an invitation attaches no one, the role waits for the
// receiver's acceptance, and any user leaves when they wish.
func TestNobodyPrincipalUnasked(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	tm := newTeam(t, e, "73282932000074", "bob@example.fr")
	zoe := onboard(t, e, "zoe@example.fr")
	if err := tm.ana.People().Invite(ctx, "", tm.sid, "zoe@example.fr"); err != nil {
		t.Fatal(err)
	}
	if mine, _ := zoe.People().Managed(ctx); len(mine) != 0 {
		t.Fatalf("invited, Zoé is one of the people of %+v", mine)
	}
	if _, err := tm.ana.People().OfferHandover(ctx, "", tm.sid, accountID(t, tm.ana, tm.sid, "ana@example.fr")+3); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("the role offered to someone not attached: %v", err)
	}
	// Bob, offered the role, stays a user until he answers; he leaves.
	if _, err := tm.ana.People().OfferHandover(ctx, "", tm.sid, tm.ids["bob@example.fr"]); err != nil {
		t.Fatal(err)
	}
	if err := tm.users["bob@example.fr"].People().Leave(ctx, "", tm.sid); err != nil {
		t.Fatal(err)
	}
	want := []string{"ana@example.fr=GESTIONNAIRE_PRINCIPAL true true"}
	if got := people(t, tm.ana, tm.sid); !slices.Equal(got, want) {
		t.Fatalf("after Bob left: %v", got)
	}
	if offers, _ := tm.users["bob@example.fr"].People().Handovers(ctx); len(offers) != 0 {
		t.Fatalf("an offer outlives Bob's leaving: %+v", offers)
	}
}

// TestRolesMigration: a store from before the roles' change (testdata,
// written by the version that had secondary managers: Bob secondary of
// one structure, Dan of another and user of the first, Chloé a user, Eve
// waiting) opens with each secondary manager a user who keeps both rights,
// the audit counting them, and nothing else changed.
func TestRolesMigration(t *testing.T) {
	dir := testos.TempDir(t)
	dump, err := os.ReadFile(filepath.Join("testdata", "roles-before-0007.sql"))
	if err != nil {
		t.Fatal(err)
	}
	orig, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	if _, err := orig.ExecContext(t.Context(), string(dump)); err != nil {
		t.Fatalf("loading the sample: %v", err)
	}
	read := func(db *sql.DB, q string) []string {
		t.Helper()
		rows, err := db.QueryContext(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	const (
		qManagers    = `SELECT a.email || '=' || m.role FROM manager m JOIN account a ON a.id = m.account_id ORDER BY 1`
		qAttachments = `SELECT s.identifier || ' ' || a.email || ' ' || t.status || ' ' || t.may_approve || t.may_modify
			FROM attachment t JOIN account a ON a.id = t.account_id JOIN structure s ON s.id = t.structure_id ORDER BY 1`
		qAccounts   = `SELECT email || ' ' || password_hash || ' ' || active FROM account ORDER BY 1`
		qStructures = `SELECT identifier || ' ' || company_name || ' ' || city FROM structure ORDER BY 1`
	)
	var version int
	if err := orig.QueryRowContext(t.Context(), "PRAGMA user_version").Scan(&version); err != nil || version != 6 {
		t.Fatalf("the sample is at migration %d (%v), want 6", version, err)
	}
	accounts, structures := read(orig, qAccounts), read(orig, qStructures)
	orig.Close()
	if len(accounts) != 5 || len(structures) != 2 {
		t.Fatalf("the sample: %v %v", accounts, structures)
	}

	srv, err := New(t.Context(), Config{DataDir: dir, Sandbox: true, PasswordIterations: 1000, SecondFactorOff: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	db := srv.db.SQLite().Reader()
	if got, want := read(db, qManagers), []string{"ana@example.fr=GESTIONNAIRE_PRINCIPAL", "ana@example.fr=GESTIONNAIRE_PRINCIPAL"}; !slices.Equal(got, want) {
		t.Errorf("managers %v", got)
	}
	want := []string{
		"44306184100047 dan@example.fr VALIDEE 11",
		"73282932000074 bob@example.fr VALIDEE 11",
		"73282932000074 chloe@example.fr VALIDEE 00",
		"73282932000074 dan@example.fr VALIDEE 00",
		"73282932000074 eve@example.fr EN_COURS_DE_VALIDATION 00",
	}
	if got := read(db, qAttachments); !slices.Equal(got, want) {
		t.Errorf("attachments\n%q\nwant\n%q", got, want)
	}
	if got := read(db, `SELECT subject || ' / ' || after FROM audit WHERE action = 'roles.secondary_to_user'`); len(got) != 1 ||
		!strings.HasPrefix(got[0], "2 secondary manager(s)") {
		t.Errorf("the audit says %v", got)
	}
	if got := read(db, qAccounts); !slices.Equal(got, accounts) {
		t.Errorf("accounts changed: %v", got)
	}
	if got := read(db, qStructures); !slices.Equal(got, structures) {
		t.Errorf("structures changed: %v", got)
	}
}
