//go:build race

package main

// raceDetector is true in -race builds. The kill -9 and bulk tests skip
// there: the race detector slows the children tenfold and adds nothing to a
// crash or memory check; make test runs them in a separate pass without it.
const raceDetector = true
