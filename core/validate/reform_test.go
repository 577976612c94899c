package validate

import (
	"slices"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
)

func TestReform(t *testing.T) {
	siret := "73282932000074"
	d := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: siret}
	today := core.Date("2026-12-05")
	for _, tc := range []struct {
		name  string
		in    core.Reform
		d     core.StructureDraft
		codes []string // field:code of each problem
		check func(core.Reform) bool
	}{
		{name: "empty", in: core.Reform{}, d: d},
		{name: "canonical", d: d, in: core.Reform{Platform: "  Pennylane   SA ", Addresses: []string{"0225:732829320", " 732829320_FACT ", "732829320", ""},
			Seen: " seen \r\n there ", Category: core.CategoryGE},
			check: func(r core.Reform) bool {
				return r.Platform == "Pennylane SA" && slices.Equal(r.Addresses, []string{"732829320", "732829320_FACT"}) &&
					r.Seen == "seen \n there" && r.CategorySource == core.CategoryFromUser
			}},
		{name: "registry source kept", d: d, in: core.Reform{Category: core.CategoryPME, CategorySource: core.CategoryFromRegistry},
			check: func(r core.Reform) bool { return r.CategorySource == core.CategoryFromRegistry }},
		{name: "no category, no source", d: d, in: core.Reform{CategorySource: core.CategoryFromRegistry},
			check: func(r core.Reform) bool { return r.CategorySource == "" }},
		{name: "future dates", d: d, in: core.Reform{MandateSigned: "2026-12-06", CheckedOn: "2027-01-01"},
			codes: []string{"mandate_signed:date.future", "directory_checked_on:date.future"}},
		{name: "bad date", d: d, in: core.Reform{MandateSigned: "2026-02-30"}, codes: []string{"mandate_signed:date.invalid"}},
		{name: "other siren", d: d, in: core.Reform{Addresses: []string{"552100554"}}, codes: []string{"invoicing_addresses:invoicing.other_siren"}},
		{name: "no siren", d: core.StructureDraft{IdentifierType: core.IDOutsideEU, Identifier: "X1"}, in: core.Reform{Addresses: []string{"732829320"}},
			codes: []string{"invoicing_addresses:invoicing.no_siren"}},
		{name: "bad category", d: d, in: core.Reform{Category: "ge"}, codes: []string{"company_category:category.invalid"}},
		{name: "long note", d: d, in: core.Reform{Note: strings.Repeat("é", MaxNote+1)}, codes: []string{"reform_note:text.length_max"}},
		{name: "control in seen", d: d, in: core.Reform{Seen: "a\x07b"}, codes: []string{"directory_seen:text.format"}},
		{name: "long platform", d: d, in: core.Reform{Platform: strings.Repeat("p", MaxText+1)}, codes: []string{"receiving_platform:text.length"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, p := Reform(tc.in, tc.d, today)
			var codes []string
			for _, x := range p {
				codes = append(codes, x.Field+":"+x.Code)
			}
			if !slices.Equal(codes, tc.codes) {
				t.Fatalf("problems %q, want %q", codes, tc.codes)
			}
			if tc.check != nil && !tc.check(out) {
				t.Fatalf("canonical %+v", out)
			}
		})
	}
	// 51 addresses: the 51st is refused with the bound.
	var many []string
	for i := range MaxAddresses + 1 {
		many = append(many, "732829320_S"+strings.Repeat("X", i+1))
	}
	if _, p := Reform(core.Reform{Addresses: many}, d, today); len(p) != 1 || p[0].Code != "invoicing.too_many" {
		t.Fatalf("too many: %v", p)
	}
	_, p := Reform(core.Reform{Addresses: []string{"732829320_bad code"}}, d, today)
	if len(p) != 1 || p[0].Params["n"] != "1" || p[0].Params["value"] != "732829320_bad code" {
		t.Fatalf("address problem params: %+v", p)
	}
}

func TestSplitAddresses(t *testing.T) {
	got := SplitAddresses("732829320;732829320_A\n 732829320_B ,\r\n")
	if !slices.Equal(got, []string{"732829320", "732829320_A", "732829320_B"}) {
		t.Fatalf("%q", got)
	}
}
