package core

import "time"

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
