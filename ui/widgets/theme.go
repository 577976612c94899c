package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// variantTheme is the default theme forced to light or dark, for users who
// want the app to differ from their system setting.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

// Color is the default theme's colour of the chosen variant.
func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// PrefTheme is the preference that holds the theme: "light", "dark", or
// anything else for the system's.
const PrefTheme = "theme"

// ApplyTheme applies the theme preference: the system's (the default),
// light or dark.
func ApplyTheme(a fyne.App) {
	switch a.Preferences().String(PrefTheme) {
	case "light":
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	case "dark":
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	default:
		a.Settings().SetTheme(theme.DefaultTheme())
	}
}
