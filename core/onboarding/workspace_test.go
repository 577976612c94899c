package onboarding_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/sim"
)

// save stores drafts as the form does and returns their ids.
func save(t *testing.T, f *fixture, drafts ...core.StructureDraft) []int64 {
	t.Helper()
	var ids []int64
	for _, d := range drafts {
		rec, _, err := f.svc.Structures.Save(t.Context(), 0, d, false)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	return ids
}

// TestBulkQueueDraftDelete: queue the valid ones and say why the others
// were skipped; the worker sends them; back to draft and delete leave
// whatever the portal knows.
func TestBulkQueueDraftDelete(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ss := coretest.SIRETs(6)
	bad := draft(ss[3])
	bad.PostalCode = "7500"
	ids := save(t, f, draft(ss[0]), draft(ss[1]), draft(ss[2]), bad)
	queued, _, err := f.svc.Structures.Save(ctx, 0, draft(ss[4]), true)
	if err != nil {
		t.Fatal(err)
	}
	created := save(t, f, draft(ss[5]))[0]
	if err := f.store.Structures.SetSync(ctx, created, core.Sync{State: core.StateCreated, PortalID: "9"}); err != nil {
		t.Fatal(err)
	}
	all := append(ids, queued.ID, created)
	var reports [][2]int
	res, err := f.svc.Workspace.QueueStructures(ctx, all, func(done, total int) { reports = append(reports, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{onboarding.SkipInvalid: 1, onboarding.SkipQueued: 1, onboarding.SkipOnPortal: 1}
	if res.Done != 3 || res.Total != 6 || fmt.Sprint(res.Skipped) != fmt.Sprint(want) || fmt.Sprint(reports) != "[[6 6]]" {
		t.Fatalf("queue: %+v, progress %v", res, reports)
	}
	if n := res.Notes[0]; n.ID != ids[3] || n.Field != core.FieldPostalCode || n.Reason != onboarding.SkipInvalid ||
		!strings.Contains(n.Label, bad.CompanyName) {
		t.Fatalf("first note %+v", n)
	}
	// The worker sends what was queued.
	f.signedIn(t, "comptable@example.fr")
	if _, err := f.svc.Sync.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.Workspace.QueryStructures(ctx, core.StructureQuery{Filter: core.FilterOnPortal})
	if err != nil || list.Counts[core.FilterOnPortal] != 5 || list.Counts[core.FilterErrors] != 1 {
		t.Fatalf("after sending: %v %v", list.Counts, err)
	}
	// Back to draft: nothing is queued any more; the portal's ones stay.
	res, err = f.svc.Workspace.DraftStructures(ctx, all, nil)
	if err != nil || res.Done != 0 || res.Skipped[onboarding.SkipNotQueued] != 6 {
		t.Fatalf("back to draft: %+v %v", res, err)
	}
	// Delete: only the draft the portal never saw.
	res, err = f.svc.Workspace.DeleteStructures(ctx, all, nil)
	if err != nil || res.Done != 1 || res.Skipped[onboarding.SkipNotDraft] != 5 {
		t.Fatalf("delete: %+v %v", res, err)
	}
	if _, err := f.svc.Structures.Structure(ctx, ids[3]); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("the draft is still there: %v", err)
	}
}

// TestBulkQueueOnChorusPro: Chorus Pro's own environments have no API to
// queue for; the action says so instead of queueing for nobody.
func TestBulkQueueOnChorusPro(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ids := save(t, f, draft(coretest.SIRETs(1)[0]))
	if err := f.svc.Connection.SaveSettings(ctx, core.Settings{Environment: core.EnvQualification}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Workspace.QueueStructures(ctx, ids, nil); core.CodeOf(err) != "bulk.handoff" {
		t.Fatalf("queue on Chorus Pro: %v", err)
	}
}

// TestRevalidate: problems recorded under older rules are replaced; values
// and states stay.
func TestRevalidate(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	bad := draft(coretest.SIRETs(2)[1])
	bad.City = ""
	ids := save(t, f, draft(coretest.SIRETs(1)[0]), bad)
	// As if an older build had found nothing wrong with it: the
	// problems of a draft that has none.
	rec, _ := f.store.Structures.Structure(ctx, ids[1])
	if _, err := f.store.Workspace.SetProblems(ctx, []core.ProblemsUpdate{{ID: ids[1], Updated: rec.Updated,
		Checked: core.CheckStructure(draft(coretest.SIRETs(1)[0]))}}); err != nil {
		t.Fatal(err)
	}
	if l, _ := f.svc.Workspace.QueryStructures(ctx, core.StructureQuery{}); l.Counts[core.FilterErrors] != 0 {
		t.Fatalf("set-up: %v", l.Counts)
	}
	res, err := f.svc.Workspace.RevalidateStructures(ctx, ids, nil)
	if err != nil || res.Done != 2 || res.WithErrors != 1 {
		t.Fatalf("revalidate: %+v %v", res, err)
	}
	after, _ := f.store.Structures.Structure(ctx, ids[1])
	if !after.Updated.Equal(rec.Updated) || after.Draft.City != "" || after.Problems.ForField(core.FieldCity) == nil {
		t.Fatalf("after: %+v", after)
	}
}

// prefillFixture is a store whose SIRETs the simulator's registry knows.
func prefillFixture(t *testing.T, n int) (*fixture, []sim.Company) {
	t.Helper()
	companies := sim.SyntheticCompanies(coretest.SIRETs(n))
	f := newFixture(t, func(c *sim.Config) { c.Companies = companies })
	return f, companies
}

// TestPrefill fills empty fields, lists disagreements for a person to
// decide, leaves what it cannot look up with why, keeps a queued row
// queued, and takes the registry's values when accepted.
func TestPrefill(t *testing.T) {
	f, cs := prefillFixture(t, 4)
	ctx := t.Context()
	empty := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: cs[0].SIRET, Kind: core.KindPrivate}
	typo := draft(cs[1].SIRET)
	typo.CompanyName, typo.City, typo.PostalCode = cs[1].Name, "Ailleurs", cs[1].PostalCode
	same := draft(cs[2].SIRET)
	same.CompanyName, same.Address, same.City, same.PostalCode = strings.ToLower(cs[2].Name),
		cs[2].Number+", "+strings.ToLower(cs[2].StreetType+" "+cs[2].Street), cs[2].City, cs[2].PostalCode
	other := draft("FR-ASSOC-1")
	other.IdentifierType = core.IDOther
	unknown := draft("35600000049837")
	ids := save(t, f, empty, typo, other, unknown)
	queued, _, err := f.svc.Structures.Save(ctx, 0, same, true)
	if err != nil {
		t.Fatal(err)
	}
	ids = append(ids, queued.ID)
	var last [2]int
	res, err := f.svc.Workspace.PrefillStructures(ctx, ids, func(done, total int) { last = [2]int{done, total} })
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 3 || res.Filled != 1 || last != [2]int{5, 5} ||
		fmt.Sprint(res.Skipped) != fmt.Sprint(map[string]int{onboarding.SkipNotSIRET: 1, onboarding.SkipUnknown: 1}) {
		t.Fatalf("pre-fill: %+v, progress %v", res, last)
	}
	filled, _ := f.svc.Structures.Structure(ctx, ids[0])
	want := cs[0]
	if d := filled.Draft; d.CompanyName != want.Name || d.City != want.City || d.PostalCode != want.PostalCode ||
		d.Address != want.Number+" "+want.StreetType+" "+want.Street {
		t.Fatalf("filled: %+v, registry %+v", d, want)
	}
	// The registry's category is kept, as the registry's.
	if filled.Reform.Category != core.CompanyCategory(want.Category) || filled.Reform.CategorySource != core.CategoryFromRegistry {
		t.Fatalf("category %q from %q, registry %q", filled.Reform.Category, filled.Reform.CategorySource, want.Category)
	}
	// The typed city differs: listed, not changed.
	if len(res.Differences) != 1 || res.Differences[0].ID != ids[1] {
		t.Fatalf("differences: %+v", res.Differences)
	}
	diff := res.Differences[0]
	if got := fmt.Sprint(diff.Fields); !strings.Contains(got, "{city Ailleurs "+cs[1].City+"}") {
		t.Fatalf("fields %s", got)
	}
	if r, _ := f.svc.Structures.Structure(ctx, ids[1]); r.Draft.City != "Ailleurs" {
		t.Fatalf("a disagreement was written: %q", r.Draft.City)
	}
	if r, _ := f.svc.Structures.Structure(ctx, queued.ID); r.Sync.State != core.StateQueued || r.Draft.CompanyName != same.CompanyName {
		t.Fatalf("the queued row: %s %q", r.Sync.State, r.Draft.CompanyName)
	}
	// Accepted: the registry's values, unless the row changed since.
	stale := diff
	stale.ID = ids[0]
	res2, err := f.svc.Workspace.AcceptDifferences(ctx, []onboarding.Difference{diff, stale}, nil)
	if err != nil || res2.Done != 1 || res2.Skipped[onboarding.SkipChanged] != 1 {
		t.Fatalf("accept: %+v %v", res2, err)
	}
	if r, _ := f.svc.Structures.Structure(ctx, ids[1]); r.Draft.City != cs[1].City {
		t.Fatalf("accepted city %q", r.Draft.City)
	}
}

// TestPrefillCancelled: a pre-fill cancelled halfway leaves every row
// either filled or exactly as it was; none half-written.
func TestPrefillCancelled(t *testing.T) {
	const n = 24
	f, cs := prefillFixture(t, n)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var drafts []core.StructureDraft
	for _, c := range cs {
		drafts = append(drafts, core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: c.SIRET, Kind: core.KindPrivate, Phone: "01 23 45 67 89"})
	}
	ids := save(t, f, drafts...)
	res, err := f.svc.Workspace.PrefillStructures(ctx, ids, func(done, _ int) {
		if done == n/2 {
			cancel()
		}
	})
	if err == nil || ctx.Err() == nil {
		t.Fatalf("not cancelled: %+v %v", res, err)
	}
	filled, untouched := 0, 0
	for i, id := range ids {
		r, err := f.svc.Structures.Structure(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		d := r.Draft
		c := cs[i]
		public := func(v string) string { // what the registry publishes
			if c.Diffusible {
				return v
			}
			return ""
		}
		switch {
		case d.CompanyName == "" && d.Address == "" && d.City == "" && d.PostalCode == "" && !d.NonDiffusible:
			untouched++
		case d.CompanyName == public(c.Name) && d.City == c.City && d.PostalCode == public(c.PostalCode) &&
			d.Address == public(c.Number+" "+c.StreetType+" "+c.Street) && d.NonDiffusible == !c.Diffusible:
			filled++
		default:
			t.Errorf("row %d half-written: %+v", i, d)
		}
	}
	t.Logf("cancelled at %d of %d: %d filled, %d untouched (result says %d filled)", n/2, n, filled, untouched, res.Filled)
	if filled < n/2 || untouched == 0 || filled != res.Filled {
		t.Errorf("%d filled, %d untouched; result %d", filled, untouched, res.Filled)
	}
}

// TestExportSelection writes the selected rows only, for the spreadsheet
// of the user's locale.
func TestExportSelection(t *testing.T) {
	f := newFixture(t)
	ss := coretest.SIRETs(3)
	ids := save(t, f, draft(ss[0]), draft(ss[1]), draft(ss[2]))
	var b bytes.Buffer
	n, err := f.svc.Workspace.ExportStructures(t.Context(), &b, []int64{ids[2], ids[0]}, onboarding.FormatCSV,
		csvio.WriterOptions{Lang: i18n.FR, Comma: ';', BOM: true}, nil)
	if err != nil || n != 2 {
		t.Fatal(n, err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\ufeffidentifier_type;identifier;") || strings.Count(out, "\n") != 3 ||
		!strings.Contains(out, "'"+ss[0]) || strings.Contains(out, ss[1]) {
		t.Fatalf("export:\n%s", out)
	}
	b.Reset()
	if _, err := f.svc.Workspace.ExportStructures(t.Context(), &b, ids[:1], onboarding.FormatJSON, csvio.WriterOptions{}, nil); err != nil ||
		!strings.HasPrefix(b.String(), "[\n{") {
		t.Fatalf("JSON: %q %v", b.String(), err)
	}
}

// cancelAfter is a file that cancels ctx once `after` bytes were read, as a
// person pressing Cancel halfway.
type cancelAfter struct {
	r      io.Reader
	read   int
	after  int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p[:min(len(p), 4096)])
	c.read += n
	if c.read >= c.after {
		c.cancel()
	}
	return n, err
}

// TestImportCancelled: the rows committed before Cancel stay and are
// counted; progress reports bytes of the total.
func TestImportCancelled(t *testing.T) {
	f := newFixture(t)
	var in strings.Builder
	in.WriteString("identifier;company_name;address;city;postal_code\n")
	for _, s := range coretest.SIRETs(3000) {
		in.WriteString(s + ";Société " + s + ";1 rue;Paris;75002\n")
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var mu sync.Mutex
	var lastRead, lastSize int64
	rep, err := f.svc.Workspace.ImportCSV(ctx, &cancelAfter{r: strings.NewReader(in.String()), after: in.Len() / 2, cancel: cancel},
		onboarding.ImportOptions{Size: int64(in.Len()), Progress: func(read, size int64) {
			mu.Lock()
			lastRead, lastSize = read, size
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	l, _ := f.svc.Workspace.QueryStructures(t.Context(), core.StructureQuery{})
	if !rep.Cancelled || rep.Imported == 0 || rep.Imported >= 3000 || l.Counts[core.FilterAll] != rep.Imported {
		t.Fatalf("cancelled import: %+v, %d in the store", rep.ImportStats, l.Counts[core.FilterAll])
	}
	if lastSize != int64(in.Len()) || lastRead < int64(in.Len()/2) {
		t.Fatalf("progress %d of %d", lastRead, lastSize)
	}
}

// TestDecideAttachmentsAtOnce: a manager approves 20 requests in one
// action; a request already decided is said, the others go through.
func TestDecideAttachmentsAtOnce(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	const siret = "73282932000074"
	if err := f.sim.SeedStructure(ctx, siret, "ATELIERS"); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		email := fmt.Sprintf("demandeur%02d@example.fr", i)
		if err := f.sim.SeedAccount(ctx, email, password); err != nil {
			t.Fatal(err)
		}
		c := portal.NewOnboarding(f.server.URL, nil)
		if _, err := c.SignIn(ctx, email, password); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RequestAttachment(ctx, fmt.Sprint("req-", i), core.IDSIRET, siret); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.Accounts.SignIn(ctx, sim.ManagerEmail(siret), sim.ManagerPassword(siret)); err != nil {
		t.Fatal(err)
	}
	l, err := f.svc.Attachments.Lists(ctx)
	if err != nil || len(l.Waiting) != 20 {
		t.Fatalf("waiting: %d %v", len(l.Waiting), err)
	}
	// One of them is refused first, elsewhere.
	if _, err := f.svc.Attachments.DecideAttachment(ctx, l.Waiting[0].ID, false); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Attachments.DecideAttachments(ctx, l.Waiting, true, nil)
	if err != nil || res.Done != 19 || res.SkippedTotal() != 1 || res.Notes[0].ID != l.Waiting[0].ID {
		t.Fatalf("approve 20: %+v %v", res, err)
	}
	after, _ := f.svc.Attachments.Lists(ctx)
	if len(after.Waiting) != 0 {
		t.Fatalf("%d still waiting", len(after.Waiting))
	}
	var statuses []string
	c := portal.NewOnboarding(f.server.URL, nil)
	if _, err := c.SignIn(ctx, "demandeur05@example.fr", password); err != nil {
		t.Fatal(err)
	}
	mine, _ := c.MyAttachments(ctx)
	for _, a := range mine {
		statuses = append(statuses, a.Status)
	}
	if !slices.Equal(statuses, []string{api.AttachmentApproved}) {
		t.Fatalf("the requester sees %v", statuses)
	}
}
