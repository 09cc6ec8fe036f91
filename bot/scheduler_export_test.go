package bot

// What the external tests of the scheduler (package bot_test, which may import the platform
// adapters) use of the internal test helpers.

// TestClock is the scheduler tests' Clock (see schedClock).
type TestClock = schedClock

// NewTestClock returns a test clock at now; in auto mode every timer fires at once.
var NewTestClock = newSchedClock

// HangContext is a context that ends only when the test is taken to hang (see hangDeadline).
var HangContext = hangContext
