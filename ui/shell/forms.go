package shell

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
)

// FieldValidator returns the validator of one field of a form whose rules
// span fields (the e-mail confirmation must match, a SIRET must fit the
// country): the whole draft is validated with v as that field's value (Fyne
// validates before the entry holds v) and the field's first error is shown
// in the user's language. draft returns false while the form is still
// being built.
func FieldValidator[D any](u *Shell, field string, draft func() (D, bool), set func(d *D, field, v string),
	check func(D) core.Problems) fyne.StringValidator {
	return func(v string) error {
		d, ok := draft()
		if !ok {
			return nil
		}
		set(&d, field, v)
		for _, p := range check(d).ForField(field) {
			if p.Severity == core.Error {
				return errors.New(i18n.Format(u.text.lang, p.Code, p.Params))
			}
		}
		return nil
	}
}

// Saver keeps one draft in the store in the order it was typed: one save at
// a time, off the UI goroutine; a save asked for while one runs waits, and
// a newer one replaces it, so typing fast costs few writes and the last
// keystroke wins. Every method runs on the UI goroutine, so its state needs
// no lock.
type Saver[R any] struct {
	u *Shell
	// done receives each save's result, on the UI goroutine; waiting tells
	// whether another save is already queued behind it.
	done    func(r R, err error, waiting bool)
	busy    bool
	pending func() func(context.Context) (R, error)
	idle    []func()
}

// Request asks for a save. build runs on the UI goroutine when the save
// starts (not now), so it reads the state as it is then: the record's id
// once the first save has created it.
func (s *Saver[R]) Request(build func() func(context.Context) (R, error)) {
	s.pending = build
	if !s.busy {
		s.next()
	}
}

// WhenIdle runs f once no save runs or waits: at once when idle.
func (s *Saver[R]) WhenIdle(f func()) {
	if !s.busy && s.pending == nil {
		f()
		return
	}
	s.idle = append(s.idle, f)
}

// InFlight reports whether a save runs or waits.
func (s *Saver[R]) InFlight() bool { return s.busy || s.pending != nil }

func (s *Saver[R]) next() {
	if s.pending == nil {
		idle := s.idle
		s.idle = nil
		for _, f := range idle {
			f()
		}
		return
	}
	job := s.pending()
	s.pending, s.busy = nil, true
	Async(s.u, job, func(r R, err error) {
		s.busy = false
		if s.done != nil {
			s.done(r, err, s.pending != nil)
		}
		s.next()
	})
}

// NewSaver returns a saver on s; done receives each save's result on the
// UI goroutine.
func NewSaver[R any](s *Shell, done func(r R, err error, waiting bool)) *Saver[R] {
	return &Saver[R]{u: s, done: done}
}
