//go:build !windows

package preset

import (
	"os"

	"github.com/chorusonboard/chorus-onboard/core"
)

// System returns the machine's preset reader: the files under /etc and
// $XDG_CONFIG_DIRS.
func System() core.PresetReader { return LinuxFiles("/etc", os.Getenv("XDG_CONFIG_DIRS")) }
