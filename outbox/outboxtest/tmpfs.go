package outboxtest

import (
	"os"
	"os/exec"
	"testing"
)

// Tmpfs mounts a tmpfs of size (e.g. "1m") on a fresh directory for the
// test and unmounts it after: a disk that fills up, or that the test
// remounts read-only. It needs root, as in CI; without it the test is
// skipped, saying why — except under CI=true, where it fails.
func Tmpfs(t testing.TB, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount tmpfs: %v %s (CI runs as root)", err, out)
		}
		t.Skipf("cannot mount a tmpfs (%v %s): run as root", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}
