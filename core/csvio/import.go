package csvio

import (
	"context"
	"errors"
	"io"
	"strconv"
)

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

// EachRow hands every data row of rd to fn, in order, and every row that
// could not be read to unreadable (a stray quote: CodeMalformed; a quoted
// field that never ends: CodeUnclosedQuote, after which nothing more can
// be read, and unread says how many lines it swallowed). It stops at ctx's
// end, fn's first error, or a read error that is not a row's, each
// returned. What to do with a row is the caller's: this package only
// reads and writes files.
func EachRow(ctx context.Context, rd *Reader, fn func(Row) error, unreadable func(Rejection)) (unread int, err error) {
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		row, err := rd.Next()
		if err == io.EOF {
			return 0, nil
		}
		var unclosed *UnclosedQuoteError
		if errors.As(err, &unclosed) {
			unreadable(Rejection{Line: unclosed.Line, Field: "csv", Code: CodeUnclosedQuote,
				Params: map[string]string{"lines": strconv.Itoa(unclosed.Swallowed)}})
			return unclosed.Swallowed, nil
		}
		if err != nil {
			if row.Line == 0 {
				return 0, err
			}
			unreadable(Rejection{Line: row.Line, Field: "csv", Code: CodeMalformed})
			continue
		}
		if err := fn(row); err != nil {
			return 0, err
		}
	}
}

// TooLong reports whether a row was cut for a value over MaxField: the
// rest of it was not read, so its other fields say nothing.
func (r Row) TooLong() bool {
	for _, x := range r.Problems {
		if x.Code == CodeTooLong {
			return true
		}
	}
	return false
}
