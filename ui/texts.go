package ui

import (
	"errors"
	"fmt"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/core/validate"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
	"sort"
	"strings"
	"time"
)

// texts is what every screen writes in the user's language: the
// translations, numbers, dates and the sentences made of codes (errors,
// states, counts). The language changes only on the UI goroutine.
type texts struct {
	lang i18n.Lang
	// loc is the zone times are shown in (tests fix it, so screens
	// compare to their goldens).
	loc *time.Location
}

// F returns the text of key with its {name} parameters written in, given
// as name, value pairs.
func (tx *texts) F(key string, pairs ...string) string {
	params := make(map[string]string, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		params[pairs[i]] = pairs[i+1]
	}
	return i18n.Format(tx.lang, key, params)
}

// T returns the text of key in the current language.
func (tx *texts) T(key string) string { return i18n.T(tx.lang, key) }

// plural returns key's ".one" or ".other" text with n written in.
func (tx *texts) plural(key string, n int) string {
	k := key + ".other"
	if n == 1 || (n == 0 && tx.lang == i18n.FR) {
		k = key + ".one"
	}
	return i18n.Format(tx.lang, k, map[string]string{"n": tx.count(n)})
}

// count writes a number as the user's language does: 10,000 or 10 000.
func (tx *texts) count(n int) string {
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

// dateTime writes a time to the minute, in the user's zone and language.
func (tx *texts) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if tx.lang == i18n.FR {
		return t.In(tx.loc).Format("02/01/2006 15:04")
	}
	return t.In(tx.loc).Format("2006-01-02 15:04")
}

// date writes a day in the user's language.
func (tx *texts) date(t time.Time) string {
	if tx.lang == i18n.FR {
		return t.In(tx.loc).Format("02/01/2006")
	}
	return t.In(tx.loc).Format("2006-01-02")
}

// errorText turns an error into a sentence in the user's language that says
// what to do next; internal detail stays out of it.
func (tx *texts) errorText(err error) string {
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

// problemsText counts a row's problems in words.
func (tx *texts) problemsText(errors, warnings int) string {
	var parts []string
	if errors > 0 {
		parts = append(parts, tx.plural("ws.errors", errors))
	}
	if warnings > 0 {
		parts = append(parts, tx.plural("ws.warnings", warnings))
	}
	return strings.Join(parts, ", ")
}

// stateChipOf is a state's chip: its name and tone. A draft without
// errors is "ready".
func (tx *texts) stateChipOf(s core.SyncState, errors int) (string, widgets.Tone) {
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

// skippedText says how many rows were left as they were, and why.
func (tx *texts) skippedText(r onboarding.BulkResult) string {
	reasons := make([]string, 0, len(r.Skipped))
	for reason := range r.Skipped {
		reasons = append(reasons, reason)
	}
	sort.Strings(reasons)
	parts := make([]string, 0, len(reasons))
	for _, reason := range reasons {
		parts = append(parts, tx.plural(reason+".count", r.Skipped[reason]))
	}
	return tx.plural("bulk.skipped", r.SkippedTotal()) + " " + strings.Join(parts, "; ") + "."
}

// noteText says why one row was left as it was.
func (tx *texts) noteText(n onboarding.RowNote) string {
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

// lookupError says why a look-up had no answer: offline, the sentence
// that says so; otherwise the error's own (a certificate not trusted, a
// proxy asking for a login, a PISTE layer refusing).
func (tx *texts) lookupError(err error, offline string) string {
	if core.CodeOf(err) == "network.unreachable" || core.CodeOf(err) == "" {
		return tx.T(offline)
	}
	return tx.errorText(err)
}

// attachmentChip is a request's status as a chip.
func (tx *texts) attachmentChip(status string) (string, widgets.Tone) {
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

// fieldValue shows a value as the form does: a country by its name.
func (tx *texts) fieldValue(field, v string) string {
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

// size writes a byte count as people read it: 3.4 MB.
func (tx *texts) size(n int) string {
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
