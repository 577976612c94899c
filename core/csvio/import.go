package csvio

import (
	"context"
	"errors"
	"hash/maphash"
	"io"
	"strconv"
	"sync/atomic"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// BatchSize is how many rows one import transaction holds: large enough
// that a 100,000-row file costs 200 commits, small enough that memory stays
// flat and a crash loses at most one uncommitted batch (which a re-run
// redoes, since rows are keyed by identifier).
const BatchSize = 500

// Saver is the part of core.Store an import needs.
type Saver interface {
	SaveStructures(ctx context.Context, reqs []core.SaveStructure) ([]core.SaveResult, error)
}

// Stats counts what an import did.
type Stats struct {
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

// Rejection is one reason a row was refused, or (Warning) something said
// of a row that was kept, such as a duplicate identifier. A row with
// several problems gives several rejections with the same line.
type Rejection struct {
	Line  int
	Field string // "csv" for a row that could not be read at all
	Code  string
	// Params are what the code's text names, if anything.
	Params map[string]string
	// Warning marks a row that was kept all the same.
	Warning bool
	// Cells are the row's cells as the file wrote them, nil for a row that
	// could not be read; the rejections of one row share them.
	Cells []string
}

// CodeMalformed is the code of a row the CSV reader could not parse.
const CodeMalformed = "csv.malformed"

// Import reads structures from r, validates each row with core/validate and
// stores the valid ones queued for the portal (a row whose identifier exists
// updates it). Refused rows are reported, in order, and not stored; so is a
// row whose identifier an earlier row of the file had (a Warning: the later
// values are kept) and a quoted field that never ends (its line, and how
// many lines were therefore not read). Rows are committed in batches of
// BatchSize.
func Import(ctx context.Context, s Saver, r io.Reader, report func(Rejection)) (Stats, *Reader, error) {
	rd, err := NewReader(r)
	if err != nil {
		return Stats{}, nil, err
	}
	st, err := ImportFrom(ctx, s, rd, true, report)
	return st, rd, err
}

// ImportFrom is Import on a reader already past the header (a caller that
// needs the header first); queue false keeps the valid rows as drafts, to
// review before queueing them.
func ImportFrom(ctx context.Context, s Saver, rd *Reader, queue bool, report func(Rejection)) (Stats, error) {
	var st Stats
	// One goroutine writes the batches while this one reads and checks
	// the next: validation and SQLite's work overlap. At most one batch
	// waits, so memory stays at two batches whatever the file's size.
	type written struct {
		imported, updated int
		err               error
	}
	batches := make(chan []core.SaveStructure, 1)
	done := make(chan written, 1)
	var failed atomic.Bool
	// A batch handed over before a cancel is still written (at most two:
	// the one being written and the one waiting): a cancel stops the
	// reading, never a transaction half-way.
	wctx := context.WithoutCancel(ctx)
	go func() {
		var w written
		for b := range batches {
			if w.err != nil {
				continue // drain: the reader stops at its next row
			}
			res, err := s.SaveStructures(wctx, b)
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
	batch := make([]core.SaveStructure, 0, BatchSize)
	flush := func() {
		if len(batch) > 0 {
			batches <- batch
			batch = make([]core.SaveStructure, 0, BatchSize)
		}
	}
	// finish waits for the writer: rows already committed stay, and are
	// counted, whatever stopped the import.
	finish := func(err error) (Stats, error) {
		if err == nil {
			flush()
		}
		close(batches)
		w := <-done
		st.Imported, st.Updated = w.imported, w.updated
		if w.err != nil {
			return st, w.err
		}
		return st, err
	}
	// firstLine remembers where each identifier was first seen: a 64-bit
	// hash and a line, 16 bytes a row, so a file of a million rows costs
	// about 16 MB here and the rows themselves are never kept.
	firstLine := map[uint64]int{}
	seed := maphash.MakeSeed()
	for {
		if err := ctx.Err(); err != nil {
			return finish(err)
		}
		if failed.Load() {
			return finish(nil)
		}
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		var unclosed *UnclosedQuoteError
		if errors.As(err, &unclosed) {
			st.Rejected++
			st.Unread = unclosed.Swallowed
			report(Rejection{Line: unclosed.Line, Field: "csv", Code: CodeUnclosedQuote,
				Params: map[string]string{"lines": strconv.Itoa(unclosed.Swallowed)}})
			break
		}
		if err != nil {
			if row.Line == 0 {
				return finish(err)
			}
			st.Rejected++
			report(Rejection{Line: row.Line, Field: "csv", Code: CodeMalformed})
			continue
		}
		canon, problems := validate.Structure(row.Draft)
		if tooLong(row.Problems) {
			// The rest of the row was not read: its other fields say
			// nothing.
			problems = nil
		}
		problems = append(row.Problems, problems...)
		if problems.HasErrors() {
			st.Rejected++
			cells := rd.Cells()
			for _, p := range problems {
				if p.Severity == core.Error {
					report(Rejection{Line: row.Line, Field: p.Field, Code: p.Code, Params: p.Params, Cells: cells})
				}
			}
			continue
		}
		key := maphash.String(seed, canon.Key())
		if first, dup := firstLine[key]; dup {
			st.Duplicates++
			report(Rejection{Line: row.Line, Field: core.FieldIdentifier, Code: CodeDuplicateInFile, Warning: true,
				Params: map[string]string{"first": strconv.Itoa(first), "line": strconv.Itoa(row.Line)}})
		} else {
			firstLine[key] = row.Line
		}
		batch = append(batch, core.SaveStructure{Draft: canon, Problems: problems, Queue: queue})
		if len(batch) == BatchSize {
			flush()
		}
	}
	return finish(nil)
}

// tooLong reports whether a row was cut for a value over MaxField.
func tooLong(p core.Problems) bool {
	for _, x := range p {
		if x.Code == CodeTooLong {
			return true
		}
	}
	return false
}
