package testos

import "testing"

// Share opens the file or directory at path to other users, as a careless
// copy or an old version of the app would have left it: mode 0644 (0755)
// on Unix; on Windows a DACL granting Everyone read access beside the
// owner. Tests then check that the app takes it back.
func Share(tb testing.TB, path string) {
	tb.Helper()
	if err := share(path); err != nil {
		tb.Fatalf("share %s: %v", path, err)
	}
}

// UnderWine reports whether the test runs under Wine, logging that what
// follows is not checked there because of deviation (docs/windows.md). A
// test calls it to leave out one check rather than skip whole.
func UnderWine(tb testing.TB, deviation string) bool {
	tb.Helper()
	if Wine() {
		tb.Logf("not checked under Wine: deviation %q (docs/windows.md); checked on Windows itself and on Linux", deviation)
		return true
	}
	return false
}
