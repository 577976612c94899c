package core

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A firm's client as the firm's server shares it between its accountants:
// every field of the structure draft, the reform's bookkeeping, a note,
// and the state and portal id last reported, each as text under a fixed
// name. Text per field is what the three-way merge compares and what the
// audit records; one definition serves the server's checks, the desktop's
// merge and the files.

// ClientFields are a client's fields by name (ClientFieldNames); a field
// absent is empty.
type ClientFields map[string]string

// Names of the fields a firm shares besides the draft's and the reform's
// (FieldIdentifier… and FieldPlatform…).
const (
	// FieldClientNote is the firm's note on the client.
	FieldClientNote = "note"
	// FieldState is the sync state last reported (SyncState).
	FieldState = "state"
	// FieldPortalID is the portal's id of the structure, once created.
	FieldPortalID = "portal_id"
)

// MaxClientNote is the longest note, in characters; MaxClientField the
// longest value of any other field (a company name, an address line and
// the invoicing addresses all fit).
const (
	MaxClientNote  = 2000
	MaxClientField = 500
)

// ClientFieldNames are the fields of a client, in the order screens and
// files show them.
var ClientFieldNames = []string{
	FieldIdentifierType, FieldIdentifier, FieldStructureKind, FieldCompanyName, FieldStructureName, FieldEmail, FieldPhone,
	FieldAddress, FieldComplement1, FieldComplement2, FieldCity, FieldPostalCode, FieldCountry, FieldNonDiffusible,
	FieldCategory, FieldCategorySource, FieldPlatform, FieldMandateSigned, FieldAddresses, FieldCheckedOn, FieldSeen,
	FieldReformNote, FieldClientNote, FieldState, FieldPortalID,
}

// IsClientField reports whether name is one of ClientFieldNames.
func IsClientField(name string) bool { return slices.Contains(ClientFieldNames, name) }

// ClientFieldsOf returns a stored structure's fields as the firm shares
// them, with the firm's note.
func ClientFieldsOf(r StructureRecord, note string) ClientFields {
	d, f := r.Draft, r.Reform
	// One text per value: France and "not non-diffusible" are the
	// defaults, said by no text at all, whichever way a desktop stored
	// them.
	nd, country := "", d.Country
	if d.NonDiffusible {
		nd = "true"
	}
	if country == "FR" {
		country = ""
	}
	out := ClientFields{
		FieldIdentifierType: string(d.IdentifierType), FieldIdentifier: d.Identifier, FieldStructureKind: string(d.Kind),
		FieldCompanyName: d.CompanyName, FieldStructureName: d.StructureName, FieldEmail: d.Email, FieldPhone: d.Phone,
		FieldAddress: d.Address, FieldComplement1: d.Complement1, FieldComplement2: d.Complement2, FieldCity: d.City,
		FieldPostalCode: d.PostalCode, FieldCountry: country, FieldNonDiffusible: nd,
		FieldCategory: string(f.Category), FieldCategorySource: string(f.CategorySource), FieldPlatform: f.Platform,
		FieldMandateSigned: string(f.MandateSigned), FieldAddresses: strings.Join(f.Addresses, "\n"),
		FieldCheckedOn: string(f.CheckedOn), FieldSeen: f.Seen, FieldReformNote: f.Note,
		FieldClientNote: note, FieldState: string(r.Sync.State), FieldPortalID: r.Sync.PortalID,
	}
	for k, v := range out {
		if v == "" {
			delete(out, k)
		}
	}
	return out
}

// Draft returns the structure draft the fields hold.
func (f ClientFields) Draft() StructureDraft {
	return StructureDraft{IdentifierType: IdentifierType(f[FieldIdentifierType]), Identifier: f[FieldIdentifier],
		Kind: StructureKind(f[FieldStructureKind]), CompanyName: f[FieldCompanyName], StructureName: f[FieldStructureName],
		Email: f[FieldEmail], Phone: f[FieldPhone], Address: f[FieldAddress], Complement1: f[FieldComplement1],
		Complement2: f[FieldComplement2], City: f[FieldCity], PostalCode: f[FieldPostalCode], Country: f[FieldCountry],
		NonDiffusible: f[FieldNonDiffusible] == "true"}
}

// Reform returns the reform's bookkeeping the fields hold.
func (f ClientFields) Reform() Reform {
	var addresses []string
	if a := f[FieldAddresses]; a != "" {
		addresses = strings.Split(a, "\n")
	}
	return Reform{Platform: f[FieldPlatform], MandateSigned: Date(f[FieldMandateSigned]), Addresses: addresses,
		CheckedOn: Date(f[FieldCheckedOn]), Seen: f[FieldSeen], Note: f[FieldReformNote],
		Category: CompanyCategory(f[FieldCategory]), CategorySource: CategorySource(f[FieldCategorySource])}
}

// Equal reports whether two clients' fields are the same (an absent field
// and an empty one alike).
func (f ClientFields) Equal(g ClientFields) bool { return len(f.Diff(g)) == 0 }

// Diff returns the fields g has different from f, with g's values (""
// for one g empties), in ClientFieldNames' order.
func (f ClientFields) Diff(g ClientFields) ClientFields {
	out := ClientFields{}
	for _, k := range ClientFieldNames {
		if f[k] != g[k] {
			out[k] = g[k]
		}
	}
	return out
}

// With returns a copy of f with changes applied (an empty value empties
// the field).
func (f ClientFields) With(changes ClientFields) ClientFields {
	out := make(ClientFields, len(f)+len(changes))
	for k, v := range f {
		out[k] = v
	}
	for k, v := range changes {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// MergeClient merges two versions of a client that both started from
// base, field by field: a field changed on one side only takes that
// side's value; changed on both to the same value, that value; changed on
// both to different values, it is a conflict: merged keeps mine, and
// conflicts names the field (theirs is kept by the caller). Nothing is
// lost: every value is either merged or named.
func MergeClient(base, mine, theirs ClientFields) (merged ClientFields, conflicts []string) {
	merged = ClientFields{}
	for _, k := range ClientFieldNames {
		b, m, t := base[k], mine[k], theirs[k]
		v := m
		switch {
		case m == b:
			v = t
		case t == b || t == m:
		default:
			conflicts = append(conflicts, k)
		}
		if v != "" {
			merged[k] = v
		}
	}
	return merged, conflicts
}

// ClientFieldProblem says what is wrong with one field a client's change
// carries: its code (CodeUnknownField, CodeTooLong, CodeInvalidValue), or
// "" when it is acceptable. The server refuses a change with any.
func ClientFieldProblem(name, value string) string {
	switch {
	case !IsClientField(name):
		return CodeUnknownField
	case !utf8.ValidString(value) || strings.IndexFunc(value, func(r rune) bool { return hidden(r, name == FieldClientNote) }) >= 0:
		// A control character (an escape sequence on a colleague's
		// terminal, a line break in a one-line field) or a bidirectional
		// override (a name that reads otherwise than it sorts) is never
		// what an accountant typed.
		return CodeInvalidValue
	case name == FieldClientNote && utf8.RuneCountInString(value) > MaxClientNote,
		name != FieldClientNote && utf8.RuneCountInString(value) > MaxClientField:
		return CodeTooLong
	}
	switch name {
	case FieldNonDiffusible:
		if value != "" && value != "true" && value != "false" {
			return CodeInvalidValue
		}
	case FieldState:
		if value != "" && !slices.Contains(SyncStates, SyncState(value)) {
			return CodeInvalidValue
		}
	case FieldCategory:
		if value != "" && ParseCompanyCategory(value) == CategoryUnknown {
			return CodeInvalidValue
		}
	}
	return ""
}

// hidden reports a character no client field holds: a control character
// (but a note's line breaks and tabs), or a bidirectional embedding,
// override or isolate.
func hidden(r rune, note bool) bool {
	switch {
	case note && (r == '\n' || r == '\r' || r == '\t'):
		return false
	case unicode.IsControl(r):
		return true
	}
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// Codes of ClientFieldProblem.
const (
	CodeUnknownField = "firm.unknown_field"
	CodeTooLong      = "firm.too_long"
	CodeInvalidValue = "firm.invalid_value"
)
