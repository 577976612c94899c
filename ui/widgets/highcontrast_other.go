//go:build !windows

package widgets

// SystemHighContrast reports whether the system asks for high contrast:
// on Windows, its high contrast mode; elsewhere there is no setting the
// app can read reliably, and the user chooses in Settings.
func SystemHighContrast() bool { return false }
