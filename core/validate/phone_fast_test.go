package validate

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestFrenchNationalAsParsed (issue 34): the fast reading of a French-plan
// national number says what libphonenumber's Parse says, valid or not and
// the same E.164, for every two-digit prefix and the overseas ones, in
// each region of the plan.
func TestFrenchNationalAsParsed(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var numbers []string
	for p := 10; p <= 99; p++ {
		for range 40 {
			numbers = append(numbers, fmt.Sprintf("0%d%07d", p, rng.IntN(10_000_000)))
		}
	}
	for prefix := range domPrefixes {
		for range 40 {
			numbers = append(numbers, fmt.Sprintf("%s%06d", prefix, rng.IntN(1_000_000)))
		}
	}
	for region := range frenchPlan {
		for _, d := range numbers {
			r := region
			if dom, ok := domPrefixes[d[:4]]; ok {
				r = dom
			}
			fast, ferr := frenchNational(d, r)
			slow, serr := parsed(d, r)
			if fast != slow || (ferr == nil) != (serr == nil) {
				t.Errorf("%s in %s: fast %q %v, Parse %q %v", d, r, fast, ferr, slow, serr)
			}
		}
	}
}

// BenchmarkPhoneIn is a French mobile and landline number, as an import
// reads them.
func BenchmarkPhoneIn(b *testing.B) {
	for i := range b.N {
		if _, err := PhoneIn([]string{"06 12 45 78 98", "01 23 45 67 89"}[i%2], "FR"); err != nil {
			b.Fatal(err)
		}
	}
}
