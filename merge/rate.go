package merge

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a sending rate: N messages every Per. The zero Rate is no limit.
type Rate struct {
	N   int
	Per time.Duration
}

// ParseRate reads "20/s", "30/min", "500/h" (also "30/m", "1/sec",
// "10/hour"; a bare number is per second). Providers cap sending per
// minute and per day: QQ, 163 and Gmail all do.
func ParseRate(s string) (Rate, error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		unit = "s"
	}
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n <= 0 {
		return Rate{}, fmt.Errorf("rate %q: want N/s, N/min or N/h with N a whole number above 0", s)
	}
	var per time.Duration
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "s", "sec", "second":
		per = time.Second
	case "m", "min", "minute":
		per = time.Minute
	case "h", "hour":
		per = time.Hour
	default:
		return Rate{}, fmt.Errorf("rate %q: want N/s, N/min or N/h", s)
	}
	return Rate{N: n, Per: per}, nil
}

// IsZero reports no limit.
func (r Rate) IsZero() bool { return r.N <= 0 || r.Per <= 0 }

// PerSecond is the rate in messages a second (0 for no limit).
func (r Rate) PerSecond() float64 {
	if r.IsZero() {
		return 0
	}
	return float64(r.N) / r.Per.Seconds()
}

func (r Rate) String() string {
	if r.IsZero() {
		return "unlimited"
	}
	unit := map[time.Duration]string{time.Second: "s", time.Minute: "min", time.Hour: "h"}[r.Per]
	if unit == "" {
		return fmt.Sprintf("%d/%s", r.N, r.Per)
	}
	return fmt.Sprintf("%d/%s", r.N, unit)
}

// limiter spaces messages evenly (a burst of one): "30/min" sends one
// every two seconds, which is what a provider counting per minute sees
// as 30 a minute whatever minute it counts.
func (r Rate) limiter() (*rate.Limiter, error) {
	if r.IsZero() {
		return nil, errors.New("no rate")
	}
	return rate.NewLimiter(rate.Every(r.Per/time.Duration(r.N)), 1), nil
}
