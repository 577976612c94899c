package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/outbox"
)

// These tests run a command's run function on fakes of the service it
// uses: what it prints and how it exits, with no store and no portal.

type fakeImporter struct {
	rejections []csvio.Rejection
	stats      onboarding.ImportStats
	err        error
}

func (f fakeImporter) ImportCSV(_ context.Context, _ io.Reader, opt onboarding.ImportOptions) (*onboarding.ImportReport, error) {
	for _, r := range f.rejections {
		opt.Report(r)
	}
	return &onboarding.ImportReport{ImportStats: f.stats}, f.err
}

func (f fakeImporter) ImportXLSX(ctx context.Context, r io.Reader, sheet string, opt onboarding.ImportOptions) (*onboarding.ImportReport, error) {
	rep, err := f.ImportCSV(ctx, r, opt)
	rep.Sheet = "Clients"
	return rep, err
}

func TestRunImportOnAFake(t *testing.T) {
	tests := []struct {
		name    string
		fake    fakeImporter
		invalid bool
		out     string
	}{
		{"all imported", fakeImporter{stats: onboarding.ImportStats{Imported: 3, Updated: 1}}, false, "imported 3, updated 1, rejected 0\n"},
		{"a row refused", fakeImporter{stats: onboarding.ImportStats{Imported: 1, Rejected: 1},
			rejections: []csvio.Rejection{{Line: 3, Field: "identifier", Code: "siret.checksum"}}}, true,
			"line 3: identifier: siret.checksum: " + i18n.T(i18n.EN, "siret.checksum") + "\nimported 1, updated 0, rejected 1\n"},
		{"lines not read", fakeImporter{stats: onboarding.ImportStats{Rejected: 1, Unread: 7}}, true,
			"imported 0, updated 0, rejected 1, lines not read 7\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			invalid, err := runImport(t.Context(), importOptions{e: env{stdin: strings.NewReader(""), stdout: &out, stderr: io.Discard},
				lang: i18n.EN, file: "-", open: func(context.Context) (importer, func(), error) { return tt.fake, func() {}, nil }})
			if err != nil || invalid != tt.invalid || out.String() != tt.out {
				t.Fatalf("invalid %v, err %v, printed\n%q\nwant\n%q", invalid, err, out.String(), tt.out)
			}
		})
	}
	_, err := runImport(t.Context(), importOptions{e: env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}, file: "-",
		open: func(context.Context) (importer, func(), error) {
			return fakeImporter{err: errors.New("disk full")}, func() {}, nil
		}})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("a failed import: %v", err)
	}
}

type fakeReader struct {
	recs   []core.StructureRecord
	counts map[core.SyncState]int
	// rows are the firm's columns of recs.
	rows []core.StructureSummary
}

func (f fakeReader) QueryStructures(context.Context, core.StructureQuery) (core.StructureList, error) {
	l := core.StructureList{Rows: f.rows, Counts: map[core.StructureFilter]int{}}
	for _, r := range f.rows {
		if r.Conflicts > 0 {
			l.Counts[core.FilterConflicts]++
		}
	}
	return l, nil
}

func (f fakeReader) EachStructure(_ context.Context, fn func(core.StructureRecord) error) error {
	for _, r := range f.recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}
func (f fakeReader) Counts(context.Context) (map[core.SyncState]int, int, error) {
	return f.counts, 2, nil
}
func (f fakeReader) Unsettled(context.Context) ([]core.StructureRecord, error) { return f.recs, nil }

func TestRunListAndStatusOnAFake(t *testing.T) {
	d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "73282932000074", CompanyName: "Ateliers"}
	fake := fakeReader{recs: []core.StructureRecord{
		{ID: 4, Draft: d, Sync: core.Sync{State: core.StateFailed, Notice: core.Notice{Code: "siret.checksum"}}},
	}, counts: map[core.SyncState]int{core.StateFailed: 1},
		rows: []core.StructureSummary{{ID: 4, Firm: true, InCharge: "ana@cabinet.example", Conflicts: 1}}}
	var out bytes.Buffer
	o := readOptions{e: env{stdout: &out, stderr: io.Discard}, lang: i18n.FR,
		open: func(context.Context) (reader, func(), error) { return fake, func() {}, nil }}
	if err := runList(t.Context(), o); err != nil || out.String() != "SIRET\t73282932000074\tAteliers\tfailed\tana@cabinet.example\tconflict\n" {
		t.Fatalf("list: %v %q", err, out.String())
	}
	out.Reset()
	if err := runStatus(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	want := "failed\t1\noutbox pending\t2\nconflicts\t1\nfailed\tSIRET\t73282932000074\t" + i18n.T(i18n.FR, "siret.checksum") + "\n"
	if !strings.HasSuffix(out.String(), want) || !strings.HasPrefix(out.String(), "draft\t0\n") {
		t.Fatalf("status:\n%q\nwant suffix\n%q", out.String(), want)
	}
}

// memSettings is a core.SettingsStore in memory.
type memSettings map[string]string

func (m memSettings) Values(context.Context) (map[string]string, error) { return m, nil }
func (m memSettings) SaveValues(_ context.Context, v map[string]string) error {
	clear(m)
	for k, x := range v {
		m[k] = x
	}
	return nil
}

type fakeSync struct{ drained bool }

func (f *fakeSync) Drain(context.Context) (outbox.Stats, error) {
	f.drained = true
	return outbox.Stats{Sent: 2, Created: 2}, nil
}
func (f *fakeSync) Counts(context.Context) (map[core.SyncState]int, int, error) {
	return map[core.SyncState]int{core.StateCreated: 2}, 0, nil
}
func (f *fakeSync) SetConcurrency(int) {}

// fakeSignIn is the account service's sign-in: a challenge when set, the
// second factor it was answered with, a trusted computer when trusted.
type fakeSignIn struct {
	email, password string
	challenge       *api.SecondFactorChallenge
	trusted         bool
	answered        *api.SecondFactor
}

func (f *fakeSignIn) StartSignIn(_ context.Context, email, password string) (*api.SecondFactorChallenge, error) {
	f.email, f.password = email, password
	return f.challenge, nil
}

func (f *fakeSignIn) FinishSignIn(_ context.Context, _ string, req api.SecondFactor) ([]string, error) {
	f.answered = &req
	return nil, nil
}

func (f *fakeSignIn) TrustedHere(context.Context, string) bool { return f.trusted }

// TestSyncSecondFactorOnAFake: sync says which stood in for the second
// factor (the device token, a code, a recovery code), and what to do when
// it has none; it never drains without a session.
func TestSyncSecondFactorOnAFake(t *testing.T) {
	ch := &api.SecondFactorChallenge{Challenge: "c1", Methods: []string{api.MethodTOTP, api.MethodRecovery}}
	for _, tt := range []struct {
		name     string
		si       fakeSignIn
		code     string
		trust    bool
		wantErr  string
		wantSaid string
		wantReq  *api.SecondFactor
	}{
		{"a trusted computer", fakeSignIn{trusted: true}, "", false, "", "device token", nil},
		{"no code to give", fakeSignIn{challenge: ch}, "", false, "--code-stdin", "", nil},
		{"no second factor yet", fakeSignIn{challenge: &api.SecondFactorChallenge{Challenge: "c2", Enrol: true}}, "123456", false, "sign in once in Chorus Onboard", "", nil},
		{"a code", fakeSignIn{challenge: ch}, "123456", false, "", "the code from standard input", &api.SecondFactor{Challenge: "c1", Code: "123456"}},
		{"a code, trusting", fakeSignIn{challenge: ch}, "123456", true, "", "this computer is trusted now", &api.SecondFactor{Challenge: "c1", Code: "123456", TrustDevice: true}},
		{"a recovery code", fakeSignIn{challenge: ch}, "abcde-fghjk", false, "", "a recovery code", &api.SecondFactor{Challenge: "c1", RecoveryCode: "abcde-fghjk"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := onboarding.NewConnection(t.Context(), onboarding.ConnectionConfig{Store: memSettings{core.SettingEnvironment: "local"},
				Connect: func(onboarding.TargetSpec) onboarding.Target { return onboarding.Target{} }})
			if err != nil {
				t.Fatal(err)
			}
			sy, si := &fakeSync{}, &tt.si
			var out, errOut bytes.Buffer
			_, err = runSync(t.Context(), syncOptions{e: env{stdout: &out, stderr: &errOut}, lang: i18n.EN, base: "http://127.0.0.1:9",
				email: "ana@example.fr", password: "pw", code: tt.code, trust: tt.trust,
				open: func(context.Context, func(onboarding.TargetSpec) onboarding.Target) (syncer, func(), error) {
					return syncer{conn: conn, accounts: si, sync: sy}, func() {}, nil
				}})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || sy.drained {
					t.Fatalf("err %v, drained %v", err, sy.drained)
				}
				return
			}
			if err != nil || !sy.drained || !strings.Contains(errOut.String(), tt.wantSaid) {
				t.Fatalf("err %v, drained %v, said %q", err, sy.drained, errOut.String())
			}
			if tt.wantReq != nil {
				got := *si.answered
				got.DeviceName = ""
				if got != *tt.wantReq {
					t.Fatalf("answered %+v, want %+v", got, *tt.wantReq)
				}
			}
		})
	}
}

// TestRunSyncOnAFake: on the environments the settings name, sync refuses
// what it cannot do before signing in, and prints the counts of a drain.
func TestRunSyncOnAFake(t *testing.T) {
	for _, tt := range []struct {
		name, env, base string
		want            string // "" for success, else a substring of the error
	}{
		{"Chorus Pro has no creation API", "qualification", "", i18n.T(i18n.EN, "bulk.handoff")},
		{"the sandbox needs its address", "local", "", "--portal URL"},
		{"the sandbox at its address", "local", "http://127.0.0.1:9", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := onboarding.NewConnection(t.Context(), onboarding.ConnectionConfig{Store: memSettings{core.SettingEnvironment: tt.env},
				Connect: func(onboarding.TargetSpec) onboarding.Target { return onboarding.Target{} }})
			if err != nil {
				t.Fatal(err)
			}
			sy, si := &fakeSync{}, &fakeSignIn{}
			var out bytes.Buffer
			_, err = runSync(t.Context(), syncOptions{e: env{stdout: &out, stderr: io.Discard}, lang: i18n.EN, base: tt.base,
				email: "ana@example.fr", password: "pw",
				open: func(context.Context, func(onboarding.TargetSpec) onboarding.Target) (syncer, func(), error) {
					return syncer{conn: conn, accounts: si, sync: sy}, func() {}, nil
				}})
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) || sy.drained || si.email != "" {
					t.Fatalf("err %v (drained %v, signed in %q)", err, sy.drained, si.email)
				}
				return
			}
			if err != nil || !sy.drained || si.password != "pw" || out.String() != "sent 2, created 2, attachment requests 0, failed 0, pending 0\n" {
				t.Fatalf("err %v, drained %v, printed %q", err, sy.drained, out.String())
			}
		})
	}
}
