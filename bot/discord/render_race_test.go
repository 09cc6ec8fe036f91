//go:build race

package discord

// raceEnabled tells the property tests that the race detector, which slows rendering about
// tenfold, is on.
const raceEnabled = true
