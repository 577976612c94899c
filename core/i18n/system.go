package i18n

// System returns the language to speak when the user has chosen none: the
// POSIX locale variables when one names a language (FromEnv: on Windows
// only a Unix-like shell sets them, and then on purpose), else on Windows
// the user's display language (GetUserPreferredUILanguages: Settings >
// Time & language, what Windows itself is shown in); English when neither
// is one we support.
func System(getenv func(string) string) Lang {
	if l, set := fromEnv(getenv); set {
		return l
	}
	if l, ok := systemUILanguage(); ok {
		return l
	}
	return EN
}
