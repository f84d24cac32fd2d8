package outbox

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

// A runner's default owner name is "host:pid:start:random": start is when
// its process began, as the kernel counts it (on Linux, clock ticks since
// boot; "-" where unknown), so that OwnerGone can tell a dead runner from
// a process that later got the same pid.
func defaultOwner() string {
	h, _ := os.Hostname()
	pid := os.Getpid()
	start := processStart(pid)
	if start == "" {
		start = "-"
	}
	return fmt.Sprintf("%s:%d:%s:%04x", h, pid, start, rand.Uint32()&0xffff)
}

// OwnerGone reports whether owner names a runner on this host whose
// process no longer runs: its leases can be ended at once instead of
// waiting for them to run out (a runner killed with SIGKILL, a power
// cut). It is false whenever it cannot be sure: another host, a name not
// made by a default Runner, a process with that pid still running and no
// start time to compare.
func OwnerGone(owner string) bool {
	f := strings.Split(owner, ":")
	if len(f) < 4 {
		return false
	}
	host, start := strings.Join(f[:len(f)-3], ":"), f[len(f)-2]
	pid, err := strconv.Atoi(f[len(f)-3])
	if err != nil || pid <= 0 {
		return false
	}
	if h, _ := os.Hostname(); h == "" || h != host {
		return false
	}
	if pid == os.Getpid() {
		return start != "-" && start != processStart(pid) // this very process: alive unless it is another incarnation of the pid
	}
	return processGone(pid, start)
}
