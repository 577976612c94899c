//go:build !windows

package i18n

// systemUILanguage has nothing to ask outside Windows: the locale
// variables are the system's language.
func systemUILanguage() (Lang, bool) { return "", false }
