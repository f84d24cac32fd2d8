package capture

import "time"

// Limits protect a server that other machines can reach. The zero value
// imposes none (what tests and the demo want); LoopbackLimits and
// PublicLimits are the defaults of postie serve.
type Limits struct {
	MaxConns      int // connections at once (0: no cap)
	MaxConnsPerIP int // connections at once from one client address (0: no cap)

	// MaxSession bounds a whole connection, however busy: a client that
	// sends a NOOP every few seconds is still cut off (0: no bound).
	MaxSession time.Duration
	// MinRate is the least average rate, in octets per second, at which a
	// client must send while the server waits for it; RateGrace seconds'
	// worth of it are granted up front. A client dripping one byte a
	// second is cut off after about RateGrace (0: no minimum).
	MinRate   int
	RateGrace time.Duration

	// AuthFailDelay is waited before answering a failed AUTH. It doubles
	// with each recent failure from the same client address (up to 32
	// times), so guessing from many connections is as slow as from one.
	AuthFailDelay time.Duration
	// MaxAuthFailures failed AUTH attempts end the connection (0: no cap).
	MaxAuthFailures int

	MaxMessages    int   // messages kept in the Maildir (new/ and cur/); 0: no cap
	MaxStoredBytes int64 // octets kept in the Maildir; 0: no cap
}

// LoopbackLimits are postie serve's defaults on a loopback address: only
// this machine can connect, and a person may be typing SMTP by hand, so
// there is no session bound and no minimum rate.
func LoopbackLimits() Limits {
	return Limits{MaxConns: 100, AuthFailDelay: time.Second, MaxAuthFailures: 3}
}

// PublicLimits are postie serve's defaults beyond loopback.
func PublicLimits() Limits {
	return Limits{
		MaxConns: 100, MaxConnsPerIP: 10,
		MaxSession: 10 * time.Minute, MinRate: 256, RateGrace: 30 * time.Second,
		AuthFailDelay: 2 * time.Second, MaxAuthFailures: 3,
		MaxMessages: 10000, MaxStoredBytes: 1 << 30,
	}
}
