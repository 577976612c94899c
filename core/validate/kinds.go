package validate

import "slices"

// Func validates one value and returns its canonical form.
type Func func(string) (string, error)

// Kinds are the single-value validators by the names the command line and
// the simulator use ("onboardctl validate siret ...").
var Kinds = map[string]Func{
	"siren":    SIREN,
	"siret":    SIRET,
	"vat-fr":   VATFR,
	"vat-eu":   VATEU,
	"ridet":    RIDET,
	"tahiti":   TAHITI,
	"postal":   PostalCode,
	"phone":    Phone,
	"email":    Email,
	"password": func(s string) (string, error) { return Password(s) },
	"country":  CountryCode,
}

// KindNames returns the names of Kinds, sorted.
func KindNames() []string {
	names := make([]string, 0, len(Kinds))
	for k := range Kinds {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
