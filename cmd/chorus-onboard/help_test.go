package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

func TestCommandLine(t *testing.T) {
	policies := "/etc/chorus-onboard/policy.json"
	if runtime.GOOS == "windows" {
		policies = `HKLM\Software\Policies\ChorusOnboard`
	}
	tests := []struct {
		args       []string
		code       int
		done       bool
		out, error string
	}{
		{nil, 0, false, "", ""},
		{[]string{"-psn_0_12345"}, 0, false, "", ""},
		{[]string{"--help"}, 0, true, policies, ""},
		{[]string{"-h"}, 0, true, "CHORUS_ONBOARD_DATA overrides it", ""},
		{[]string{"--version"}, 0, true, "chorus-onboard ", ""},
		{[]string{"--frobnicate"}, 2, true, "", `unknown argument "--frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code, done := cli(tt.args, &out, &errb)
			if code != tt.code || done != tt.done || !strings.Contains(out.String(), tt.out) || !strings.Contains(errb.String(), tt.error) {
				t.Errorf("cli(%q) = %d, %v\nstdout %s\nstderr %s", tt.args, code, done, out.String(), errb.String())
			}
		})
	}
}
