package firm

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/internal/sqlplan"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestIdentityLookUpsUseTheIndex (issue 34): looking a client up by its
// identifier goes through client_key, never a scan of the firm's clients
// (a create checked every client of the firm before).
func TestIdentityLookUpsUseTheIndex(t *testing.T) {
	s, err := New(t.Context(), Config{DataDir: testos.TempDir(t), Accounts: noAccounts{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for name, q := range map[string]string{"client by identity": qClientByIdentity, "identity taken": qIdentityTaken} {
		joined := sqlplan.Of(t, s.db, q, 1, "SIRET:73282932000074")
		if !strings.Contains(joined, "INDEX client_key") || strings.Contains(joined, "SCAN c") || strings.Contains(joined, "SCAN client") {
			t.Errorf("%s: plan %q, want a search of client_key", name, joined)
		}
	}
}

// noAccounts is a portal without accounts: the plans need none.
type noAccounts struct{}

func (noAccounts) Authenticate(*http.Request) (Account, error)        { return Account{}, ErrNoAccount }
func (noAccounts) ByEmail(context.Context, string) (Account, error)   { return Account{}, ErrNoAccount }
func (noAccounts) Mail(context.Context, string, string, string) error { return nil }
