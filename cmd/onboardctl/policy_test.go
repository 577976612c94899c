package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core/preset"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestPolicyCommand: an admin's policy and defaults under a temporary /etc,
// a user's saved settings: policy prints each value with its source, and
// the ignored values with their file and reason.
// spaces are the columns' padding, which depends on the longest key.
var spaces = regexp.MustCompile(` +`)

func TestPolicyCommand(t *testing.T) {
	etc := testos.TempDir(t)
	for name, data := range map[string]string{
		"chorus-onboard/policy.json":       `{"environment":"qualification","proxy_url":"http://proxy.example:3128","piste_client_secret":"s3cret"}`,
		"xdg/chorus-onboard/defaults.json": `{"piste_client_id":"cabinet-app","registry_url":"ftp://nope","language":"fr"}`,
	} {
		p := filepath.Join(etc, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" },
		presets: preset.LinuxFiles(etc, "")}
	db := filepath.Join(testos.TempDir(t), "onboard.db")
	if code := run([]string{"policy", "--db", db, "--lang", "en"}, e); code != exitInvalid {
		t.Fatalf("exit %d (want 1: values were ignored)\n%s%s", code, out.String(), errb.String())
	}
	policy := filepath.Join(etc, "chorus-onboard", "policy.json")
	defaults := filepath.Join(etc, "xdg", "chorus-onboard", "defaults.json")
	for _, want := range []string{
		"environment qualification",
		"admin policy (locked) (" + policy + ")",
		"piste_client_id cabinet-app",
		"admin default (" + defaults + ")",
		"registry_url https://recherche-entreprises.api.gouv.fr built-in",
		"offer_sandbox true",
		"Ignored preset: " + policy + ": piste_client_secret: a secret never goes into a preset",
		"Ignored preset: " + defaults + ": registry_url: this is not a web address",
	} {
		if !strings.Contains(spaces.ReplaceAllString(out.String(), " "), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Errorf("the secret is printed:\n%s", out.String())
	}

	// Without presets: everything built in, exit 0, and in French.
	out.Reset()
	e.presets = preset.LinuxFiles(testos.TempDir(t), "")
	if code := run([]string{"policy", "--db", db, "--lang", "fr"}, e); code != exitOK {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	if !strings.Contains(spaces.ReplaceAllString(out.String(), " "), "environment local") || !strings.Contains(out.String(), "par défaut") {
		t.Errorf("%s", out.String())
	}
}
