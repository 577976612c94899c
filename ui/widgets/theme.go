package widgets

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// ColorNameFocusRing is the colour of the ring a focused button draws
// (Button): Fyne shows a button's focus only as a faint tint, invisible on
// a primary button. It contrasts 3:1 with the window's background and
// with the primary colour, in every palette (contrast_test.go).
const ColorNameFocusRing fyne.ThemeColorName = "chorus.focusRing"

// Theme is the app's theme: Fyne's fonts and icons, our palettes (every
// text colour against every background it is drawn on meets WCAG 2.2 AA,
// 4.5:1, and controls and focus 3:1: computed in contrast_test.go), the
// light or dark variant forced or the system's, a high-contrast palette,
// and a size factor that scales the whole interface (text, padding,
// icons) for the text size setting.
type Theme struct {
	// Variant is the variant when Forced; otherwise the system's.
	Variant fyne.ThemeVariant
	Forced  bool
	// High picks the high-contrast palette.
	High bool
	// Scale multiplies every size: 1 (100 %) to 2 (200 %).
	Scale float32
}

var _ fyne.Theme = Theme{}

// Color is the palette's colour for n, Fyne's default for a name the
// palette leaves alone (shadows, scroll bars).
func (t Theme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.Forced {
		v = t.Variant
	}
	if c, ok := t.palette(v)[n]; ok {
		return c
	}
	if n == theme.ColorNameHyperlink {
		return t.Color(theme.ColorNamePrimary, v)
	}
	return theme.DefaultTheme().Color(n, v)
}

// palette is the colour table of the variant.
func (t Theme) palette(v fyne.ThemeVariant) map[fyne.ThemeColorName]color.Color {
	switch {
	case t.High && v == theme.VariantDark:
		return highDark
	case t.High:
		return highLight
	case v == theme.VariantDark:
		return standardDark
	}
	return standardLight
}

// Font is Fyne's.
func (t Theme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

// Icon is Fyne's.
func (t Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size is Fyne's, times Scale; the high-contrast palette draws input
// borders twice as thick.
func (t Theme) Size(n fyne.ThemeSizeName) float32 {
	s := theme.DefaultTheme().Size(n)
	if t.High && (n == theme.SizeNameInputBorder || n == theme.SizeNameSeparatorThickness) {
		s *= 2
	}
	if t.Scale > 1 {
		s *= min(t.Scale, 2)
	}
	return s
}

// hex is a colour written #RRGGBB.
func hex(s string) color.Color {
	v, _ := strconv.ParseUint(s[1:], 16, 32)
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// withAlpha is c made translucent (a tint drawn over a background).
func withAlpha(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

// The palettes. The standard ones keep Fyne's look but darken (light) or
// lighten (dark) the colours that failed AA in Fyne's own: placeholder
// 3.5:1, error 3.7:1, warning 2.2:1, success 1.5:1, primary with white on
// it 4.5:1, input borders 1.3:1 (measured on Fyne 2.8's light palette);
// the high-contrast ones are black on white and white on black with one
// accent each, fields and buttons on a tint of their own so that a select
// or a button without a border still shows where it is.
var (
	standardLight = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameBackground:          hex("#FFFFFF"),
		theme.ColorNameButton:              hex("#F5F5F5"),
		theme.ColorNameDisabledButton:      hex("#F5F5F5"),
		theme.ColorNameInputBackground:     hex("#F3F3F3"),
		theme.ColorNameMenuBackground:      hex("#F5F5F5"),
		theme.ColorNameOverlayBackground:   hex("#FFFFFF"),
		theme.ColorNameHeaderBackground:    hex("#F9F9F9"),
		theme.ColorNameForeground:          hex("#565656"),
		theme.ColorNameDisabled:            hex("#6B6B6B"),
		theme.ColorNamePlaceHolder:         hex("#6B6B6B"),
		theme.ColorNamePrimary:             hex("#1F5FD1"),
		theme.ColorNameForegroundOnPrimary: hex("#FFFFFF"),
		theme.ColorNameError:               hex("#C62828"),
		theme.ColorNameForegroundOnError:   hex("#FFFFFF"),
		theme.ColorNameWarning:             hex("#9A5B00"),
		theme.ColorNameForegroundOnWarning: hex("#FFFFFF"),
		theme.ColorNameSuccess:             hex("#2E7D32"),
		theme.ColorNameForegroundOnSuccess: hex("#FFFFFF"),
		theme.ColorNameInputBorder:         hex("#8A8A8A"),
		theme.ColorNameSeparator:           hex("#D6D6D6"),
		theme.ColorNameFocus:               withAlpha(hex("#1F5FD1"), 0x30),
		theme.ColorNameSelection:           withAlpha(hex("#1F5FD1"), 0x40),
		theme.ColorNameHover:               withAlpha(hex("#000000"), 0x0f),
		theme.ColorNamePressed:             withAlpha(hex("#000000"), 0x19),
		ColorNameFocusRing:                 hex("#1A1A1A"),
	}
	standardDark = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameBackground:          hex("#171718"),
		theme.ColorNameButton:              hex("#28292E"),
		theme.ColorNameDisabledButton:      hex("#28292E"),
		theme.ColorNameInputBackground:     hex("#202023"),
		theme.ColorNameMenuBackground:      hex("#28292E"),
		theme.ColorNameOverlayBackground:   hex("#181D25"),
		theme.ColorNameHeaderBackground:    hex("#1B1B1B"),
		theme.ColorNameForeground:          hex("#F3F3F3"),
		theme.ColorNameDisabled:            hex("#A0A0A0"),
		theme.ColorNamePlaceHolder:         hex("#A8A8A8"),
		theme.ColorNamePrimary:             hex("#7AA7FA"),
		theme.ColorNameForegroundOnPrimary: hex("#171718"),
		theme.ColorNameError:               hex("#FF7B6E"),
		theme.ColorNameForegroundOnError:   hex("#171718"),
		theme.ColorNameWarning:             hex("#FFA726"),
		theme.ColorNameForegroundOnWarning: hex("#171718"),
		theme.ColorNameSuccess:             hex("#5FD35A"),
		theme.ColorNameForegroundOnSuccess: hex("#171718"),
		theme.ColorNameInputBorder:         hex("#7A7A7A"),
		theme.ColorNameSeparator:           hex("#3A3A3D"),
		theme.ColorNameFocus:               withAlpha(hex("#7AA7FA"), 0x40),
		theme.ColorNameSelection:           withAlpha(hex("#7AA7FA"), 0x50),
		theme.ColorNameHover:               withAlpha(hex("#FFFFFF"), 0x0f),
		theme.ColorNamePressed:             withAlpha(hex("#FFFFFF"), 0x66),
		ColorNameFocusRing:                 hex("#F3F3F3"),
	}
	highLight = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameBackground:          hex("#FFFFFF"),
		theme.ColorNameButton:              hex("#E6E6E6"),
		theme.ColorNameDisabledButton:      hex("#F2F2F2"),
		theme.ColorNameInputBackground:     hex("#EDEDED"),
		theme.ColorNameMenuBackground:      hex("#F2F2F2"),
		theme.ColorNameOverlayBackground:   hex("#FFFFFF"),
		theme.ColorNameHeaderBackground:    hex("#FFFFFF"),
		theme.ColorNameForeground:          hex("#000000"),
		theme.ColorNameDisabled:            hex("#505050"),
		theme.ColorNamePlaceHolder:         hex("#404040"),
		theme.ColorNamePrimary:             hex("#00007A"),
		theme.ColorNameForegroundOnPrimary: hex("#FFFFFF"),
		theme.ColorNameError:               hex("#8B0000"),
		theme.ColorNameForegroundOnError:   hex("#FFFFFF"),
		theme.ColorNameWarning:             hex("#6B3A00"),
		theme.ColorNameForegroundOnWarning: hex("#FFFFFF"),
		theme.ColorNameSuccess:             hex("#005000"),
		theme.ColorNameForegroundOnSuccess: hex("#FFFFFF"),
		theme.ColorNameInputBorder:         hex("#000000"),
		theme.ColorNameSeparator:           hex("#000000"),
		theme.ColorNameFocus:               withAlpha(hex("#00007A"), 0x40),
		theme.ColorNameSelection:           withAlpha(hex("#00007A"), 0x50),
		theme.ColorNameHover:               withAlpha(hex("#000000"), 0x1a),
		theme.ColorNamePressed:             withAlpha(hex("#000000"), 0x33),
		ColorNameFocusRing:                 hex("#000000"),
	}
	highDark = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameBackground:          hex("#000000"),
		theme.ColorNameButton:              hex("#262626"),
		theme.ColorNameDisabledButton:      hex("#141414"),
		theme.ColorNameInputBackground:     hex("#1F1F1F"),
		theme.ColorNameMenuBackground:      hex("#141414"),
		theme.ColorNameOverlayBackground:   hex("#000000"),
		theme.ColorNameHeaderBackground:    hex("#000000"),
		theme.ColorNameForeground:          hex("#FFFFFF"),
		theme.ColorNameDisabled:            hex("#B8B8B8"),
		theme.ColorNamePlaceHolder:         hex("#C8C8C8"),
		theme.ColorNamePrimary:             hex("#FFE600"),
		theme.ColorNameForegroundOnPrimary: hex("#000000"),
		theme.ColorNameError:               hex("#FF8A80"),
		theme.ColorNameForegroundOnError:   hex("#000000"),
		theme.ColorNameWarning:             hex("#FFB74D"),
		theme.ColorNameForegroundOnWarning: hex("#000000"),
		theme.ColorNameSuccess:             hex("#69F0AE"),
		theme.ColorNameForegroundOnSuccess: hex("#000000"),
		theme.ColorNameInputBorder:         hex("#FFFFFF"),
		theme.ColorNameSeparator:           hex("#FFFFFF"),
		theme.ColorNameFocus:               withAlpha(hex("#FFE600"), 0x40),
		theme.ColorNameSelection:           withAlpha(hex("#FFE600"), 0x50),
		theme.ColorNameHover:               withAlpha(hex("#FFFFFF"), 0x1a),
		theme.ColorNamePressed:             withAlpha(hex("#FFFFFF"), 0x40),
		ColorNameFocusRing:                 hex("#FFFFFF"),
	}
)

// The preferences the theme follows.
const (
	// PrefTheme holds the variant: "light", "dark", or anything else for
	// the system's.
	PrefTheme = "theme"
	// PrefContrast holds "high" for the high-contrast palette, "standard"
	// for the other, anything else to follow the system (Windows' high
	// contrast mode).
	PrefContrast = "contrast"
	// PrefTextSize holds the text size in percent, 100 to 200.
	PrefTextSize = "text_size"
)

// TextSizes are the text sizes Settings offers, in percent.
var TextSizes = []int{100, 125, 150, 175, 200}

// ThemeOf is the theme the preferences of a ask for; systemHigh says
// whether the system asks for high contrast.
func ThemeOf(a fyne.App, systemHigh bool) Theme {
	p := a.Preferences()
	t := Theme{Scale: float32(min(max(p.IntWithFallback(PrefTextSize, 100), 100), 200)) / 100}
	switch p.String(PrefTheme) {
	case "light":
		t.Forced, t.Variant = true, theme.VariantLight
	case "dark":
		t.Forced, t.Variant = true, theme.VariantDark
	}
	switch p.String(PrefContrast) {
	case "high":
		t.High = true
	case "standard":
	default:
		t.High = systemHigh
	}
	return t
}

// ApplyTheme applies the theme preferences: variant, contrast (the
// system's high contrast mode unless chosen) and text size.
func ApplyTheme(a fyne.App) {
	a.Settings().SetTheme(ThemeOf(a, SystemHighContrast()))
}

// LargeText reports whether th draws text at 150 % or more (Settings ›
// Text size): forms then put their labels above their fields.
func LargeText(th fyne.Theme) bool {
	t, ok := th.(Theme)
	return ok && t.Scale >= 1.5
}
