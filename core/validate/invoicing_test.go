package validate

import (
	"strings"
	"testing"
)

// TestInvoicingAddress: the directory's four shapes, and what is refused.
func TestInvoicingAddress(t *testing.T) {
	const siren = "732829320"
	for _, tt := range []struct {
		in, want string
		shape    InvoicingShape
		code     string
	}{
		{"732829320", "732829320", ShapeSIREN, ""},
		{" 0225:732829320 ", "732829320", ShapeSIREN, ""},
		{"732829320_FACTURES", "732829320_FACTURES", ShapeSIRENSuffix, ""},
		{"732829320_achats-2026.v2", "732829320_achats-2026.v2", ShapeSIRENSuffix, ""},
		{"732829320_73282932000074", "732829320_73282932000074", ShapeSIRENSIRET, ""},
		{"0225:732829320_73282932000074_SERVICE-ACHATS", "732829320_73282932000074_SERVICE-ACHATS", ShapeSIRETRouting, ""},
		{"", "", "", "required"},
		{"73282932", "", "", "invoicing.siren"},
		{"732 829 320", "", "", "invoicing.siren"},
		{"732829321", "", "", "invoicing.siren"},
		{"443061841", "", "", "invoicing.other_siren"},
		{"732829320_44306184100047", "", "", "invoicing.other_siren"},
		{"732829320_73282932000075", "", "", "invoicing.siret"},
		{"732829320_73282932000074_", "", "", "invoicing.routing_code"},
		{"732829320_", "", "", "invoicing.suffix"},
		{"732829320_SERVICE ACHATS", "", "", "invoicing.suffix"},
		{"732829320_=1+1", "", "", "invoicing.suffix"},
		{"732829320_" + strings.Repeat("A", 101), "", "", "invoicing.suffix"},
		{"732829320_X_73282932000074", "", "", "invoicing.siret"},
		{"732829320_73282932000074_A_B", "", "", "invoicing.format"},
	} {
		got, shape, err := InvoicingAddress(tt.in, siren)
		if Code(err) != tt.code && !(tt.code == "" && err == nil) || got != tt.want || shape != tt.shape {
			t.Errorf("%q: %q %q %v, want %q %q %s", tt.in, got, shape, err, tt.want, tt.shape, tt.code)
		}
	}
}

// FuzzInvoicingAddress: any input gives an address of the SIREN in one of
// the four shapes, or an error; an accepted address is accepted again as
// it is (canonical), and never holds a space or a formula's first sign.
func FuzzInvoicingAddress(f *testing.F) {
	for _, s := range []string{"732829320", "0225:732829320_73282932000074_X", "732829320_F", "732829320__", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, shape, err := InvoicingAddress(s, "732829320")
		if err != nil {
			if got != "" || shape != "" {
				t.Fatalf("%q refused but returned %q %q", s, got, shape)
			}
			return
		}
		if !strings.HasPrefix(got, "732829320") || strings.ContainsAny(got, " =@\t\r\n") {
			t.Fatalf("%q accepted as %q", s, got)
		}
		again, shape2, err := InvoicingAddress(got, "732829320")
		if err != nil || again != got || shape2 != shape {
			t.Fatalf("%q → %q (%s) → %q (%s) %v", s, got, shape, again, shape2, err)
		}
	})
}
