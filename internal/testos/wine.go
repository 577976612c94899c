package testos

import (
	"runtime"
	"testing"
)

// Wine reports whether the test binary runs under Wine rather than on
// Windows itself (Wine's ntdll exports wine_get_version; Windows' does
// not). Only a test meeting a documented Wine deviation asks.
func Wine() bool { return runtime.GOOS == "windows" && wine() }

// SkipUnderWine skips the test under Wine, naming the deviation of
// docs/windows.md that makes it unable to pass there; on Windows itself and
// on Linux the test runs.
func SkipUnderWine(tb testing.TB, deviation string) {
	tb.Helper()
	if Wine() {
		tb.Skipf("Wine deviation %q (docs/windows.md): runs on Windows itself and on Linux", deviation)
	}
}
