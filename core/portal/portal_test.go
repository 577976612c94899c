package portal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/piste"
)

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		value, date string
		want        time.Duration
	}{
		{"", "", 0},
		{"3", "", 3 * time.Second},
		{"-1", "", 0},
		{"Wed, 25 Nov 2026 18:00:30 GMT", "Wed, 25 Nov 2026 18:00:00 GMT", 30 * time.Second},
		{"Wed, 25 Nov 2026 18:00:30 GMT", "", 0}, // never against our own clock
		{"soon", "", 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		if tt.date != "" {
			h.Set("Date", tt.date)
		}
		if got := parseRetryAfter(h); got != tt.want {
			t.Errorf("Retry-After %q (Date %q) = %v, want %v", tt.value, tt.date, got, tt.want)
		}
	}
}

func TestErrorKinds(t *testing.T) {
	tests := []struct {
		err       *Error
		kind      error
		retryable bool
	}{
		{&Error{Code: CodeNetwork}, core.ErrUnavailable, true},
		{&Error{Status: 408}, core.ErrUnavailable, true},
		{&Error{Status: 429}, core.ErrUnavailable, true},
		{&Error{Status: 503}, core.ErrUnavailable, true},
		{&Error{Status: 409, Code: "structure.exists"}, core.ErrConflict, false},
		{&Error{Status: 401}, core.ErrUnauthorized, false},
		{&Error{Status: 404}, core.ErrNotFound, false},
		{&Error{Status: 400}, core.ErrInvalid, false},
		{&Error{Status: 422}, core.ErrInvalid, false},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.kind) || tt.err.Retryable() != tt.retryable || Retryable(tt.err) != tt.retryable {
			t.Errorf("%+v: kind %v retryable %v", tt.err, tt.kind, tt.retryable)
		}
	}
}

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

// FuzzDecodeError: any error answer, ours or a proxy's page, decodes to a
// usable error with a code.
func FuzzDecodeError(f *testing.F) {
	f.Add(503, `{"code":"service.unavailable","message":{"fr":"x","en":"y"}}`)
	f.Add(409, `{"code":"structure.exists","structure_id":12}`)
	f.Add(400, `{"code":"request.invalid","problems":[{"field":"x","code":"y","severity":2}]}`)
	f.Add(502, `<html>Bad gateway</html>`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 400 || status > 599 {
			return
		}
		err := decodeError(&http.Response{StatusCode: status, Header: http.Header{}}, []byte(body))
		var pe *Error
		if !errors.As(err, &pe) || pe.Code == "" || pe.Status != status {
			t.Fatalf("%d %q: %v", status, body, err)
		}
	})
}

// TestAmbiguousSearch: a PISTE search that finds the identifier twice is
// refused as ambiguous rather than picking one.
func TestAmbiguousSearch(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == piste.PathToken {
			_ = json.NewEncoder(w).Encode(piste.Token{AccessToken: "t", TokenType: "Bearer", ExpiresIn: 3600})
			return
		}
		if r.Header.Get("Authorization") != "Bearer t" || r.Header.Get(piste.HeaderAccount) == "" {
			w.WriteHeader(401)
			return
		}
		hit := piste.StructureAAfficher{IDStructureCPP: 1, IdentifiantStructure: "73282932000074", TypeIdentifiantStructure: "SIRET", Statut: "ACTIVE"}
		hit2 := hit
		hit2.IDStructureCPP = 2
		_ = json.NewEncoder(w).Encode(piste.WsRetourRechercherStructure{Libelle: piste.LibelleOK, ListeStructures: []piste.StructureAAfficher{hit, hit2},
			ParametresRetour: &piste.ParametresRetour{NbResultatsParPage: 100, PageCourante: 1, Pages: 1, Total: 2}})
	}))
	defer hs.Close()
	p := NewPISTE(PISTEConfig{OAuthURL: hs.URL, APIURL: hs.URL, ClientID: "c",
		ClientSecret:   func(context.Context) (string, error) { return "s", nil },
		TechnicalLogin: "l", TechnicalPassword: func(context.Context) (string, error) { return "p", nil }})
	if _, err := p.FindStructure(t.Context(), core.IDSIRET, "73282932000074"); !errors.Is(err, ErrAmbiguous) {
		t.Fatalf("two hits: %v", err)
	}
	// The bearer goes with every call, not only the first.
	for range 3 {
		if _, err := p.Rechercher(t.Context(), piste.RechercherStructureParam{}); err != nil {
			t.Fatalf("call without bearer? %v", err)
		}
	}
}
