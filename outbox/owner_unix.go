//go:build unix

package outbox

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// processStart is the start time of process pid from /proc (Linux), or "".
func processStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name (field 2) is in parentheses and may hold spaces
	// and parentheses itself: count fields after the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return ""
	}
	return f[19] // field 22, starttime
}

// processGone: no process pid, or one that started at another time than
// start (the pid was reused).
func processGone(pid int, start string) bool {
	err := syscall.Kill(pid, 0)
	if errors.Is(err, syscall.ESRCH) {
		return true
	}
	if start == "-" {
		return false
	}
	now := processStart(pid)
	return now != "" && now != start
}
