// Package buildinfo tells which version of Chorus Onboard is running, for
// "onboardctl version", the About box and the simulator's health answer.
package buildinfo

import "runtime/debug"

// version is set at link time: -ldflags "-X .../core/buildinfo.version=1.2.3".
var version string

// Version returns the version set at link time, else the module version or
// VCS revision recorded by the go command, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "dev-" + rev
}
