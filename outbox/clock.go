package outbox

import "time"

// Clock is the runner's and the store's sense of time. Tests inject a
// fake one and move it by hand, so retry schedules and leases are tested
// without sleeping.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real time.
var SystemClock Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

func clockOr(c Clock) Clock {
	if c == nil {
		return SystemClock
	}
	return c
}
