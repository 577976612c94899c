package onboarding

import (
	"context"
	"slices"
	"sync"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/registry"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// prefillWorkers is how many look-ups a bulk pre-fill has in flight: the
// registry client spaces them at the registry's published rate, and a few
// in flight keep that rate whatever the network's latency.
const prefillWorkers = 4

// FieldDifference is a field where the registry disagrees with what was
// typed.
type FieldDifference struct {
	Field, Typed, Registry string
}

// Difference is a row where the registry disagrees with what was typed, to
// accept or reject as a whole.
type Difference struct {
	ID    int64
	Label string
	// Seen is the record as compared: accepting changes it only if it is
	// still so.
	Seen   core.Version
	Fields []FieldDifference
}

// PrefillResult is what a bulk pre-fill did: BulkResult.Done counts the
// rows looked up, Filled those whose empty fields were filled.
type PrefillResult struct {
	BulkResult
	Filled int
	// Differences lists the rows where the registry disagrees, the first
	// MaxListed; MoreDifferences counts the others.
	Differences     []Difference
	MoreDifferences int
}

// errNoRegistry says no registry is set up for this environment.
var errNoRegistry = &core.E{Kind: core.KindUnavailable, Code: "registry.none", Op: "look up companies"}

// PrefillStructures looks each structure of ids up in the company registry
// (at its published rate: the registry client spaces the calls) and fills
// the fields left empty; a row that was queued stays queued with its new
// values. Where the registry disagrees with a typed value, nothing is
// changed: the row is listed in Differences for a person to decide. Each
// row is written alone as its answer arrives, only if unchanged since it
// was read, so that a cancelled pre-fill leaves every row either filled or
// untouched.
func (s *Workspace) PrefillStructures(ctx context.Context, ids []int64, progress ProgressFunc) (PrefillResult, error) {
	res := PrefillResult{BulkResult: BulkResult{Total: len(ids)}}
	reg := s.conn.Target().Registry
	if reg == nil {
		return res, errNoRegistry
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex // guards res and done
	done := 0
	step := func() {
		done++
		if progress != nil {
			progress(done, len(ids))
		}
	}
	err := s.eachChunk(ctx, ids, nil, func(recs []core.StructureRecord) error {
		jobs := make(chan core.StructureRecord)
		var wg sync.WaitGroup
		for range min(prefillWorkers, len(recs)) {
			wg.Go(func() {
				for r := range jobs {
					out, err := s.prefillOne(ctx, reg, r)
					mu.Lock()
					switch {
					case err != nil && !isCancel(err):
						// The INSEE key refused, the store failing: every
						// other row would fail the same way.
						cancel(err)
					case err == nil:
						res.merge(r, out)
						step()
					}
					mu.Unlock()
				}
			})
		}
		for _, r := range recs {
			select {
			case jobs <- r:
			case <-ctx.Done():
			}
		}
		close(jobs)
		wg.Wait()
		return context.Cause(ctx)
	})
	// Rows asked for but gone from the store count as done: nothing to do.
	if err == nil && done < len(ids) && progress != nil {
		progress(len(ids), len(ids))
	}
	res.inOrder(ids)
	return res, err
}

// inOrder lists the differences and notes in the order of ids (look-ups
// finish in any order), keeping the first MaxListed differences: the
// review reads the same on every run.
func (r *PrefillResult) inOrder(ids []int64) {
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		if _, seen := pos[id]; !seen {
			pos[id] = i
		}
	}
	slices.SortStableFunc(r.Differences, func(a, b Difference) int { return pos[a.ID] - pos[b.ID] })
	slices.SortStableFunc(r.Notes, func(a, b RowNote) int { return pos[a.ID] - pos[b.ID] })
	if len(r.Differences) > MaxListed {
		r.MoreDifferences = len(r.Differences) - MaxListed
		r.Differences = slices.Clip(r.Differences[:MaxListed])
	}
}

// prefillOutcome is what one row's look-up did.
type prefillOutcome struct {
	skip   *RowNote
	filled bool
	closed bool
	diff   *Difference
}

// merge adds one row's outcome to the result.
func (r *PrefillResult) merge(rec core.StructureRecord, o prefillOutcome) {
	if o.skip != nil {
		r.note(rec, *o.skip)
		return
	}
	r.Done++
	if o.filled {
		r.Filled++
	}
	if o.closed {
		r.note(rec, RowNote{Reason: NoteClosed, Warning: true})
	}
	if o.diff != nil {
		// All kept until inOrder cuts them: at most one per row asked.
		r.Differences = append(r.Differences, *o.diff)
	}
}

// prefillOne looks one row up and fills it. A registry's failure for this
// row is a skip; an error stops the whole action.
func (s *Workspace) prefillOne(ctx context.Context, reg Registry, r core.StructureRecord) (prefillOutcome, error) {
	if r.Sync.State.OnPortal() {
		return prefillOutcome{skip: &RowNote{Reason: SkipOnPortal}}, nil
	}
	siret, err := validate.SIRET(r.Draft.Identifier)
	if r.Draft.IdentifierType != core.IDSIRET || err != nil {
		return prefillOutcome{skip: &RowNote{Reason: SkipNotSIRET}}, nil
	}
	c, err := reg.Lookup(ctx, siret)
	switch {
	case isCancel(err) || ctx.Err() != nil:
		return prefillOutcome{}, context.Cause(ctx)
	case core.KindOf(err) == core.KindNotFound:
		return prefillOutcome{skip: &RowNote{Reason: SkipUnknown}}, nil
	case core.KindOf(err) == core.KindUnauthorized:
		return prefillOutcome{}, err
	case err != nil:
		return prefillOutcome{skip: &RowNote{Reason: SkipRegistry, Code: core.CodeOf(err), Params: paramsOf(err)}}, nil
	}
	d, diffs := fill(r.Draft, c)
	out := prefillOutcome{closed: !c.Active}
	seen := core.Version{Updated: r.Updated, State: r.Sync.State}
	// The registry's category is kept unless the user chose one: the
	// reform's dates follow from it.
	category := c.Category != core.CategoryUnknown && r.Reform.CategorySource != core.CategoryFromUser && r.Reform.Category != c.Category
	if d != r.Draft || category {
		checked := prepare(d)
		queue := r.Sync.State == core.StateQueued && !checked.Problems().HasErrors()
		req := core.SaveStructure{ID: r.ID, Checked: checked, Queue: queue, Unchanged: &seen}
		if category {
			req.Reform, req.ReformSet = core.Reform{Category: c.Category, CategorySource: core.CategoryFromRegistry}, core.ReformCategory
		}
		saved, err := s.structures.saveAll(ctx, []core.SaveStructure{req})
		if err != nil {
			return prefillOutcome{}, err
		}
		if saved[0].Changed {
			return prefillOutcome{skip: &RowNote{Reason: SkipChanged}}, nil
		}
		// The differences are against the record as now written.
		rec, err := s.structures.store.Structure(ctx, r.ID)
		if err != nil {
			return prefillOutcome{}, err
		}
		out.filled, seen = d != r.Draft, core.Version{Updated: rec.Updated, State: rec.Sync.State}
	}
	if len(diffs) > 0 {
		out.diff = &Difference{ID: r.ID, Label: Label(d), Seen: seen, Fields: diffs}
	}
	return out, nil
}

// registryFields are the fields a registry answer fills, with its value
// in each.
func registryFields(c registry.Company) []FieldDifference {
	return []FieldDifference{
		{Field: core.FieldCompanyName, Registry: c.Name},
		{Field: core.FieldAddress, Registry: c.Address},
		{Field: core.FieldComplement1, Registry: c.Complement1},
		{Field: core.FieldComplement2, Registry: c.Complement2},
		{Field: core.FieldCity, Registry: c.City},
		{Field: core.FieldPostalCode, Registry: c.PostalCode},
	}
}

// fill returns d with its empty fields filled from the registry (and
// non-diffusible set when the registry says so), and the fields where both
// have a value and they differ (without case, accents or punctuation: "12,
// rue de la Paix" is "12 RUE DE LA PAIX").
func fill(d core.StructureDraft, c registry.Company) (core.StructureDraft, []FieldDifference) {
	var diffs []FieldDifference
	for _, f := range registryFields(c) {
		p := d.TextField(f.Field)
		switch {
		case f.Registry == "":
		case *p == "":
			*p = f.Registry
		case validate.SearchKey(*p) != validate.SearchKey(f.Registry):
			diffs = append(diffs, FieldDifference{Field: f.Field, Typed: *p, Registry: f.Registry})
		}
	}
	if country := c.Country; country != "" && country != d.EffectiveCountry() {
		diffs = append(diffs, FieldDifference{Field: core.FieldCountry, Typed: d.EffectiveCountry(), Registry: country})
	}
	if c.NonDiffusible {
		// A company's choice not to be published is the registry's to
		// say, as the structure form does on a look-up.
		d.NonDiffusible = true
	}
	return d, diffs
}

// AcceptDifferences takes the registry's values of the rows in diffs. A
// row changed since it was compared is left as it is (said, not
// overwritten); a row that was queued stays queued when still valid.
func (s *Workspace) AcceptDifferences(ctx context.Context, diffs []Difference, progress ProgressFunc) (BulkResult, error) {
	res := BulkResult{Total: len(diffs)}
	byID := make(map[int64]Difference, len(diffs))
	ids := make([]int64, 0, len(diffs))
	for _, d := range diffs {
		byID[d.ID] = d
		ids = append(ids, d.ID)
	}
	err := s.eachChunk(ctx, ids, progress, func(recs []core.StructureRecord) error {
		reqs := make([]core.SaveStructure, 0, len(recs))
		for _, r := range recs {
			diff := byID[r.ID]
			d := r.Draft
			for _, f := range diff.Fields {
				switch f.Field {
				case core.FieldCountry:
					d.Country = f.Registry
				case core.FieldNonDiffusible:
					d.NonDiffusible = f.Registry == "true"
				default:
					if p := d.TextField(f.Field); p != nil {
						*p = f.Registry
					}
				}
			}
			checked := prepare(d)
			seen := diff.Seen
			reqs = append(reqs, core.SaveStructure{ID: r.ID, Checked: checked, Unchanged: &seen,
				Queue: r.Sync.State == core.StateQueued && !checked.Problems().HasErrors()})
		}
		return s.saveEach(ctx, reqs, recs, &res)
	})
	return res, err
}
