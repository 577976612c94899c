package core

import (
	"strings"
	"time"
)

// The e-invoicing reform (réforme de la facturation électronique): every
// VAT-registered company in France must be able to receive electronic
// invoices through an approved platform (plateforme agréée) from
// 1 September 2026; large companies and mid-caps must also issue them from
// that date, small and micro companies from 1 September 2027 (loi de
// finances 2024, art. 91, as amended).

// CompanyCategory is INSEE's categorie_entreprise of a company: its size
// as the reform's calendar reads it.
type CompanyCategory string

// The categories INSEE publishes; CategoryUnknown where none is known
// (a company too recent, a registry not consulted).
const (
	CategoryGE      CompanyCategory = "GE"  // grande entreprise
	CategoryETI     CompanyCategory = "ETI" // entreprise de taille intermédiaire
	CategoryPME     CompanyCategory = "PME" // petite ou moyenne entreprise, micro-entreprises included
	CategoryUnknown CompanyCategory = ""
)

// The reform's dates, at midnight in Paris.
var (
	// ReceiveFrom: every company must be able to receive e-invoices.
	ReceiveFrom = parisDate(2026, time.September, 1)
	// IssueFromLarge: large companies and mid-caps issue them.
	IssueFromLarge = parisDate(2026, time.September, 1)
	// IssueFromSmall: small and micro companies issue them.
	IssueFromSmall = parisDate(2027, time.September, 1)
)

// parisDate is midnight of a day in Paris in September, when France is on
// summer time (+02:00) every year: a fixed offset, so no time zone
// database is read when the program starts (Windows has none for Go).
func parisDate(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.FixedZone("CEST", 2*60*60))
}

// Obligations are what the reform asks of one company.
type Obligations struct {
	// ReceiveFrom is when it must be able to receive e-invoices (the same
	// for every company).
	ReceiveFrom time.Time
	// IssueFrom is when it must issue them, by its category.
	IssueFrom time.Time
	// CategoryKnown is false when the category is unknown: IssueFrom is
	// then the later date, and the screens say the category must be
	// checked (a company whose category is not known may be large).
	CategoryKnown bool
}

// ObligationsOf derives a company's obligations from its category.
func ObligationsOf(c CompanyCategory) Obligations {
	o := Obligations{ReceiveFrom: ReceiveFrom, IssueFrom: IssueFromSmall, CategoryKnown: true}
	switch c {
	case CategoryGE, CategoryETI:
		o.IssueFrom = IssueFromLarge
	case CategoryPME:
	default:
		o.CategoryKnown = false
	}
	return o
}

// ParseCompanyCategory reads a category as INSEE and the registries write
// it (any case, surrounding spaces); anything else is CategoryUnknown.
func ParseCompanyCategory(s string) CompanyCategory {
	switch c := CompanyCategory(upperASCII(s)); c {
	case CategoryGE, CategoryETI, CategoryPME:
		return c
	}
	return CategoryUnknown
}

// upperASCII trims and upper-cases ASCII letters.
func upperASCII(s string) string {
	b := []byte(s)
	i, j := 0, len(b)
	for i < j && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	for j > i && (b[j-1] == ' ' || b[j-1] == '\t') {
		j--
	}
	b = b[i:j]
	for k, c := range b {
		if 'a' <= c && c <= 'z' {
			b[k] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// Date is a calendar day as "YYYY-MM-DD"; the empty Date is no date. A
// day, not an instant: the day a mandate was signed or the directory
// checked is the same wherever the file is opened.
type Date string

// DateOf is the day of t in t's own location.
func DateOf(t time.Time) Date { return Date(t.Format(time.DateOnly)) }

// ParseDate reads a day as ISO 8601 (2026-09-01) or as French and
// spreadsheets write it (01/09/2026, 1/9/2026, 01.09.2026, 01-09-2026),
// surrounding spaces allowed; ok is false for anything else, and for a day
// that does not exist (31/02/2026). The empty string is the empty Date.
func ParseDate(s string) (Date, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return DateOf(t), true
	}
	for _, sep := range []string{"/", ".", "-"} {
		for _, layout := range []string{"02/01/2006", "2/1/2006"} {
			l := strings.ReplaceAll(layout, "/", sep)
			if t, err := time.Parse(l, s); err == nil {
				return DateOf(t), true
			}
		}
	}
	return "", false
}

// Time is the day at midnight UTC; the zero time for no date.
func (d Date) Time() time.Time {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return time.Time{}
	}
	return t
}

// Valid reports whether d is empty or a day written canonically.
func (d Date) Valid() bool {
	if d == "" {
		return true
	}
	t, err := time.Parse(time.DateOnly, string(d))
	return err == nil && DateOf(t) == d
}

// AddDays is the day n days after d (before when n < 0); empty stays
// empty.
func (d Date) AddDays(n int) Date {
	if d == "" {
		return ""
	}
	return DateOf(d.Time().AddDate(0, 0, n))
}

// CategorySource says where a structure's company category comes from.
type CategorySource string

// Sources of a category: the company registry's record (the pre-fill), or
// the user who typed or imported it.
const (
	CategoryFromRegistry CategorySource = "registry"
	CategoryFromUser     CategorySource = "user"
)

// Reform is what an accountant keeps of one client for the e-invoicing
// reform. It is the firm's own bookkeeping, never sent to the portal (the
// portal's directory has no API), so it is kept beside the structure's
// draft, not in it, and stays editable once the structure is on the
// portal.
type Reform struct {
	// Platform is the approved platform (plateforme agréée) the client
	// chose to receive its invoices, as the accountant names it.
	Platform string
	// MandateSigned is the day the client signed the firm's mandate.
	MandateSigned Date
	// Addresses are the invoicing addresses the client gave, canonical
	// (validate.InvoicingAddress).
	Addresses []string
	// CheckedOn is the day someone looked the client up in the directory;
	// Seen is what the directory said then.
	CheckedOn Date
	Seen      string
	// Note is free text.
	Note string
	// Category is the company's size, CategorySource where it comes from.
	Category       CompanyCategory
	CategorySource CategorySource
}

// ReformFields is a set of Reform's fields: a save or an import that
// carries only some of them leaves the others as they are.
type ReformFields uint8

// One bit per field of Reform (Category carries CategorySource).
const (
	ReformPlatform ReformFields = 1 << iota
	ReformMandate
	ReformAddresses
	ReformCheckedOn
	ReformSeen
	ReformNote
	ReformCategory

	ReformAll = ReformPlatform | ReformMandate | ReformAddresses | ReformCheckedOn | ReformSeen | ReformNote | ReformCategory
)

// Field names of Reform, shared by problems, files and translations.
const (
	FieldPlatform       = "receiving_platform"
	FieldMandateSigned  = "mandate_signed"
	FieldAddresses      = "invoicing_addresses"
	FieldCheckedOn      = "directory_checked_on"
	FieldSeen           = "directory_seen"
	FieldReformNote     = "reform_note"
	FieldCategory       = "company_category"
	FieldCategorySource = "company_category_source"
)

// ReformColumns are Reform's columns in files, in this order, each with
// its bit.
var ReformColumns = []struct {
	Name string
	Bit  ReformFields
}{
	{FieldCategory, ReformCategory}, {FieldPlatform, ReformPlatform}, {FieldMandateSigned, ReformMandate},
	{FieldAddresses, ReformAddresses}, {FieldCheckedOn, ReformCheckedOn}, {FieldSeen, ReformSeen},
	{FieldReformNote, ReformNote},
}

// Obligations derives the client's obligations from its category.
func (r Reform) Obligations() Obligations { return ObligationsOf(r.Category) }

// CheckDue reports whether the client's directory entry should be looked
// at again: never checked, or last checked more than days days before
// today.
func (r Reform) CheckDue(today Date, days int) bool {
	return r.CheckedOn == "" || r.CheckedOn < today.AddDays(-days)
}

// RecheckDays is how old a look in the directory may be before the
// workspace asks for another: a client's platform or addresses change, and
// a firm checks its clients at least each quarter.
const RecheckDays = 90
