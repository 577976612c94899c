package sim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// TestDirectory: the look-up by SIREN or SIRET answers the same entry
// every time, its addresses valid for the company; a company with no
// platform has no line; bad queries are refused; the page escapes what
// was typed; the registries give the company's category.
func TestDirectory(t *testing.T) {
	e := start(t)
	get := func(path string) (int, string) {
		t.Helper()
		e.clock.add(time.Second) // the registries' rate: 7 a second
		resp, err := http.Get(e.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var withPlatform, without int
	for _, c := range builtinCompanies {
		for _, q := range []string{c.SIRET[:9], c.SIRET, validate.FormatSIRET(c.SIRET)} {
			code, body := get(PathDirectorySearch + "?siren=" + url.QueryEscape(q))
			if code != http.StatusOK {
				t.Fatalf("%s: %d %s", q, code, body)
			}
			var got DirectoryEntry
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			if got.SIREN != c.SIRET[:9] || got.Platform != (len(got.Lines) > 0) {
				t.Fatalf("%s: %+v", q, got)
			}
			for _, l := range got.Lines {
				if _, shape, err := validate.InvoicingAddress(l.Address, got.SIREN); err != nil || string(shape) != l.Shape {
					t.Errorf("%s: line %+v: %v %s", q, l, err, shape)
				}
			}
			if again := directoryOf(c); len(again.Lines) != len(got.Lines) {
				t.Errorf("%s: not the same entry twice", q)
			}
		}
		if d := directoryOf(c); d.Platform {
			withPlatform++
		} else {
			without++
		}
	}
	t.Logf("built-in companies: %d with a platform, %d without", withPlatform, without)
	for q, want := range map[string]int{"": 400, "12345": 400, "123456789": 404, "552100554": 404} {
		if code, _ := get(PathDirectorySearch + "?siren=" + q); code != want {
			t.Errorf("%q: %d, want %d", q, code, want)
		}
	}
	code, page := get(PathDirectoryPage + "?siren=" + url.QueryEscape("<script>alert(1)</script>"))
	if code != 200 || strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;") {
		t.Errorf("page with markup typed: %d\n%s", code, page)
	}
	code, page = get(PathDirectoryPage + "?siren=732829320")
	if code != 200 || !strings.Contains(page, "ATELIERS DUPONT ET FILS") {
		t.Errorf("page: %d\n%s", code, page)
	}

	reg := portal.NewRegistry(e.http.URL+"/registry", e.http.URL+"/insee/api-sirene/3.11", func(context.Context) (string, error) { return "insee-key", nil }, nil)
	for siret, want := range map[string]core.CompanyCategory{"35600000000048": core.CategoryGE, "52524288900042": core.CategoryETI,
		"73282932000074": core.CategoryPME} {
		c, err := reg.Lookup(t.Context(), siret)
		if err != nil || c.Category != want {
			t.Errorf("%s: category %q, want %q (%v)", siret, c.Category, want, err)
		}
	}
}
