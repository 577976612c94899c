package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestSmokeRealWindow starts the real chorus-onboard binary on an X display
// (Xvfb in CI), waits for its window, takes a screenshot with ImageMagick's
// import and checks that the picture is not blank. make test sets
// CHORUS_ONBOARD_BIN and CHORUS_SMOKE=1; a plain go test skips it.
func TestSmokeRealWindow(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs xwininfo and ImageMagick, Linux tools: make test-windows opens chorus-onboard.exe under Xvfb itself (English and French, light and dark)")
	}
	app := startRealApp(t, "smoke test", "import", "xwininfo")
	logs, exited := app.logs, app.exited

	// Liveness only: a cold start under a loaded CI machine can be slow.
	deadline := time.Now().Add(2 * time.Minute)
	var shot []byte
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("app exited early: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no painted window after 2 minutes\n%s", logs.String())
		}
		time.Sleep(500 * time.Millisecond)
		tree, _ := exec.Command("xwininfo", "-root", "-tree").Output()
		if !strings.Contains(string(tree), ` - Chorus Onboard - `) {
			continue
		}
		out, err := exec.Command("import", "-window", "root", "png:-").Output()
		if err != nil {
			continue
		}
		if painted(t, out) {
			shot = out
			break
		}
	}
	if dir := os.Getenv("CHORUS_SMOKE_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "smoke.png"), shot, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// realApp is chorus-onboard started for a test in the real window, in a
// home of its own: its output, and its end once it exits.
type realApp struct {
	home   string
	logs   *lockedBuffer
	exited chan error
}

// startRealApp starts CHORUS_ONBOARD_BIN on the X display for the test
// what, after checking the tools it needs; it skips the test when neither
// is set (a plain go test) and fails it under make test (CHORUS_SMOKE=1).
// The app is killed when the test ends.
func startRealApp(t *testing.T, what string, tools ...string) *realApp {
	t.Helper()
	bin := os.Getenv("CHORUS_ONBOARD_BIN")
	if bin == "" || os.Getenv("DISPLAY") == "" {
		if os.Getenv("CHORUS_SMOKE") == "1" {
			t.Fatalf("%s: CHORUS_SMOKE=1 needs CHORUS_ONBOARD_BIN and an X display (run it through make test)", what)
		}
		t.Skipf("%s: set CHORUS_ONBOARD_BIN and DISPLAY (make test does)", what)
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: make deps installs it", tool)
		}
	}
	a := &realApp{home: testos.TempDir(t), logs: &lockedBuffer{}, exited: make(chan error, 1)}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "HOME="+a.home, "XDG_CONFIG_HOME="+filepath.Join(a.home, "config"),
		"XDG_DATA_HOME="+filepath.Join(a.home, "data"), "LANG=en_US.UTF-8")
	cmd.Stdout, cmd.Stderr = a.logs, a.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { a.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-a.exited
	})
	return a
}

// lockedBuffer is the app's output, written by exec's copying goroutines
// while the test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// painted reports whether a screenshot shows a drawn window: many colours
// (text is anti-aliased) and a good share of pixels that are not the
// screen's background.
func painted(t *testing.T, b []byte) bool {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return false
	}
	colours := map[[3]uint32]int{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			colours[[3]uint32{cr >> 8, cg >> 8, cb >> 8}]++
		}
	}
	total, top := 0, 0
	for _, n := range colours {
		total += n
		top = max(top, n)
	}
	t.Logf("screenshot %v: %d colours, background %.0f%%", r.Size(), len(colours), 100*float64(top)/float64(total))
	return len(colours) >= 30 && float64(top)/float64(total) < 0.9 && !uniform(img, image.Rect(0, 0, 900, 640))
}

// uniform reports whether the window's area is one colour.
func uniform(img image.Image, r image.Rectangle) bool {
	r = r.Intersect(img.Bounds())
	first := img.At(r.Min.X, r.Min.Y)
	for y := r.Min.Y; y < r.Max.Y; y += 7 {
		for x := r.Min.X; x < r.Max.X; x += 7 {
			if img.At(x, y) != first {
				return false
			}
		}
	}
	return true
}
