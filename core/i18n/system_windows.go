package i18n

import "golang.org/x/sys/windows"

// systemUILanguage returns the first display language of the user that we
// support ("fr-FR", "fr-BE", "en-GB"…); a user with no supported one gets
// English, as from FromEnv.
func systemUILanguage() (Lang, bool) {
	names, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	if err != nil {
		return EN, true
	}
	for _, n := range names {
		if l, ok := Parse(n); ok {
			return l, true
		}
	}
	return EN, true
}
