package core

import (
	"net"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Admin presets. An IT admin sets values for every workstation in two
// layers, as browsers do: defaults, which the user may change, and
// policies, which are locked. The effective value of a setting is, from
// the lowest layer to the highest: built in, admin default, the user's,
// admin policy. Secrets never come from a preset: they stay in each user's
// keyring.

// Preset-only keys: settings an admin may preset that the database does
// not hold (the language is the app's own preference; whether the Local
// sandbox is offered is the admin's decision alone).
const (
	PresetLanguage     = "language"
	PresetOfferSandbox = "offer_sandbox"
	// PresetFirmURL is the firm's server the Firm screen offers to join
	// (the firm's shared workspace is not a setting of the environment).
	PresetFirmURL = "firm_url"
)

// PresetKeys lists every key a preset may hold, in the order
// `onboardctl policy` prints them.
var PresetKeys = append(append([]string{}, SettingKeys...), PresetLanguage, PresetOfferSandbox, PresetFirmURL)

// IsNumberPresetKey reports whether key holds a number, which a preset may
// write as a number (a JSON number, a REG_DWORD) as well as as text: Group
// Policy writes an ADMX decimal element as a REG_DWORD.
func IsNumberPresetKey(key string) bool {
	return key == SettingConcurrency || key == PresetOfferSandbox
}

// presetSecretWords are the words that mark a key as a secret: a preset
// holding one is refused (and said so), never used.
var presetSecretWords = []string{"secret", "password", "passwd", "token", "insee_key", "api_key", "apikey"}

// IsSecretPresetKey reports whether key names a secret, which no preset may
// carry.
func IsSecretPresetKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range presetSecretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	for _, name := range SecretNames {
		if k == name || k == strings.ReplaceAll(name, "-", "_") {
			return true
		}
	}
	return false
}

// Source says where an effective setting's value comes from.
type Source string

// The sources, from the lowest layer to the highest.
const (
	SourceBuiltIn      Source = "built-in"
	SourceAdminDefault Source = "admin default"
	SourceUser         Source = "user"
	SourceAdminPolicy  Source = "admin policy"
)

// PresetLayer is one layer of presets: values by key, each with where it
// was read (a file, a registry key), for the messages and the policy page.
type PresetLayer struct {
	Values  map[string]string
	Origins map[string]string
}

// Set records value for key, read from origin. A later Set of the same
// key wins (a user's HKCU policy after the machine's, say).
func (l *PresetLayer) Set(key, value, origin string) {
	if l.Values == nil {
		l.Values, l.Origins = map[string]string{}, map[string]string{}
	}
	l.Values[key], l.Origins[key] = value, origin
}

// Merge adds every value of o, which wins over l's.
func (l *PresetLayer) Merge(o PresetLayer) {
	for k, v := range o.Values {
		l.Set(k, v, o.Origins[k])
	}
}

// PresetProblem is a preset value that was ignored, with where it was read
// and why (a code with its text in core/i18n: preset.json, preset.unknown,
// preset.type, preset.secret, preset.url, preset.value, preset.read).
type PresetProblem struct {
	Origin string
	Key    string // empty for a problem with the whole file
	Code   string
	Detail string // what the parser said, for the file's author
}

// Presets are every admin preset the machine holds, and what was ignored.
type Presets struct {
	Defaults, Policies PresetLayer
	Problems           []PresetProblem
}

// PresetReader reads the machine's presets: files on Linux, the registry on
// Windows. A preset that cannot be read is a Problem, never an error that
// stops the app.
type PresetReader interface {
	ReadPresets() Presets
}

// CheckPresetValue checks one preset value: the key must be known and not
// a secret, a URL a web address, the environment, language and booleans
// one of their values. It returns the canonical value, or the problem's
// code.
func CheckPresetValue(key, value string) (string, string) {
	if IsSecretPresetKey(key) {
		return "", "preset.secret"
	}
	known := false
	for _, k := range PresetKeys {
		known = known || k == key
	}
	if !known {
		return "", "preset.unknown"
	}
	value = strings.TrimSpace(value)
	switch key {
	case SettingEnvironment:
		if !Environment(value).Valid() {
			return "", "preset.value"
		}
	case PresetLanguage:
		value = strings.ToLower(value)
		if value != "fr" && value != "en" {
			return "", "preset.value"
		}
	case SettingConcurrency:
		if n, err := strconv.Atoi(value); err != nil || n < 1 || n > MaxConcurrency {
			return "", "preset.value"
		}
	case PresetOfferSandbox:
		switch strings.ToLower(value) {
		case "1", "true", "yes":
			value = "true"
		case "0", "false", "no":
			value = "false"
		default:
			return "", "preset.type"
		}
	}
	if (slices.Contains(URLSettings, key) || key == PresetFirmURL) && value != "" {
		if err := CheckSettingURL(key, value); CodeOf(err) == CodeURLInClear {
			return "", "preset.url_in_clear"
		} else if err != nil {
			return "", "preset.url"
		}
	}
	return value, ""
}

// Codes of a URL setting refused.
const (
	// CodeURL: not a web address (http or https, with a host, no login
	// in it: a login there would be logged and kept in clear).
	CodeURL = "settings.url"
	// CodeURLInClear: http:// to another computer, for a server that
	// receives a credential (a password, a session, a client secret, an
	// API key) or whose answers are trusted: they would cross the
	// network unencrypted.
	CodeURLInClear = "settings.url_in_clear"
)

// CheckSettingURL checks the address the URL setting key holds: a web
// address (CodeURL), and https unless its host is this computer
// (CodeURLInClear: a Local sandbox or a test server on loopback may be
// http). A proxy's address may be http: what goes through it to an https
// server stays encrypted. Every URL setting is checked so, where it is
// typed, in presets and on the command line. The error is KindInvalid.
func CheckSettingURL(key, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return &E{Kind: KindInvalid, Code: CodeURL, Op: "check " + key}
	}
	if u.Scheme == "http" && key != SettingProxyURL && !IsLoopbackHost(u.Hostname()) {
		return &E{Kind: KindInvalid, Code: CodeURLInClear, Op: "check " + key,
			Params: map[string]string{"url": u.Scheme + "://" + u.Host}}
	}
	return nil
}

// CheckSettingsURLs checks every URL setting of set (CheckSettingURL) and
// returns the first refusal, with every refused field in its Problems.
func CheckSettingsURLs(set Settings) error {
	var first *E
	var problems Problems
	for _, key := range URLSettings {
		if v := set.Get(key); v != "" {
			if err := CheckSettingURL(key, v); err != nil {
				e := AsE(err)
				if first == nil {
					first = e
				}
				problems = append(problems, Problem{Field: key, Code: e.Code, Severity: Error, Params: e.Params})
			}
		}
	}
	if first == nil {
		return nil
	}
	out := *first
	out.Problems = problems
	return &out
}

// IsLoopbackHost reports whether host names this computer: localhost or
// a loopback address (127.0.0.0/8, ::1), where nothing crosses a network.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Effective is the settings the app runs with once the presets are
// applied, with the source of every key.
type Effective struct {
	Settings Settings
	// Language is "fr" or "en" when a preset names one ("" otherwise:
	// the user's choice, else the system's).
	Language string
	// OfferSandbox is false when an admin removed the Local sandbox.
	OfferSandbox bool
	// FirmURL is the firm's server an admin preset ("" when none).
	FirmURL string
	// Sources and Origins say, per key of PresetKeys, which layer the value
	// comes from and where it was read (empty for built-in and user).
	Sources map[string]Source
	Origins map[string]string
	// Problems are the preset values that were ignored.
	Problems []PresetProblem
}

// Locked reports whether an admin policy holds key.
func (e Effective) Locked(key string) bool { return e.Sources[key] == SourceAdminPolicy }

// Apply computes the effective settings from the user's stored values
// (SettingsStore's map). A policy wins over the user, the user over an
// admin default. When the Local sandbox is not offered and nothing else is
// chosen, the team portal (if it has an address) or qualification is used.
func (p Presets) Apply(user map[string]string) Effective {
	eff := Effective{Sources: map[string]Source{}, Origins: map[string]string{}, Problems: p.Problems}
	values := map[string]string{}
	for _, key := range PresetKeys {
		eff.Sources[key] = SourceBuiltIn
		if v, ok := p.Defaults.Values[key]; ok && v != "" {
			values[key], eff.Sources[key], eff.Origins[key] = v, SourceAdminDefault, p.Defaults.Origins[key]
		}
		if v := user[key]; v != "" {
			values[key], eff.Sources[key], eff.Origins[key] = v, SourceUser, ""
		}
		if v, ok := p.Policies.Values[key]; ok && v != "" {
			values[key], eff.Sources[key], eff.Origins[key] = v, SourceAdminPolicy, p.Policies.Origins[key]
		}
	}
	eff.Settings = SettingsFromValues(values)
	eff.Language = values[PresetLanguage]
	eff.OfferSandbox = values[PresetOfferSandbox] != "false"
	eff.FirmURL = values[PresetFirmURL]
	if !eff.OfferSandbox && eff.Settings.Env() == EnvLocal {
		eff.Settings.Environment = EnvQualification
		if eff.Settings.PortalURL != "" {
			eff.Settings.Environment = EnvTeam
		}
	}
	return eff
}

// UserValues returns what to store for the user when they save next: the
// keys that differ from what the admin default (or the built-in value)
// gives, so a default the user left alone keeps following the admin's, and
// never a locked key.
func (p Presets) UserValues(next Settings) map[string]string {
	out := map[string]string{}
	for k, v := range next.Values() {
		if _, locked := p.Policies.Values[k]; locked {
			continue
		}
		under := p.Defaults.Values[k]
		if k == SettingEnvironment && under == "" {
			under = string(EnvLocal)
		}
		if v != under {
			out[k] = v
		}
	}
	return out
}

// SortedPresetProblems returns problems in a stable order (origin, key),
// so a report reads the same on every run.
func SortedPresetProblems(problems []PresetProblem) []PresetProblem {
	out := append([]PresetProblem(nil), problems...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Origin != out[j].Origin {
			return out[i].Origin < out[j].Origin
		}
		return out[i].Key < out[j].Key
	})
	return out
}
