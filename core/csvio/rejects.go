package csvio

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core/i18n"
)

// RejectionText is a rejection as a person reads it, in lang: the field's
// label and what to do, or only what to do for a row that could not be
// read.
func RejectionText(lang i18n.Lang, r Rejection) string {
	text := i18n.Format(lang, r.Code, r.Params)
	if r.Field == "" || r.Field == "csv" {
		return text
	}
	return i18n.Format(lang, "notice.field", map[string]string{"field": i18n.T(lang, "field."+r.Field), "text": text})
}

// RejectWriter writes the rows an import refused as a file to fix in a
// spreadsheet and import again: an error column first (import ignores it),
// then the file's own header; each refused row as the file wrote it, its
// line and reasons in the error column. Warnings (rows that were kept) are
// left out. Cells are guarded (Guard) like an export's: the file is opened
// in Excel.
type RejectWriter struct {
	w    *csv.Writer
	lang i18n.Lang
	// The row being gathered: rejections of one row arrive together.
	line    int
	cells   []string
	reasons []string
	rows    int
}

// NewRejectWriter writes the byte order mark if asked and the header.
func NewRejectWriter(w io.Writer, header []string, opt WriterOptions) (*RejectWriter, error) {
	cw, err := opt.start(w)
	if err != nil {
		return nil, err
	}
	head := append([]string{i18n.T(opt.Lang, "csv.error_column")}, header...)
	for i, v := range head {
		head[i] = Guard(v)
	}
	if err := cw.Write(head); err != nil {
		return nil, err
	}
	return &RejectWriter{w: cw, lang: opt.Lang}, nil
}

// Add records one rejection; those of one row are written as one line.
func (w *RejectWriter) Add(r Rejection) error {
	if r.Warning {
		return nil
	}
	if r.Line != w.line {
		if err := w.flushRow(); err != nil {
			return err
		}
		w.line, w.cells = r.Line, r.Cells
	}
	w.reasons = append(w.reasons, RejectionText(w.lang, r))
	return nil
}

func (w *RejectWriter) flushRow() error {
	if len(w.reasons) == 0 {
		return nil
	}
	reason := fmt.Sprintf("%s %s: %s", i18n.T(w.lang, "csv.line"), strconv.Itoa(w.line), strings.Join(w.reasons, "; "))
	row := make([]string, 0, 1+len(w.cells))
	row = append(row, Guard(reason))
	for _, c := range w.cells {
		// The value as import read it, guarded again: a cell the file
		// had already guarded is not guarded twice.
		row = append(row, Guard(Unguard(c)))
	}
	w.reasons, w.cells = w.reasons[:0], nil
	w.rows++
	return w.w.Write(row)
}

// Rows returns how many rows were written so far.
func (w *RejectWriter) Rows() int { return w.rows }

// Flush writes the last row and everything buffered, and returns the
// first write error.
func (w *RejectWriter) Flush() error {
	if err := w.flushRow(); err != nil {
		return err
	}
	w.w.Flush()
	return w.w.Error()
}
