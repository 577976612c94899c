// Package preset reads the presets an IT admin deploys to every
// workstation: on Linux JSON files (/etc/chorus-onboard/policy.json, locked;
// $XDG_CONFIG_DIRS/chorus-onboard/defaults.json, defaults), on Windows the
// registry (HKLM and HKCU Software\Policies\ChorusOnboard, locked;
// HKLM Software\ChorusOnboard, defaults). The GUI, onboardctl and the tests
// share it through core.PresetReader.
//
// A bad preset never stops the app: malformed JSON, an unknown key, a value
// of the wrong type, an invalid address or a secret is reported as a
// core.PresetProblem with its file (or registry key) and ignored; the rest
// applies.
package preset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
)

// MaxFileSize bounds a preset file: a policy is a few hundred bytes, so a
// larger file is a mistake (or an attack) and is refused whole.
const MaxFileSize = 64 << 10

// MaxValueSize bounds one value (an address, a path).
const MaxValueSize = 2048

// Files are the preset files of a Linux (or BSD) machine.
type Files struct {
	// Policy is the locked layer's file, /etc/chorus-onboard/policy.json.
	Policy string
	// Defaults are the defaults files, the first of
	// $XDG_CONFIG_DIRS/chorus-onboard/defaults.json winning (as XDG says:
	// the directories are in order of preference).
	Defaults []string
}

// LinuxFiles returns the preset files for etc (normally "/etc") and the
// value of XDG_CONFIG_DIRS (empty means /etc/xdg).
func LinuxFiles(etc, xdgConfigDirs string) Files {
	f := Files{Policy: filepath.Join(etc, "chorus-onboard", "policy.json")}
	if xdgConfigDirs == "" {
		xdgConfigDirs = filepath.Join(etc, "xdg")
	}
	for _, d := range filepath.SplitList(xdgConfigDirs) {
		if filepath.IsAbs(d) {
			f.Defaults = append(f.Defaults, filepath.Join(d, "chorus-onboard", "defaults.json"))
		}
	}
	return f
}

// ReadPresets reads the files; a missing file is no preset, anything else
// that goes wrong is a problem of that file.
func (f Files) ReadPresets() core.Presets {
	var p core.Presets
	// The lowest-preference defaults first, so the first directory wins.
	for i := len(f.Defaults) - 1; i >= 0; i-- {
		layer, problems := readFile(f.Defaults[i])
		p.Defaults.Merge(layer)
		p.Problems = append(p.Problems, problems...)
	}
	if f.Policy != "" {
		layer, problems := readFile(f.Policy)
		p.Policies.Merge(layer)
		p.Problems = append(p.Problems, problems...)
	}
	return p
}

// readFile reads one preset file: a missing one is no problem; one that
// is not a plain file (a pipe that would block for ever, a device, a
// directory) or is over MaxFileSize is reported and ignored.
func readFile(name string) (core.PresetLayer, []core.PresetProblem) {
	data, err := localfs.ReadRegular(name, MaxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return core.PresetLayer{}, nil
	}
	if err != nil {
		return core.PresetLayer{}, []core.PresetProblem{{Origin: name, Code: "preset.read", Detail: err.Error()}}
	}
	return ParseJSON(data, name)
}

// ParseJSON reads one preset file: a JSON object whose keys are setting
// keys (core.PresetKeys) and whose values are strings (offer_sandbox: a
// boolean). A UTF-8 byte order mark, which Notepad writes, is allowed.
// What is wrong is returned as problems, and the rest is kept.
func ParseJSON(data []byte, origin string) (core.PresetLayer, []core.PresetProblem) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return core.PresetLayer{}, []core.PresetProblem{{Origin: origin, Code: "preset.json", Detail: jsonDetail(data, err)}}
	}
	if raw == nil {
		return core.PresetLayer{}, []core.PresetProblem{{Origin: origin, Code: "preset.json", Detail: "not a JSON object"}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return core.PresetLayer{}, []core.PresetProblem{{Origin: origin, Code: "preset.json", Detail: "more than one JSON value"}}
	}
	var layer core.PresetLayer
	var problems []core.PresetProblem
	for _, key := range sortedKeys(raw) {
		if core.IsSecretPresetKey(key) {
			// Never even parsed: a secret belongs in each user's keyring.
			problems = append(problems, core.PresetProblem{Origin: origin, Key: safeKey(key), Code: "preset.secret"})
			continue
		}
		var value string
		var b bool
		var n json.Number
		switch msg := raw[key]; {
		case json.Unmarshal(msg, &value) == nil:
		case key == core.PresetOfferSandbox && json.Unmarshal(msg, &b) == nil:
			value = fmt.Sprint(b)
		case core.IsNumberPresetKey(key) && json.Unmarshal(msg, &n) == nil:
			value = n.String()
		default:
			problems = append(problems, core.PresetProblem{Origin: origin, Key: safeKey(key), Code: "preset.type"})
			continue
		}
		add(&layer, &problems, key, value, origin)
	}
	return layer, problems
}

// add checks one value and keeps it, or records why not.
func add(layer *core.PresetLayer, problems *[]core.PresetProblem, key, value, origin string) {
	if len(value) > MaxValueSize {
		*problems = append(*problems, core.PresetProblem{Origin: origin, Key: safeKey(key), Code: "preset.value",
			Detail: fmt.Sprintf("longer than %d bytes", MaxValueSize)})
		return
	}
	v, code := core.CheckPresetValue(key, value)
	if code != "" {
		// Never the value itself: it may be a secret, or garbage.
		*problems = append(*problems, core.PresetProblem{Origin: origin, Key: safeKey(key), Code: code})
		return
	}
	layer.Set(key, v, origin)
}

// safeKey keeps a key printable and short for a report: a key is the
// admin's text, and may be anything.
func safeKey(key string) string {
	key = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return '?'
		}
		return r
	}, key)
	if len(key) > 64 {
		key = key[:64] + "…"
	}
	return key
}

// jsonDetail says where a JSON file went wrong, by line and column.
func jsonDetail(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read, the faulty one included.
		line, col := position(data, se.Offset-1)
		return fmt.Sprintf("line %d, column %d: %v", line, col, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "not a JSON object"
	}
	return err.Error()
}

func position(data []byte, offset int64) (line, col int) {
	offset = max(0, min(offset, int64(len(data))))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
