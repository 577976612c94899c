package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core/buildinfo"
	"github.com/chorusonboard/chorus-onboard/core/localfs"
)

// usage is what --help prints, and the man page made from it.
const usage = `chorus-onboard - get French companies onto Chorus Pro

Usage:
  chorus-onboard              open the app
  chorus-onboard --version    print the version
  chorus-onboard --help       print this help

Chorus Onboard walks a person through the Chorus Pro portal's onboarding
steps (account, captcha, activation link, password, then a structure or an
attachment request), and gives accountants a workspace for thousands of
client companies: import, filter, registry pre-fill, bulk queueing. It works
offline first: every field is checked with the portal's rules and kept in a
local database, and sent when the portal answers. Passwords and keys live
only in the operating system's keyring.

Environments: the Local sandbox (a portal inside the app), a team's
onboarding portal, Chorus Pro qualification and production (whose API only
reads: the app then guides the person through the portal's pages).

Files:
%s
onboardctl policy prints every setting in effect and where it comes from.
`

// filesUnix and filesWindows are the Files section of usage: where the
// data and the admin's presets are on each system.
const (
	filesUnix = `  ~/.local/share/chorus-onboard/              the database (%s overrides it)
  /etc/chorus-onboard/policy.json              admin policies (locked settings)
  $XDG_CONFIG_DIRS/chorus-onboard/defaults.json  admin defaults (/etc/xdg when unset)
`
	filesWindows = `  %%LOCALAPPDATA%%\ChorusOnboard\                the database (%s overrides it)
  HKLM\Software\Policies\ChorusOnboard        admin policies (locked settings; HKCU too)
  HKLM\Software\ChorusOnboard                 admin defaults
`
)

// cli answers the command-line flags without opening a window; ok is
// false when there are none, so the app starts.
func cli(args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-psn_") {
		// Nothing, or what macOS's Finder adds: open the app.
		return 0, false
	}
	switch args[0] {
	case "--help", "-help", "-h", "help":
		files := filesUnix
		if runtime.GOOS == "windows" {
			files = filesWindows
		}
		fmt.Fprintf(stdout, usage, fmt.Sprintf(files, localfs.DataDirEnv))
		return 0, true
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, "chorus-onboard", buildinfo.Version())
		return 0, true
	}
	// The desktop launcher may pass nothing else; anything is a mistake.
	fmt.Fprintf(stderr, "chorus-onboard: unknown argument %q; see chorus-onboard --help\n", args[0])
	return 2, true
}
