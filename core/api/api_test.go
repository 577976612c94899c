package api

import "testing"

func TestActivationToken(t *testing.T) {
	tests := map[string]string{
		"http://127.0.0.1:1/activate?token=abc123":        "abc123",
		"  http://h/activate?token=ab\n c123  ":           "abc123",
		"https://portail/activate?x=1&token=f00d&lang=fr": "f00d",
		"not a link":        "",
		"http://h/activate": "",
	}
	for in, want := range tests {
		got, err := ActivationToken(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("ActivationToken(%q) = %q, %v", in, got, err)
		}
	}
}
