package main

import (
	"crypto/tls"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestLookupCommand: a SIRET and a SIREN looked up in chorus-sim's
// registries through the flags' addresses; unknown is exit 1; INSEE answers
// with a key on stdin when recherche-entreprises has nothing.
func TestLookupCommand(t *testing.T) {
	url := startSim(t, 0, nil)
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	search, insee := url+"/registry", url+"/insee/api-sirene/3.11"
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  []string
	}{
		{"siret", "", []string{"--registry-url", search, "--insee-url", insee, "siret", "732 829 320 00074"}, 0,
			[]string{"Company name: ATELIERS DUPONT ET FILS", "Identifier: 732 829 320 00074", "Address: 12 RUE DE LA PAIX, BATIMENT A, 75002 PARIS, FR",
				"Main activity (NAF): 25.62B", "Non diffusible: No", "State: active"}},
		{"siren", "", []string{"--registry-url", search, "--insee-url", insee, "siren", "779847904"}, 0,
			[]string{"Company name: BOULANGERIE MARTIN", "Identifier: 779 847 904 00033"}},
		{"unknown", "", []string{"--registry-url", search, "--insee-url", insee, "siret", "35600000049837"}, 1,
			[]string{"This company is not in the company registry"}},
		{"INSEE with a key on stdin", "insee-key\n", []string{"--registry-url", url + "/nowhere", "--insee-url", insee,
			"--insee-key-stdin", "siren", "790681563"}, 0, []string{"Non diffusible: Yes", "Identifier: 790 681 563 00017"}},
		{"flags after the value, as the help shows them", "", []string{"siren", "779847904", "--registry-url", search, "--insee-url", insee}, 0,
			[]string{"Company name: BOULANGERIE MARTIN"}},
		{"too many values", "", []string{"siren", "779847904", "779847904", "--registry-url", search}, 2, nil},
		{"not a SIRET", "", []string{"siret", "123"}, 2, nil},
		{"not a web address", "", []string{"--registry-url", "ftp://x", "siret", "73282932000074"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.stdin, map[string]string{"LANG": "en_US.UTF-8"}, append([]string{"lookup", "--db", db}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in\n%s", w, out)
				}
			}
		})
	}
}

// TestSyncTeamPortal: the settings name a team portal over HTTPS; sync
// refuses it while its authority is unknown, and sends with --ca-file.
func TestSyncTeamPortal(t *testing.T) {
	certs := coretest.NewTLS(t, "127.0.0.1")
	srv, err := sim.New(t.Context(), sim.Config{SecondFactorOff: true, DataDir: testos.TempDir(t), PasswordIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{certs.Server}}
	hs.StartTLS()
	t.Cleanup(func() { hs.Close(); srv.Close() })
	if err := srv.SeedAccount(t.Context(), "sync@example.fr", syncPassword); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	st, err := sqlite.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	set := core.Settings{Environment: core.EnvTeam, PortalURL: hs.URL}
	if err := st.Settings.SaveValues(t.Context(), set.Values()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, out, _ := runCLI(t, csvRows(sirets(3)), nil, "import", "--db", db, "-"); code != 0 {
		t.Fatal(out)
	}
	code, out, errOut := runCLI(t, syncPassword+"\n", map[string]string{"LANG": "en_US.UTF-8"},
		"sync", "--db", db, "--email", "sync@example.fr", "--password-stdin", "--timeout", "5s")
	if code != 2 || !strings.Contains(errOut, "certificate is not trusted") {
		t.Fatalf("unknown authority: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, syncPassword+"\n", nil, "sync", "--db", db, "--ca-file", certs.CAFile,
		"--email", "sync@example.fr", "--password-stdin")
	if code != 0 || out != "sent 3, created 3, attachment requests 0, failed 0, pending 0\n" {
		t.Fatalf("with --ca-file: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, syncPassword+"\n", nil, "sync", "--db", db, "--portal", "https://elsewhere.example",
		"--email", "sync@example.fr", "--password-stdin"); code != 2 || !strings.Contains(errOut, "queued for "+hs.URL) {
		t.Fatalf("another portal: exit %d %s", code, errOut)
	}
}
