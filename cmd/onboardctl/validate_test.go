package main

import (
	"bytes"
	"strings"
	"testing"
)

// runCLI runs onboardctl in-process with the given stdin and environment.
func runCLI(t *testing.T, stdin string, envVars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return envVars[k] }})
	return code, out.String(), errb.String()
}

func TestValidateContract(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  string
	}{
		{"all valid", []string{"validate", "siret", "732 829 320 00074", "35600000049837"}, "", 0,
			"ok 73282932000074\nok 35600000049837\n"},
		{"one invalid", []string{"validate", "siret", "73282932000074", "73282932000079"}, "", 1,
			"ok 73282932000074\ninvalid siret.checksum: This SIRET does not exist (its check digit is wrong): check the last 5 digits.\n"},
		{"warning is valid", []string{"validate", "postal", "98000"}, "", 0, "ok 98000 warning postal.unknown\n"},
		{"stdin verbatim", []string{"validate", "siren", "-"}, " 552 008 443\n\t404833048\r\n404833047", 1,
			"ok 552008443\nok 404833048\ninvalid siren.checksum: This SIREN does not exist (its check digit is wrong): check for a typing error.\n"},
		{"stdin empty line", []string{"validate", "email", "-"}, "\n", 1, "invalid required: This field is required.\n"},
		{"french", []string{"validate", "--lang", "fr", "country", "UK"}, "", 1,
			"invalid country.unknown: Ce n'est pas un code pays ISO : choisissez le pays dans la liste.\n"},
		{"country flag", []string{"validate", "--country", "PF", "phone", "40 50 57 00"}, "", 0, "ok +68940505700\n"},
		{"dash value among others is a value", []string{"validate", "country", "FR", "-"}, "", 1,
			"ok FR\ninvalid country.format: Use a 2-letter country code, such as FR.\n"},
		{"value that looks like a flag", []string{"validate", "siren", "-x"}, "", 1,
			"invalid siren.format: A SIREN has digits only: remove letters and other signs.\n"},
		{"password", []string{"validate", "password", "Tr0ub4dor&3x-Lune", "azerty"}, "", 1,
			"ok Tr0ub4dor&3x-Lune\ninvalid password.too_short: Use at least 12 characters.\n"},
		{"no value", []string{"validate", "siret"}, "", 2, ""},
		{"unknown kind", []string{"validate", "iban", "x"}, "", 2, ""},
		{"bad lang", []string{"validate", "--lang", "de", "siret", "x"}, "", 2, ""},
		{"bad country flag", []string{"validate", "--country", "ZZ", "phone", "x"}, "", 2, ""},
		{"unknown command", []string{"frobnicate"}, "", 2, ""},
		{"no command", nil, "", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.stdin, map[string]string{"LANG": "en_US.UTF-8"}, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if out != tt.want {
				t.Errorf("stdout\n%q\nwant\n%q", out, tt.want)
			}
			if tt.code == 2 && errOut == "" {
				t.Error("usage error without a message on stderr")
			}
		})
	}
}

func TestLanguageFromLocale(t *testing.T) {
	_, out, _ := runCLI(t, "", map[string]string{"LANG": "fr_FR.UTF-8"}, "validate", "siren", "12")
	if !strings.Contains(out, "Un SIREN compte 9 chiffres") {
		t.Errorf("LANG=fr_FR: %q", out)
	}
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := runCLI(t, "", nil, "help")
	if code != 0 || !strings.Contains(out, "onboardctl validate") || !strings.Contains(out, "vat-eu") {
		t.Errorf("help: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "", nil, "version")
	if code != 0 || !strings.HasPrefix(out, "onboardctl ") {
		t.Errorf("version: %d %q", code, out)
	}
}

// TestManyLinesStream: a large stdin is handled line by line, in order.
func TestManyLinesStream(t *testing.T) {
	var in strings.Builder
	for range 50000 {
		in.WriteString("73282932000074\n")
	}
	code, out, _ := runCLI(t, in.String(), nil, "validate", "siret", "-")
	if code != 0 || strings.Count(out, "ok 73282932000074\n") != 50000 {
		t.Errorf("exit %d, %d lines", code, strings.Count(out, "\n"))
	}
}
