//go:build race

package sim

// raceDetector is true in -race builds, where the 100,000-request test runs
// a fifth of its requests.
const raceDetector = true
