package csvio

import (
	"context"
	"errors"
	"io"

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
}

// Rejection is one reason a row was refused. A row with several problems
// gives several rejections with the same line.
type Rejection struct {
	Line  int
	Field string // "csv" for a row that could not be read at all
	Code  string
	// Params are what the code's text names, if anything.
	Params map[string]string
}

// CodeMalformed is the code of a row the CSV reader could not parse.
const CodeMalformed = "csv.malformed"

// Import reads structures from r, validates each row with core/validate and
// stores the valid ones queued for the portal (a row whose identifier exists
// updates it). Refused rows are reported, in order, and not stored. Rows are
// committed in batches of BatchSize.
func Import(ctx context.Context, s Saver, r io.Reader, report func(Rejection)) (Stats, *Reader, error) {
	var st Stats
	rd, err := NewReader(r)
	if err != nil {
		return st, nil, err
	}
	batch := make([]core.SaveStructure, 0, BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := s.SaveStructures(ctx, batch)
		if err != nil {
			return err
		}
		for _, x := range res {
			if x.Created {
				st.Imported++
			} else {
				st.Updated++
			}
		}
		batch = batch[:0]
		return nil
	}
	for {
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if row.Line == 0 || errors.Is(err, io.ErrUnexpectedEOF) && row.Line == 0 {
				return st, rd, err
			}
			st.Rejected++
			report(Rejection{Line: row.Line, Field: "csv", Code: CodeMalformed})
			continue
		}
		canon, problems := validate.Structure(row.Draft)
		problems = append(row.Problems, problems...)
		if problems.HasErrors() {
			st.Rejected++
			for _, p := range problems {
				if p.Severity == core.Error {
					report(Rejection{Line: row.Line, Field: p.Field, Code: p.Code, Params: p.Params})
				}
			}
			continue
		}
		batch = append(batch, core.SaveStructure{Draft: canon, Problems: problems, Queue: true})
		if len(batch) == BatchSize {
			if err := flush(); err != nil {
				return st, rd, err
			}
		}
	}
	return st, rd, flush()
}
