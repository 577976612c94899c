package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// BenchmarkQueryStructures: the workspace's query, as a filter keystroke
// asks it, at 10,000 and 100,000 structures (make bench). The anchor is
// the least such a filter can cost: a substring test on the same folded
// keys, already in a slice.
func BenchmarkQueryStructures(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		db := MustOpen(b)
		ctx := context.Background()
		cities := []string{"Paris", "Lyon", "Saint-Étienne", "Marseille", "Ajaccio", "Nantes"}
		var batch []core.SaveStructure
		keys := make([]string, 0, n)
		for i, s := range coretest.SIRETs(n) {
			d := sampleStructure(s)
			d.CompanyName, d.City = fmt.Sprintf("Société %d Dupont", i), cities[i%len(cities)]
			batch = append(batch, core.SaveStructure{Checked: core.CheckStructure(d)})
			keys = append(keys, searchKey(d))
			if len(batch) == 500 {
				if _, err := db.Structures.SaveStructures(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		if _, err := db.Structures.SaveStructures(ctx, batch); err != nil {
			b.Fatal(err)
		}
		var typed []string
		for _, w := range []string{"saint etienne", "dupont 12", "ajaccio"} {
			for i := 1; i <= len(w); i++ {
				typed = append(typed, w[:i])
			}
		}
		var query, scan []time.Duration
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				for _, text := range typed {
					start := time.Now()
					if _, err := db.Workspace.QueryStructures(ctx, core.StructureQuery{Text: text, Sort: core.SortCompany}); err != nil {
						b.Fatal(err)
					}
					query = append(query, time.Since(start))
					start = time.Now()
					words := strings.Fields(validate.SearchKey(text))
					hits := 0
					for _, k := range keys {
						if containsAll(k, "", words) {
							hits++
						}
					}
					scan = append(scan, time.Since(start))
				}
			}
		})
		p95 := func(d []time.Duration) string {
			s := slices.Clone(d)
			slices.Sort(s)
			return fmt.Sprintf("%.2f ms", float64(s[len(s)*95/100].Microseconds())/1000)
		}
		fmt.Printf("%-62s %-22s  anchor: %s\n", fmt.Sprintf("store query for a filter keystroke, %d rows, sorted by name", n),
			"p95 "+p95(query), "substring test alone on the same keys p95 "+p95(scan))
		db.Close()
	}
}
