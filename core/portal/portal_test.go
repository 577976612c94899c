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
		err       *core.E
		kind      error
		retryable bool
	}{
		{networkError("get", errors.New("connection refused")), core.ErrUnavailable, true},
		{statusError("get", 408, "http.408"), core.ErrUnavailable, true},
		{statusError("get", 429, "auth.throttled"), core.ErrUnavailable, true},
		{statusError("get", 503, "service.unavailable"), core.ErrUnavailable, true},
		{statusError("get", 409, "structure.exists"), core.ErrConflict, false},
		{statusError("get", 401, "auth.required"), core.ErrUnauthorized, false},
		{statusError("get", 403, "forbidden"), core.ErrForbidden, false},
		{statusError("get", 404, "not_found"), core.ErrNotFound, false},
		{statusError("get", 400, "request.invalid"), core.ErrInvalid, false},
		{statusError("get", 422, "idempotency.mismatch"), core.ErrInvalid, false},
	}
	for _, tt := range tests {
		var err error = tt.err
		if !errors.Is(err, tt.kind) || core.Retryable(err) != tt.retryable {
			t.Errorf("%+v: kind %v retryable %v", tt.err, tt.kind, tt.retryable)
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
		err := decodeError("post", &http.Response{StatusCode: status, Header: http.Header{}}, []byte(body))
		pe := core.AsE(err)
		if pe == nil || pe.Code == "" || pe.Status != status {
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

// TestRegistryRetriesOnce429: a 429 (a quota shared with another program)
// is tried once more after the wait asked for; a second one is the
// caller's, with its code.
func TestRegistryRetriesOnce429(t *testing.T) {
	tests := []struct {
		name     string
		throttle int // how many 429 the registry answers first
		wantErr  string
		wantHits int
	}{
		{"one 429", 1, "", 2},
		{"two 429", 2, CodeRegistryUnavailable, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits++
				if hits <= tt.throttle {
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				_ = json.NewEncoder(w).Encode(map[string]any{"results": []map[string]any{{"siren": "732829320", "nom_raison_sociale": "A",
					"siege": map[string]any{"siret": "73282932000074", "code_postal": "75002", "libelle_commune": "PARIS", "etat_administratif": "A"}}}})
			}))
			defer srv.Close()
			c, err := NewRegistry(srv.URL, "", nil, nil).Lookup(t.Context(), "73282932000074")
			if core.CodeOf(err) != tt.wantErr || hits != tt.wantHits {
				t.Fatalf("err %v, %d requests", err, hits)
			}
			if err == nil && c.Name != "A" {
				t.Fatalf("company %+v", c)
			}
		})
	}
}
