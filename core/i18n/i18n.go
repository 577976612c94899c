// Package i18n turns stable codes and keys into French or English text. The
// texts live in assets/translations; the desktop app, the command line and
// the simulator's error bodies all read them through this package, so a
// message is written once per language.
package i18n

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/chorusonboard/chorus-onboard/assets"
	"github.com/chorusonboard/chorus-onboard/core"
)

// Lang is a supported language.
type Lang string

// The supported languages. English is the fallback for a missing key.
const (
	FR Lang = "fr"
	EN Lang = "en"
)

// Langs lists the supported languages.
var Langs = []Lang{FR, EN}

var catalog = sync.OnceValue(func() map[Lang]map[string]string {
	out := map[Lang]map[string]string{}
	for _, l := range Langs {
		b, err := assets.Translations.ReadFile("translations/" + string(l) + ".json")
		if err != nil {
			panic(fmt.Sprintf("i18n: embedded %s.json: %v", l, err))
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: embedded %s.json: %v", l, err))
		}
		out[l] = m
	}
	return out
})

// T returns the text of key in lang, the English text when lang lacks it,
// and the key itself when no language has it (so a missing translation shows
// up instead of an empty label).
func T(lang Lang, key string) string {
	c := catalog()
	if s, ok := c[lang][key]; ok {
		return s
	}
	if s, ok := c[EN][key]; ok {
		return s
	}
	return key
}

// Has reports whether key has a text in lang.
func Has(lang Lang, key string) bool {
	_, ok := catalog()[lang][key]
	return ok
}

// Keys returns every key of lang.
func Keys(lang Lang) []string {
	var out []string
	for k := range catalog()[lang] {
		out = append(out, k)
	}
	return out
}

// Parse returns the language of a locale name such as "fr_FR.UTF-8", "fr-CA"
// or "en_GB"; ok is false for a language we do not support.
func Parse(locale string) (lang Lang, ok bool) {
	l := strings.ToLower(locale)
	for _, s := range Langs {
		if l == string(s) || strings.HasPrefix(l, string(s)+"_") || strings.HasPrefix(l, string(s)+"-") || strings.HasPrefix(l, string(s)+".") {
			return s, true
		}
	}
	return EN, false
}

// FromEnv picks the language from the POSIX locale variables, in their order
// of precedence (LC_ALL, LC_MESSAGES, LANG); English when none names a
// supported language.
func FromEnv(getenv func(string) string) Lang {
	l, _ := fromEnv(getenv)
	return l
}

// fromEnv is FromEnv, with set false when no locale variable names a
// language at all (unset, C or POSIX).
func fromEnv(getenv func(string) string) (lang Lang, set bool) {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := getenv(v); s != "" && s != "C" && s != "POSIX" && !strings.HasPrefix(s, "C.") {
			if l, ok := Parse(s); ok {
				return l, true
			}
			return EN, true
		}
	}
	return EN, false
}

// ParamMessage is the parameter that carries a server's own message in l,
// kept for a code this build has no text for.
func ParamMessage(l Lang) string { return "message." + string(l) }

// Format returns the text of key in lang with each {name} replaced by
// params[name]; a placeholder without a value is left as it is, so a
// missing parameter shows instead of vanishing.
func Format(lang Lang, key string, params map[string]string) string {
	s := T(lang, key)
	if len(params) == 0 || !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		name := s[i+1 : i+j]
		b.WriteString(s[:i])
		if v, ok := params[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i : i+j+1])
		}
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// Text renders a stored notice in lang: the text of its code with its
// parameters; for a code this build does not know, the server's own message
// in lang, else in the other language, else the generic error text. Each
// refused field follows on its own line as "Field: what to do".
func Text(lang Lang, n core.Notice) string {
	if n.IsZero() {
		return ""
	}
	var s string
	switch {
	case Has(EN, n.Code):
		s = Format(lang, n.Code, n.Params)
	case n.Params[ParamMessage(lang)] != "":
		s = n.Params[ParamMessage(lang)]
	default:
		s = T(lang, "error.title")
		for _, l := range Langs {
			if m := n.Params[ParamMessage(l)]; m != "" {
				s = m
				break
			}
		}
	}
	for _, p := range n.Problems {
		s += "\n" + Format(lang, "notice.field", map[string]string{"field": T(lang, "field."+p.Field), "text": Format(lang, p.Code, p.Params)})
	}
	return s
}

// Error renders err in lang as Text renders its notice.
func Error(lang Lang, err error) string { return Text(lang, core.NoticeOf(err)) }

// PresetProblem says in l which admin preset value was ignored, where it
// was read, and why: one line for the status bar and `onboardctl policy`.
func PresetProblem(l Lang, p core.PresetProblem) string {
	sep := ": "
	if l == FR {
		sep = " : " // French typography: a space before the colon
	}
	s := T(l, "policy.ignored") + sep + p.Origin
	if p.Key != "" {
		s += sep + p.Key
	}
	s += sep + T(l, p.Code)
	if p.Detail != "" {
		s += " (" + p.Detail + ")"
	}
	return s
}
