package shell

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/validate"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// Texts is what every screen writes in the user's language: the
// translations, numbers, dates and the sentences made of codes (errors,
// states, counts). The language changes only on the UI goroutine.
type Texts struct {
	lang i18n.Lang
	// loc is the zone times are shown in (tests fix it, so screens
	// compare to their goldens).
	loc *time.Location
}

// F returns the text of key with its {name} parameters written in, given
// as name, value pairs.
func (tx *Texts) F(key string, pairs ...string) string {
	params := make(map[string]string, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		params[pairs[i]] = pairs[i+1]
	}
	return i18n.Format(tx.lang, key, params)
}

// Lang returns the user's language.
func (tx *Texts) Lang() i18n.Lang { return tx.lang }

// Loc returns the zone times are shown in.
func (tx *Texts) Loc() *time.Location { return tx.loc }

// T returns the text of key in the current language.
func (tx *Texts) T(key string) string { return i18n.T(tx.lang, key) }

// Plural returns key's ".one" or ".other" text with n written in.
func (tx *Texts) Plural(key string, n int) string {
	k := key + ".other"
	if n == 1 || (n == 0 && tx.lang == i18n.FR) {
		k = key + ".one"
	}
	return i18n.Format(tx.lang, k, map[string]string{"n": tx.Count(n)})
}

// Count writes a number as the user's language does: 10,000 or 10 000.
func (tx *Texts) Count(n int) string {
	s := fmt.Sprint(n)
	sep := ","
	if tx.lang == i18n.FR {
		// A no-break space, as French groups digits (the narrow one is
		// not in every font).
		sep = "\u00a0"
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && r != '-' && s[i-1] != '-' {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// DateTime writes a time to the minute, in the user's zone and language.
func (tx *Texts) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if tx.lang == i18n.FR {
		return t.In(tx.loc).Format("02/01/2006 15:04")
	}
	return t.In(tx.loc).Format("2006-01-02 15:04")
}

// Date writes a day in the user's language.
func (tx *Texts) Date(t time.Time) string {
	if tx.lang == i18n.FR {
		return t.In(tx.loc).Format("02/01/2006")
	}
	return t.In(tx.loc).Format("2006-01-02")
}

// ErrorText turns an error into a sentence in the user's language that says
// what to do next; internal detail stays out of it.
func (tx *Texts) ErrorText(err error) string {
	code := core.CodeOf(err)
	switch {
	case code == "":
		return tx.T("error.title")
	case errors.Is(err, core.ErrUnavailable) && !i18n.Has(i18n.EN, code):
		// A gateway's 502 or a proxy's page: what matters is that the
		// portal cannot be reached now.
		return tx.T("error.offline")
	}
	return i18n.Error(tx.lang, err)
}

// ProblemsText counts a row's problems in words.
func (tx *Texts) ProblemsText(errors, warnings int) string {
	var parts []string
	if errors > 0 {
		parts = append(parts, tx.Plural("ws.errors", errors))
	}
	if warnings > 0 {
		parts = append(parts, tx.Plural("ws.warnings", warnings))
	}
	return strings.Join(parts, ", ")
}

// StateChipOf is a state's chip: its name and tone. A draft without
// errors is "ready".
func (tx *Texts) StateChipOf(s core.SyncState, errors int) (string, widgets.Tone) {
	switch s {
	case core.StateDraft:
		if errors > 0 {
			return tx.T("ws.state.draft_errors"), widgets.ToneNeutral
		}
		return tx.T("ws.state.ready"), widgets.ToneNeutral
	case core.StateQueued:
		return tx.T("state.queued"), widgets.ToneInfo
	case core.StateSent, core.StateAttachmentRequested:
		return tx.T("state." + string(s)), widgets.ToneWarning
	case core.StateCreated, core.StateAttachmentApproved:
		return tx.T("state." + string(s)), widgets.ToneSuccess
	}
	return tx.T("state." + string(s)), widgets.ToneError
}

// SkippedText says how many rows were left as they were, and why.
func (tx *Texts) SkippedText(r onboarding.BulkResult) string {
	reasons := make([]string, 0, len(r.Skipped))
	for reason := range r.Skipped {
		reasons = append(reasons, reason)
	}
	sort.Strings(reasons)
	parts := make([]string, 0, len(reasons))
	for _, reason := range reasons {
		parts = append(parts, tx.Plural(reason+".count", r.Skipped[reason]))
	}
	return tx.Plural("bulk.skipped", r.SkippedTotal()) + " " + strings.Join(parts, "; ") + "."
}

// NoteText says why one row was left as it was.
func (tx *Texts) NoteText(n onboarding.RowNote) string {
	text := i18n.Format(tx.lang, n.Reason, n.Params)
	switch {
	case n.Field != "":
		text += " " + i18n.Format(tx.lang, "notice.field", map[string]string{"field": tx.T("field." + n.Field),
			"text": i18n.Format(tx.lang, n.Code, n.Params)})
	case n.Code != "" && i18n.Has(i18n.EN, n.Code):
		text += " " + i18n.Format(tx.lang, n.Code, n.Params)
	}
	return text
}

// LookupError says why a look-up had no answer: offline, the sentence
// that says so; otherwise the error's own (a certificate not trusted, a
// proxy asking for a login, a PISTE layer refusing).
func (tx *Texts) LookupError(err error, offline string) string {
	if core.CodeOf(err) == "network.unreachable" || core.CodeOf(err) == "" {
		return tx.T(offline)
	}
	return tx.ErrorText(err)
}

// AttachmentChip is a request's status as a chip.
func (tx *Texts) AttachmentChip(status string) (string, widgets.Tone) {
	text := tx.T("status." + status)
	switch status {
	case api.AttachmentApproved:
		return text, widgets.ToneSuccess
	case api.AttachmentRefused:
		return text, widgets.ToneError
	case api.AttachmentPending:
		return text, widgets.ToneWarning
	}
	return text, widgets.ToneNeutral
}

// FieldValue shows a value as the form does: a country by its name.
func (tx *Texts) FieldValue(field, v string) string {
	if field == core.FieldCountry {
		if c, ok := validate.LookupCountry(v); ok {
			if tx.lang == i18n.FR {
				return c.NameFR
			}
			return c.NameEN
		}
	}
	return v
}

// Size writes a byte count as people read it: 3.4 MB.
func (tx *Texts) Size(n int) string {
	units := []string{"B", "kB", "MB", "GB"}
	if tx.lang == i18n.FR {
		units = []string{"o", "ko", "Mo", "Go"}
	}
	v, i := float64(n), 0
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	s := fmt.Sprintf("%.1f", v)
	if i == 0 {
		s = fmt.Sprint(n)
	}
	if tx.lang == i18n.FR {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + "\u00a0" + units[i]
}
