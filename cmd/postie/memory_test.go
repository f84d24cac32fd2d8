package main_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/postie/postie/internal/testbin"
)

type countSession struct{ n *atomic.Int64 }

func (countSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (countSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (s countSession) Data(r io.Reader) error {
	n, err := io.Copy(io.Discard, r)
	s.n.Add(n)
	return err
}
func (countSession) Reset()        {}
func (countSession) Logout() error { return nil }

type quiet struct{}

func (quiet) Printf(string, ...any) {}
func (quiet) Println(...any)        {}

// A 128 MiB attachment goes out with the postie process's peak RSS under
// 32 MiB: the message is streamed from the file, never held. (bench/
// measures 1 GiB the same way.)
func TestLargeAttachmentFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 128 MiB")
	}
	var got atomic.Int64
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return countSession{&got}, nil }))
	srv.MaxMessageBytes = 1 << 30
	srv.ErrorLog = quiet{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	const size = 128 << 20
	path := filepath.Join(t.TempDir(), "big.bin")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(size) // sparse: no disk cost
	f.Close()

	for _, chunking := range []string{"--no-chunking", "--no-pipelining"} {
		got.Store(0)
		cmd := exec.Command(testbin.Postie(t), "send", "--server", ln.Addr().String(), "--tls", "none", chunking,
			"--from", "a@x.test", "--to", "b@x.test", "--subject", "big", "--text", "see attached", "--attach", path)
		cmd.Env = append(os.Environ(), "POSTIE_CONFIG="+filepath.Join(t.TempDir(), "none.toml"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		rss, err := peakRSS(cmd)
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr.String())
		}
		if got.Load() < size*4/3 {
			t.Fatalf("server received %d bytes, want at least %d", got.Load(), size*4/3)
		}
		t.Logf("%s: peak RSS %d KiB for a %d MiB attachment", chunking, rss, size>>20)
		if rss > 32<<10 {
			t.Fatalf("peak RSS %d KiB, want under 32 MiB", rss)
		}
	}
}

// peakRSS runs cmd and samples its own peak resident size (VmHWM in
// /proc/PID/status, KiB) until it exits. Rusage's Maxrss will not do: Go
// starts a child with vfork, and at exec Linux records the parent's
// high-water mark as the child's, so Maxrss reports the test process
// (which grows with every package the test binary links, and with -race).
func peakRSS(cmd *exec.Cmd) (int64, error) {
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	var peak int64
	for {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					if kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64); err == nil && kb > peak {
						peak = kb
					}
				}
			}
		}
		select {
		case err := <-done:
			return peak, err
		case <-tick.C:
		}
	}
}
