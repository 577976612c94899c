// Package core holds Chorus Onboard's domain: the drafts a user prepares for the
// Chorus Pro portal, the problems validation finds in them, the error kinds every
// layer shares, and the interfaces (store, secrets) that the adapters in core/*
// implement.
//
// core imports only the standard library so that the desktop app, the command
// line and the portal simulator all share one definition of the domain, and so
// that it builds and tests anywhere without cgo. A test fences this.
package core

import (
	"fmt"
	"slices"
	"time"
)

// IdentifierType is the kind of identifier a structure is registered under, with
// the values of the Chorus Pro API (typeIdentifiantStructure).
type IdentifierType string

// The identifier types of the Chorus Pro API, in the order of the portal's list.
const (
	IDSIRET       IdentifierType = "SIRET"
	IDEUOutside   IdentifierType = "UE_HORS_FRANCE"
	IDOutsideEU   IdentifierType = "HORS_UE"
	IDRIDET       IdentifierType = "RIDET"
	IDTAHITI      IdentifierType = "TAHITI"
	IDParticulier IdentifierType = "PARTICULIER"
	IDOther       IdentifierType = "AUTRE"
)

// DefaultCountry is a structure's country when none is given: France. It
// is set in this one place (validation writes it into the canonical
// draft; forms and files leave the field empty).
const DefaultCountry = "FR"

// IdentifierTypeInfo describes one identifier type as the portal shows it.
type IdentifierTypeInfo struct {
	Type IdentifierType
	// LabelFR and LabelEN are the portal's own labels. AUTRE is offered by the
	// portal as "en cours d'immatriculation" (being registered): the API has no
	// separate value for it.
	LabelFR, LabelEN string
}

// IdentifierTypes lists every identifier type in the portal's order.
var IdentifierTypes = []IdentifierTypeInfo{
	{IDSIRET, "SIRET", "SIRET"},
	{IDEUOutside, "Structure européenne hors France", "EU structure outside France"},
	{IDOutsideEU, "Structure hors UE", "Structure outside the EU"},
	{IDRIDET, "Structure avec RIDET", "Structure with a RIDET"},
	{IDTAHITI, "Structure avec numéro TAHITI", "Structure with a TAHITI number"},
	{IDParticulier, "Particulier", "Private individual"},
	{IDOther, "En cours d'immatriculation", "Being registered"},
}

// Valid reports whether t is one of the API's values.
func (t IdentifierType) Valid() bool {
	return slices.ContainsFunc(IdentifierTypes, func(i IdentifierTypeInfo) bool { return i.Type == t })
}

// Info returns the portal labels of t; ok is false for an unknown type.
func (t IdentifierType) Info() (info IdentifierTypeInfo, ok bool) {
	for _, i := range IdentifierTypes {
		if i.Type == t {
			return i, true
		}
	}
	return IdentifierTypeInfo{}, false
}

// StructureKind is the API's structurePriveePublique / typeStructure value.
type StructureKind string

// The two structure kinds the API exposes. Users can only create private
// structures on the portal; public ones come from Hélios, but the value is kept
// so that read-back of an existing public structure round-trips.
const (
	KindPrivate StructureKind = "PRIVEE"
	KindPublic  StructureKind = "PUBLIQUE"
)

// Valid reports whether k is one of the API's values.
func (k StructureKind) Valid() bool { return k == KindPrivate || k == KindPublic }

// Field names shared by drafts, problems, CSV headers and translations. They are
// stable identifiers: changing one breaks saved problems and imported files.
const (
	FieldLoginEmail        = "login_email"
	FieldLoginEmailConfirm = "login_email_confirm"
	FieldFirstName         = "first_name"
	FieldLastName          = "last_name"
	FieldPhone             = "phone"
	FieldContactEmail      = "contact_email"
	FieldConditions        = "conditions"
	FieldPassword          = "password"
	FieldPasswordConfirm   = "password_confirm"

	FieldIdentifierType = "identifier_type"
	FieldIdentifier     = "identifier"
	FieldStructureKind  = "structure_kind"
	FieldCompanyName    = "company_name"
	FieldStructureName  = "structure_name"
	FieldEmail          = "email"
	FieldAddress        = "address"
	FieldComplement1    = "address_complement_1"
	FieldComplement2    = "address_complement_2"
	FieldCity           = "city"
	FieldPostalCode     = "postal_code"
	FieldCountry        = "country"
	FieldNonDiffusible  = "non_diffusible"
)

// AccountDraft is the "Personal Information" form of the portal (steps 1-2),
// as the user typed it. Values are kept as typed until validation returns the
// canonical form; a draft may be incomplete.
type AccountDraft struct {
	// LoginEmail is the account identifier on the portal; it cannot be changed
	// once the account exists.
	LoginEmail string
	// LoginEmailConfirm must equal LoginEmail; the portal asks for it twice.
	LoginEmailConfirm string
	FirstName         string
	LastName          string
	// Phone is optional; when valid it is stored in E.164.
	Phone string
	// ContactEmail receives the portal's notifications. Empty means "same as
	// the login e-mail", which is the portal's default.
	ContactEmail string
	// ConditionsAcceptedAt is when the user ticked "I accept the conditions";
	// the zero time means not accepted.
	ConditionsAcceptedAt time.Time
}

// EffectiveContactEmail returns the contact e-mail the portal will use: the one
// typed, or the login e-mail when none was typed.
func (a AccountDraft) EffectiveContactEmail() string {
	if a.ContactEmail != "" {
		return a.ContactEmail
	}
	return a.LoginEmail
}

// ConditionsAccepted reports whether the user accepted the conditions.
func (a AccountDraft) ConditionsAccepted() bool { return !a.ConditionsAcceptedAt.IsZero() }

// StructureDraft is the portal's structure form (step 6): general information,
// address details and options. A structure is identified on the portal by
// country, identifier type and identifier. Core's types carry no JSON
// names: the onboarding API (core/api), the outbox payload (payload.go) and
// the database each have their own, so renaming a field here changes none.
type StructureDraft struct {
	IdentifierType IdentifierType
	// Identifier is stored canonical once valid (SIRET: 14 digits).
	Identifier string
	Kind       StructureKind
	// CompanyName is the raison sociale; required.
	CompanyName string
	// StructureName is the libellé shown in the portal's lists; optional.
	StructureName string
	Email         string
	Phone         string
	Address       string // required
	Complement1   string
	Complement2   string
	City          string // required
	PostalCode    string // required
	// Country is an ISO 3166-1 alpha-2 code; empty means France.
	Country string
	// NonDiffusible marks a company whose data INSEE does not publish; the
	// portal masks its address.
	NonDiffusible bool
}

// EffectiveCountry returns the structure's country, France when none was set.
func (s StructureDraft) EffectiveCountry() string {
	if s.Country == "" {
		return DefaultCountry
	}
	return s.Country
}

// WithDefaults returns the draft with what an empty field means filled
// in: a SIRET, a private structure, in France. A form compares drafts so,
// so that a field left empty is not taken for a change.
func (s StructureDraft) WithDefaults() StructureDraft {
	if s.IdentifierType == "" {
		s.IdentifierType = IDSIRET
	}
	if s.Kind == "" {
		s.Kind = KindPrivate
	}
	s.Country = s.EffectiveCountry()
	return s
}

// Key returns what identifies the structure locally: one draft per
// (identifier type, identifier).
func (s StructureDraft) Key() string { return string(s.IdentifierType) + ":" + s.Identifier }

// TextField returns the text field named field (a Field constant), nil for
// a field that is not free text (identifier type, kind, country,
// non-diffusible). Forms and bulk edits set fields by name through it.
func (s *StructureDraft) TextField(field string) *string {
	switch field {
	case FieldIdentifier:
		return &s.Identifier
	case FieldCompanyName:
		return &s.CompanyName
	case FieldStructureName:
		return &s.StructureName
	case FieldEmail:
		return &s.Email
	case FieldPhone:
		return &s.Phone
	case FieldAddress:
		return &s.Address
	case FieldComplement1:
		return &s.Complement1
	case FieldComplement2:
		return &s.Complement2
	case FieldCity:
		return &s.City
	case FieldPostalCode:
		return &s.PostalCode
	}
	return nil
}

// Severity tells whether a problem blocks submission.
type Severity int

// Severities, from least to most serious.
const (
	// Warning: the value is accepted but deserves a look (an unknown postal
	// code, an identifier that could not be checked online).
	Warning Severity = iota + 1
	// Error: the value must be fixed before the draft can be sent.
	Error
)

// String returns "warning" or "error".
func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Problem is one finding of validation about one field. Code is stable (for
// example "siret.checksum") and is what the UI translates; it never carries
// the user's data.
type Problem struct {
	Field    string
	Code     string
	Severity Severity
	// Params are what the code's text names ({chars}: the characters to
	// type again); never a whole value the user typed.
	Params map[string]string
}

// Problems is every finding of one validation pass, so that a form can show
// them all at once.
type Problems []Problem

// HasErrors reports whether any problem blocks submission.
func (p Problems) HasErrors() bool {
	return slices.ContainsFunc(p, func(x Problem) bool { return x.Severity == Error })
}

// Errors returns the problems that block submission, leaving warnings out.
func (p Problems) Errors() Problems {
	var out Problems
	for _, x := range p {
		if x.Severity == Error {
			out = append(out, x)
		}
	}
	return out
}

// ForField returns the problems about one field, errors first.
func (p Problems) ForField(field string) Problems {
	var out Problems
	for _, x := range p {
		if x.Field == field {
			out = append(out, x)
		}
	}
	slices.SortStableFunc(out, func(a, b Problem) int { return int(b.Severity) - int(a.Severity) })
	return out
}
