package outbox

import (
	"fmt"
	"strings"
	"time"
)

// Schedule says when a deferred recipient is tried again and when the
// outbox gives up. The zero value is the default: first retry after 5
// minutes, doubling to 4 hours, a maximum age of 5 days (RFC 5321
// §4.5.4.1 asks for at least 4–5 days), each delay stretched by up to
// 25% at random so entries deferred together do not return together.
type Schedule struct {
	// Delays[i] is the wait after the (i+1)th failed attempt; the last
	// one repeats. Empty: DefaultDelays.
	Delays []time.Duration `json:"delays,omitempty"`
	// MaxAge: after this long in the outbox (since enqueue or Retry), a
	// temporary failure becomes permanent. Zero: 5 days.
	MaxAge time.Duration `json:"max_age,omitempty"`
	// Jitter is the fraction by which a delay may grow at random.
	// Zero: 0.25; negative: none.
	Jitter float64 `json:"jitter,omitempty"`
}

// check refuses what would make a runner retry in a loop or never.
func (s Schedule) check() error {
	for _, d := range s.Delays {
		if d <= 0 {
			return fmt.Errorf("schedule: delay %v is not positive", d)
		}
	}
	if s.MaxAge < 0 || s.Jitter > 10 {
		return fmt.Errorf("schedule: maximum age %v, jitter %v", s.MaxAge, s.Jitter)
	}
	return nil
}

// IsZero: nothing set, the defaults apply.
func (s Schedule) IsZero() bool { return len(s.Delays) == 0 && s.MaxAge == 0 && s.Jitter == 0 }

// Under returns s with what s leaves unset taken from base: an entry's
// own schedule over the runner's.
func (s Schedule) Under(base Schedule) Schedule {
	if len(s.Delays) == 0 {
		s.Delays = base.Delays
	}
	if s.MaxAge == 0 {
		s.MaxAge = base.MaxAge
	}
	if s.Jitter == 0 {
		s.Jitter = base.Jitter
	}
	return s
}

// DefaultDelays: minutes growing to hours, as Postfix and sendmail do.
var DefaultDelays = []time.Duration{5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute, 80 * time.Minute, 160 * time.Minute, 4 * time.Hour}

// DefaultMaxAge is the age at which a temporary failure becomes permanent.
const DefaultMaxAge = 5 * 24 * time.Hour

// ParseDelays reads a comma-separated list of durations ("1s,2s,4s",
// "5m,30m,2h") as --retry-schedule gives it.
func ParseDelays(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("retry schedule %q: %v", s, err)
		}
		if d <= 0 {
			return nil, fmt.Errorf("retry schedule %q: delays must be positive", s)
		}
		out = append(out, d)
	}
	return out, nil
}

func (s Schedule) maxAge() time.Duration {
	if s.MaxAge > 0 {
		return s.MaxAge
	}
	return DefaultMaxAge
}

// Delay is the wait after the given number of failed attempts (1 for
// the first), before jitter.
func (s Schedule) Delay(attempts int) time.Duration {
	ds := s.Delays
	if len(ds) == 0 {
		ds = DefaultDelays
	}
	if attempts < 1 {
		attempts = 1
	}
	if attempts > len(ds) {
		return ds[len(ds)-1]
	}
	return ds[attempts-1]
}

// Next returns when to try again after a temporary failure at now that
// was the recipient's attempts-th, or expired=true when the entry has
// been in the outbox (since since) for the maximum age. rnd returns a
// number in [0,1) for the jitter. A retry never lands after the maximum
// age: the last one is at that moment, so the final verdict comes on time.
func (s Schedule) Next(since, now time.Time, attempts int, rnd func() float64) (next time.Time, expired bool) {
	deadline := since.Add(s.maxAge())
	if !now.Before(deadline) {
		return time.Time{}, true
	}
	d := s.Delay(attempts)
	j := s.Jitter
	if j == 0 {
		j = 0.25
	}
	if j > 0 && rnd != nil {
		d += time.Duration(float64(d) * j * rnd())
	}
	next = now.Add(d)
	if next.After(deadline) {
		next = deadline
	}
	return next, false
}
