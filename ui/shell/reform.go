package shell

import (
	"net/url"
	"strings"

	"fyne.io/fyne/v2/widget"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
)

// DayText writes a day as the user reads and types it (FR 01/09/2026, EN
// 2026-09-01); core.ParseDate reads both back.
func (tx *Texts) DayText(d core.Date) string {
	t := d.Time()
	if t.IsZero() {
		return ""
	}
	if tx.lang == i18n.FR {
		return t.Format("02/01/2006")
	}
	return t.Format("2006-01-02")
}

// ObligationsText says both of the reform's obligations for a category,
// and where the category comes from.
func (tx *Texts) ObligationsText(c core.CompanyCategory, src core.CategorySource) string {
	o := core.ObligationsOf(c)
	lines := []string{tx.F("reform.receive", "date", tx.DayText(core.DateOf(o.ReceiveFrom)))}
	issue := tx.F("reform.issue", "date", tx.DayText(core.DateOf(o.IssueFrom)))
	switch {
	case !o.CategoryKnown:
		issue += " " + tx.T("reform.category_unknown")
	case src == core.CategoryFromRegistry:
		issue += " " + tx.F("reform.category_registry", "category", string(c))
	default:
		issue += " " + tx.F("reform.category_user", "category", string(c))
	}
	return strings.Join(append(lines, issue), "\n")
}

// OpenDirectory copies the SIREN and opens the directory's page: the page
// has a captcha and no API, so a person looks the client up and records
// what they saw. Where no browser opens, the address is said instead.
func (t *Tasks) OpenDirectory(page, siren string, say *widget.Label) {
	u := t.s
	if siren == "" || page == "" {
		return
	}
	u.app.Clipboard().SetContent(siren)
	link, err := url.Parse(page)
	if err == nil && strings.HasSuffix(link.Path, "/annuaire") {
		q := link.Query()
		q.Set("siren", siren)
		link.RawQuery = q.Encode()
	}
	msg := u.text.F("reform.directory.copied", "siren", siren)
	if err != nil || u.app.OpenURL(link) != nil {
		msg = u.text.F("reform.directory.failed", "siren", siren, "url", page)
	}
	say.SetText(msg)
	say.Importance = widget.MediumImportance
	say.Show()
	say.Refresh()
}
