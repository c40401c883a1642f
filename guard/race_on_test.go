//go:build race

package guard

// raceOn is set in a -race build, where the differential tests of the
// matchers, which share no memory, draw fewer random strings.
const raceOn = true
