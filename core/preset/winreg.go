package preset

import (
	"fmt"
	"sort"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
)

// The registry keys Windows presets live in, under HKEY_LOCAL_MACHINE (and,
// for policies only, HKEY_CURRENT_USER too), as Group Policy and the MSI
// write them.
const (
	PolicyKey   = `Software\Policies\ChorusOnboard`
	DefaultsKey = `Software\ChorusOnboard`
)

// WinRegValue is one value of a registry key: a string (REG_SZ or
// REG_EXPAND_SZ, expanded) or a number (REG_DWORD).
type WinRegValue struct {
	String   string
	Number   uint64
	IsNumber bool
}

// WinReg reads the values of a key of the Windows registry. The real one
// is in winreg_windows.go; tests use a map.
type WinReg interface {
	// Values returns every value of the key by name; a key that does not
	// exist has none (nil, nil).
	Values(root, path string) (map[string]WinRegValue, error)
}

// The roots a WinReg knows.
const (
	HKLM = "HKEY_LOCAL_MACHINE"
	HKCU = "HKEY_CURRENT_USER"
)

// WinRegPresets reads the presets of a Windows machine from reg: the
// machine's defaults, then the machine's and the user's policies (the
// machine's win, as Group Policy's do).
type WinRegPresets struct{ Reg WinReg }

// ReadPresets implements core.PresetReader.
func (r WinRegPresets) ReadPresets() core.Presets {
	var p core.Presets
	read := func(root, path string) core.PresetLayer {
		origin := root + `\` + path
		values, err := r.Reg.Values(root, path)
		if err != nil {
			p.Problems = append(p.Problems, core.PresetProblem{Origin: origin, Code: "preset.read", Detail: err.Error()})
			return core.PresetLayer{}
		}
		var layer core.PresetLayer
		names := make([]string, 0, len(values))
		for n := range values {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			v := values[name]
			if core.IsSecretPresetKey(name) {
				p.Problems = append(p.Problems, core.PresetProblem{Origin: origin, Key: safeKey(name), Code: "preset.secret"})
				continue
			}
			s := v.String
			if !v.IsNumber && strings.TrimSpace(s) == "" {
				// The MSI writes every property, given or not: an empty
				// value is no preset.
				continue
			}
			if v.IsNumber {
				if !core.IsNumberPresetKey(name) {
					p.Problems = append(p.Problems, core.PresetProblem{Origin: origin, Key: safeKey(name), Code: "preset.type"})
					continue
				}
				s = fmt.Sprint(v.Number)
			}
			add(&layer, &p.Problems, name, s, origin)
		}
		return layer
	}
	p.Defaults = read(HKLM, DefaultsKey)
	p.Policies = read(HKCU, PolicyKey)
	p.Policies.Merge(read(HKLM, PolicyKey))
	return p
}
