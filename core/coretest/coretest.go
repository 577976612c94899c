// Package coretest holds helpers shared by tests across packages: test data
// that must be valid by the app's own rules.
package coretest

import (
	"context"
	"errors"
	"fmt"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// SIRETs returns n distinct valid SIRETs (Luhn on the SIREN and on all 14
// digits), deterministic, none of them La Poste's.
func SIRETs(n int) []string {
	out := make([]string, 0, n)
	for i := 0; len(out) < n; i++ {
		base := fmt.Sprintf("%08d", 20000000+i*7919%70000000)
		for d := 0; d <= 9; d++ {
			siren := base + fmt.Sprint(d)
			if _, err := validate.SIREN(siren); err != nil {
				continue
			}
			for k := 0; k <= 9; k++ {
				if s, err := validate.SIRET(siren + "0001" + fmt.Sprint(k)); err == nil {
					out = append(out, s)
					break
				}
			}
			break
		}
	}
	return out
}

// errFound stops EachStructure once the record is found.
var errFound = errors.New("found")

// StructureByKey returns the structure with this identifier from st, or a
// KindNotFound error: tests find records by what they typed.
func StructureByKey(ctx context.Context, st core.StructureStore, t core.IdentifierType, identifier string) (core.StructureRecord, error) {
	var out core.StructureRecord
	err := st.EachStructure(ctx, func(r core.StructureRecord) error {
		if r.Draft.IdentifierType == t && r.Draft.Identifier == identifier {
			out = r
			return errFound
		}
		return nil
	})
	switch {
	case errors.Is(err, errFound):
		return out, nil
	case err != nil:
		return out, err
	}
	return out, &core.E{Kind: core.KindNotFound, Code: "store.not_found", Op: "find structure"}
}
