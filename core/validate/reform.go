package validate

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chorusonboard/chorus-onboard/core"
)

// Bounds of the reform's fields: a platform's name is a line; what was
// seen in the directory and a note are short paragraphs; a client gives a
// handful of addresses, one per service at most.
const (
	MaxSeen      = 500
	MaxNote      = 2000
	MaxAddresses = 50
)

// Reform validates the reform's fields of the structure d and returns them
// canonical where valid: the platform as Text, dates that exist and are
// not after today, each invoicing address of the structure's SIREN
// (InvoicingAddress; only a SIRET or SIREN identifier has one), once each,
// in the order given. A problem names the field and, for an address, its
// position ("n", from 1) and value.
func Reform(r core.Reform, d core.StructureDraft, today core.Date) (core.Reform, core.Problems) {
	var p problems
	out := r
	if v, err := Text(r.Platform); err != nil {
		p.add(core.FieldPlatform, err)
	} else {
		out.Platform = v
	}
	date := func(field string, v core.Date) {
		switch {
		case !v.Valid():
			p.add(field, fail("date.invalid", ErrInvalidFormat))
		case v != "" && today != "" && v > today:
			p.add(field, fail("date.future", ErrInvalidComponent))
		}
	}
	date(core.FieldMandateSigned, r.MandateSigned)
	date(core.FieldCheckedOn, r.CheckedOn)
	out.Seen, out.Note = paragraph(&p, core.FieldSeen, r.Seen, MaxSeen), paragraph(&p, core.FieldReformNote, r.Note, MaxNote)
	out.Addresses = addresses(&p, r.Addresses, d)
	switch {
	case r.Category != core.ParseCompanyCategory(string(r.Category)):
		p.add(core.FieldCategory, fail("category.invalid", ErrInvalidComponent))
	case r.Category == core.CategoryUnknown:
		out.CategorySource = ""
	case r.CategorySource != core.CategoryFromRegistry:
		out.CategorySource = core.CategoryFromUser
	}
	return out, core.Problems(p)
}

// paragraph checks free text of several lines: printable but for line
// breaks, at most max code points, trimmed.
func paragraph(p *problems, field, s string, max int) string {
	v := strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if !printable(strings.ReplaceAll(v, "\n", " ")) {
		p.add(field, fail("text.format", ErrInvalidFormat))
		return s
	}
	if utf8.RuneCountInString(v) > max {
		p.add(field, &Error{Kind: core.KindInvalid, Code: "text.length_max", Err: ErrInvalidLength,
			Params: map[string]string{"max": strconv.Itoa(max)}})
		return s
	}
	return v
}

// addresses checks each invoicing address against the structure's SIREN.
func addresses(p *problems, in []string, d core.StructureDraft) []string {
	var out []string
	var siren string
	if d.IdentifierType == core.IDSIRET && len(d.Identifier) >= 9 {
		siren = d.Identifier[:9]
	}
	seen := map[string]bool{}
	for i, a := range in {
		if strings.TrimSpace(a) == "" {
			continue
		}
		if len(out) == MaxAddresses {
			p.add(core.FieldAddresses, &Error{Kind: core.KindInvalid, Code: "invoicing.too_many", Err: ErrInvalidLength,
				Params: map[string]string{"max": strconv.Itoa(MaxAddresses)}})
			return in
		}
		if siren == "" {
			p.add(core.FieldAddresses, fail("invoicing.no_siren", ErrMismatch))
			return in
		}
		c, _, err := InvoicingAddress(a, siren)
		if err != nil {
			e := core.AsE(err)
			params := map[string]string{"n": strconv.Itoa(i + 1), "value": clip(a, 60)}
			p.add(core.FieldAddresses, &Error{Kind: core.KindInvalid, Code: e.Code, Err: e.Err, Params: params})
			out = append(out, a)
			continue
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// clip cuts s to n code points, with an ellipsis when it was longer.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// SplitAddresses reads invoicing addresses as a cell or a text box holds
// them: one per line, or separated by ";" or ",".
func SplitAddresses(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ';' || r == ',' })
	out := f[:0]
	for _, a := range f {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
