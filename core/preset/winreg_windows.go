//go:build windows

package preset

import (
	"errors"

	"golang.org/x/sys/windows/registry"

	"github.com/chorusonboard/chorus-onboard/core"
)

// SystemWinReg is the machine's Windows registry, read only.
type SystemWinReg struct{}

// Values implements WinReg.
func (SystemWinReg) Values(root, path string) (map[string]WinRegValue, error) {
	base := registry.LOCAL_MACHINE
	if root == HKCU {
		base = registry.CURRENT_USER
	}
	// WOW64_64KEY: a policy is written in the 64-bit view, whatever
	// build reads it.
	k, err := registry.OpenKey(base, path, registry.QUERY_VALUE|registry.ENUMERATE_SUB_KEYS|registry.WOW64_64KEY)
	if errors.Is(err, registry.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer k.Close()
	names, err := k.ReadValueNames(0)
	if err != nil {
		return nil, err
	}
	out := map[string]WinRegValue{}
	for _, name := range names {
		if s, _, err := k.GetStringValue(name); err == nil {
			if ex, err := registry.ExpandString(s); err == nil {
				s = ex
			}
			out[name] = WinRegValue{String: s}
			continue
		}
		if n, _, err := k.GetIntegerValue(name); err == nil {
			out[name] = WinRegValue{Number: n, IsNumber: true}
			continue
		}
		// A binary or multi-string value: the wrong type.
		out[name] = WinRegValue{Number: 1 << 63, IsNumber: true}
	}
	return out, nil
}

// System returns the machine's preset reader: the registry.
func System() core.PresetReader { return WinRegPresets{Reg: SystemWinReg{}} }
