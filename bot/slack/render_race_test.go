//go:build race

package slack

// raceEnabled tells the property tests that the race detector, which slows rendering about
// tenfold, is on.
const raceEnabled = true
