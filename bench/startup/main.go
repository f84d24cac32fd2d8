// Command startup measures postie's start-up cost: one message per
// process, as cron, git send-email and scripts send, against a minimal Go
// net/smtp program sending the same message to the same server. The runs
// alternate (peer, postie, peer, ...) so that load on the machine falls on
// both alike, and the ratio is of the medians. Run by bench/startup.sh.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"time"
)

func main() {
	postie := flag.String("postie", "postie", "the postie binary")
	peer := flag.String("peer", "netsmtp", "the net/smtp program (reads the message on stdin)")
	server := flag.String("server", "127.0.0.1:2625", "the SMTP server (smtp-sink)")
	runs := flag.Int("runs", 200, "runs of each")
	flag.Parse()

	args := []string{"send", "--server", *server, "--tls", "none", "-q", "--from", "a@x.test", "--to", "b@x.test",
		"--subject", "start-up", "--text", "one message per process"}
	// The peer sends the very message postie composes.
	msg, err := exec.Command(*postie, append(args, "--dry-run")...).Output()
	if err != nil {
		fail(err)
	}
	runPostie := func() *exec.Cmd { return exec.Command(*postie, args...) }
	runPeer := func() *exec.Cmd {
		c := exec.Command(*peer, "-server", *server, "-from", "a@x.test", "-to", "b@x.test")
		c.Stdin = bytes.NewReader(msg)
		return c
	}
	for i := 0; i < 10; i++ { // warm the page cache and the server
		runPeer().Run()
		runPostie().Run()
	}
	var wall, cpu [2][]time.Duration // [0] net/smtp, [1] postie
	for i := 0; i < *runs; i++ {
		for k, mk := range []func() *exec.Cmd{runPeer, runPostie} {
			c := mk()
			start := time.Now()
			if err := c.Run(); err != nil {
				fail(err)
			}
			wall[k] = append(wall[k], time.Since(start))
			cpu[k] = append(cpu[k], c.ProcessState.UserTime()+c.ProcessState.SystemTime())
		}
	}
	fmt.Printf("%d runs each, alternating; a %d-byte message\n", *runs, len(msg))
	for k, name := range []string{"net/smtp", "postie"} {
		w, c := stats(wall[k]), stats(cpu[k])
		fmt.Printf("%-9s wall median %v (p25 %v, p75 %v, min %v); cpu median %v\n", name+":", w[1], w[0], w[2], w[3], c[1])
	}
	ratio := func(d [2][]time.Duration, i int) float64 { return float64(stats(d[1])[i]) / float64(stats(d[0])[i]) }
	fmt.Printf("ratio postie/net/smtp: wall %.2fx (medians), %.2fx (minimums); cpu %.2fx (medians)\n", ratio(wall, 1), ratio(wall, 3), ratio(cpu, 1))
}

// stats returns p25, median, p75 and minimum.
func stats(in []time.Duration) [4]time.Duration {
	d := append([]time.Duration(nil), in...)
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	r := func(x time.Duration) time.Duration { return x.Round(10 * time.Microsecond) }
	return [4]time.Duration{r(d[len(d)/4]), r(d[len(d)/2]), r(d[len(d)*3/4]), r(d[0])}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "startup:", err)
	os.Exit(1)
}
