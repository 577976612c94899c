// Package assets embeds the files the app ships: the icon, the translations
// (French and English) and the desktop integration files. It imports no GUI
// code, so the command line and the simulator read the same translations as
// the desktop app.
package assets

import (
	"embed"
	_ "embed"
)

// AppID is the reverse-DNS application ID, set in code because the binary is
// built with go build and packaged afterwards; the .desktop and AppStream
// files are named after it.
const AppID = "fr.chorusonboard.ChorusOnboard"

// Icon is the 512×512 application icon (PNG).
//
//go:embed icon.png
var Icon []byte

// Translations holds translations/<lang>.json: flat key → text maps, one per
// supported language, with identical key sets (a test checks).
//
//go:embed translations/*.json
var Translations embed.FS
