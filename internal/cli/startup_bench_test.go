package cli

import (
	"context"
	"io"
	"strings"
	"testing"
)

// The work postie does in-process for one message before it connects:
// building the commands, resolving settings, composing. (bench/startup.sh
// measures the whole process.)
func BenchmarkRoot(b *testing.B) {
	a := &App{Stdout: io.Discard, Stderr: io.Discard}
	for _, args := range [][]string{nil, {"send"}} {
		b.Run(strings.Join(append([]string{"args"}, args...), "-"), func(b *testing.B) {
			for b.Loop() {
				a.root(args)
			}
		})
	}
}

func BenchmarkSendDryRun(b *testing.B) {
	a := &App{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string {
		if k == "POSTIE_CONFIG" {
			return "/nonexistent/postie.toml"
		}
		return ""
	}}
	args := []string{"postie", "send", "--dry-run", "--server", "127.0.0.1:1", "--tls", "none", "--from", "a@x.test", "--to", "b@x.test", "--subject", "x", "--text", "hi"}
	for b.Loop() {
		if code := a.Run(context.Background(), args); code != 0 {
			b.Fatal(code)
		}
	}
}
