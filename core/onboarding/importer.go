package onboarding

import (
	"context"
	"errors"
	"hash/maphash"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// ImportBatch is how many rows one import transaction holds: large enough
// that a 100,000-row file costs 200 commits, small enough that memory stays
// flat and a crash loses at most one uncommitted batch (which a re-run
// redoes, since rows are keyed by identifier).
const ImportBatch = 500

// errWriterFailed stops the reading when the writer failed: the writer's
// error is the import's.
var errWriterFailed = errors.New("the batch writer failed")

// ImportStats counts what an import did.
type ImportStats struct {
	Imported int // new structures
	Updated  int // structures that existed and were updated
	Rejected int // rows refused, not stored
	// Unread counts the lines a quoted field that never ends swallowed:
	// they were not read, so nothing of them was stored.
	Unread int
	// Duplicates counts rows whose identifier an earlier row of the file
	// had: each was reported, and the later row's values were kept.
	Duplicates int
}

// importRows keeps the rows of rd: each prepared as the form's would be
// (prepare), refused with its problems when it has errors, reported when
// an earlier row of the file had its identifier (a Warning: the later
// values are kept), the valid ones saved in batches of ImportBatch, queued
// for the portal unless queue is false. A cancelled ctx stops the
// reading; the batches handed over are still written, never half a
// transaction.
func (s *Workspace) importRows(ctx context.Context, rd *csvio.Reader, queue bool, report func(csvio.Rejection)) (ImportStats, error) {
	var st ImportStats
	// One goroutine writes the batches while this one reads and checks
	// the next: validation and SQLite's work overlap. At most one batch
	// waits, so memory stays at three batches whatever the file's size
	// (one being written, one waiting, one being filled).
	type written struct {
		imported, updated int
		err               error
	}
	batches := make(chan []core.SaveStructure, 1)
	done := make(chan written, 1)
	var failed atomic.Bool
	wctx := context.WithoutCancel(ctx)
	go func() {
		var w written
		for b := range batches {
			if w.err != nil {
				continue // drain: the reader stops at its next row
			}
			res, err := s.structures.saveAll(wctx, b)
			if err != nil {
				w.err = err
				failed.Store(true)
				continue
			}
			for _, x := range res {
				if x.Created {
					w.imported++
				} else {
					w.updated++
				}
			}
		}
		done <- w
	}()
	batch := make([]core.SaveStructure, 0, ImportBatch)
	// firstLine remembers where each identifier was first seen: a 64-bit
	// hash and a line, 16 bytes a row, so a file of a million rows costs
	// about 16 MB here and the rows themselves are never kept.
	firstLine := map[uint64]int{}
	day := s.today()
	seed := maphash.MakeSeed()
	unread, err := csvio.EachRow(ctx, rd, func(row csvio.Row) error {
		if failed.Load() {
			return errWriterFailed
		}
		checked := prepare(row.Draft)
		canon, problems := checked.Draft(), slices.Clone(checked.Problems())
		var reform core.Reform
		if row.ReformSet != 0 {
			var rp core.Problems
			reform, rp = validate.Reform(row.Reform, canon, day)
			problems = append(problems, rp...)
		}
		if row.TooLong() {
			problems = nil
		}
		problems = append(row.Problems, problems...)
		if problems.HasErrors() {
			st.Rejected++
			cells := rd.Cells()
			for _, p := range problems {
				if p.Severity == core.Error {
					report(csvio.Rejection{Line: row.Line, Field: p.Field, Code: p.Code, Params: p.Params, Cells: cells})
				}
			}
			return nil
		}
		key := maphash.String(seed, canon.Key())
		if first, dup := firstLine[key]; dup {
			st.Duplicates++
			report(csvio.Rejection{Line: row.Line, Field: core.FieldIdentifier, Code: csvio.CodeDuplicateInFile, Warning: true,
				Params: map[string]string{"first": strconv.Itoa(first), "line": strconv.Itoa(row.Line)}})
		} else {
			firstLine[key] = row.Line
		}
		// validate.Reform finds errors only, which refused the row: what
		// is kept here are the draft's problems.
		batch = append(batch, core.SaveStructure{Checked: checked, Queue: queue,
			Reform: reform, ReformSet: row.ReformSet})
		if len(batch) == ImportBatch {
			batches <- batch
			batch = make([]core.SaveStructure, 0, ImportBatch)
		}
		return nil
	}, func(x csvio.Rejection) {
		st.Rejected++
		report(x)
	})
	st.Unread = unread
	if err == errWriterFailed {
		err = nil
	}
	if err == nil && len(batch) > 0 {
		batches <- batch
	}
	// The writer finishes: rows already committed stay, and are counted,
	// whatever stopped the import.
	close(batches)
	w := <-done
	st.Imported, st.Updated = w.imported, w.updated
	if w.err != nil {
		return st, w.err
	}
	return st, err
}
