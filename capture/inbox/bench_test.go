package inbox

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	tenK     string // a Maildir with 10,000 messages, made once per run
	tenKOnce sync.Once
)

func tenKMaildir(b *testing.B) string {
	tenKOnce.Do(func() {
		dir, err := os.MkdirTemp("", "postie-inbox-bench-")
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range []string{"tmp", "new", "cur"} {
			os.MkdirAll(filepath.Join(dir, d), 0o700)
		}
		for i := 0; i < 10000; i++ {
			subject := fmt.Sprintf("report %d", i)
			if i%10 == 0 {
				subject = gb2312Word(fmt.Sprintf("计算机网络 %d", i))
			}
			raw := plainMessage(fmt.Sprintf("User %d <u%d@x.test>", i%37, i), fmt.Sprintf("r%d@y.test", i%101), subject, "body")
			name := fmt.Sprintf("%d.P1Q%d.bench", 1735689600000000000+int64(i)*1e9, i)
			os.WriteFile(filepath.Join(dir, "new", name), []byte(raw), 0o600)
		}
		tenK = dir
	})
	return tenK
}

// BenchmarkIndex10k: starting an inbox over 10,000 messages (read once).
func BenchmarkIndex10k(b *testing.B) {
	dir := tenKMaildir(b)
	for b.Loop() {
		in, err := New(Config{Maildir: dir})
		if err != nil {
			b.Fatal(err)
		}
		in.Close()
	}
}

// BenchmarkList10k: one page of the list of 10,000 messages, as JSON and
// as the HTML page, and a search over all of them.
func BenchmarkList10k(b *testing.B) {
	in, err := New(Config{Maildir: tenKMaildir(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	for _, c := range []struct{ name, path string }{
		{"api", "/api/v1/messages"},
		{"page", "/"},
		{"search", "/api/v1/messages?q=%E8%AE%A1%E7%AE%97%E6%9C%BA"},
		{"last-page", "/api/v1/messages?page=200"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				w := httptest.NewRecorder()
				in.ServeHTTP(w, httptest.NewRequest("GET", c.path, nil))
				if w.Code != 200 {
					b.Fatalf("%s: %d", c.path, w.Code)
				}
			}
		})
	}
}
