// Command onboardctl is the headless companion of Chorus Onboard for admins
// and scripts: it validates values with the app's own rules, imports,
// exports and syncs prepared structures, shows the admin presets in effect
// and forgets a user's data. It needs no cgo and no display.
package main

import (
	"os"

	"github.com/chorusonboard/chorus-onboard/core/preset"
)

func main() {
	os.Exit(run(os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		presets: preset.System()}))
}
