package message

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// python3 is the interpreter's path; a test without it skips, except in
// CI, where it must be there.
func python3(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 missing in CI")
		}
		t.Skip("python3 not installed")
	}
	return py
}

// TestPythonEmailReadsOurMessages cross-checks every golden case with
// Python's email package: headers decode to the input, attachment bytes
// are identical, no defects reported.
func TestPythonEmailReadsOurMessages(t *testing.T) {
	py := python3(t)
	for name, m := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.eml")
			var buf bytes.Buffer
			if _, err := m.WriteTo(&buf); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(path, buf.Bytes(), 0o644)
			out, err := exec.Command(py, "testdata/pyparse.py", path).CombinedOutput()
			if err != nil {
				t.Fatalf("python: %v\n%s", err, out)
			}
			var got struct {
				Subject, From, To string
				Bcc               bool
				Defects           []string
				Parts             []struct {
					Type, Sha256 string
					Filename     *string
					Text         *string
					Defects      []string
				}
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if got.Subject != m.Subject {
				t.Errorf("python subject %q", got.Subject)
			}
			if !strings.Contains(got.From, m.From.Addr) || (m.From.Name != "" && !strings.Contains(got.From, m.From.Name)) {
				t.Errorf("python From %q", got.From)
			}
			if got.Bcc || len(got.Defects) > 0 {
				t.Errorf("bcc=%v defects=%v", got.Bcc, got.Defects)
			}
			for _, a := range m.Attachments {
				rc, _ := a.Open()
				b, _ := io.ReadAll(rc)
				sum := sha256.Sum256(b)
				found := false
				for _, p := range got.Parts {
					if p.Filename != nil && *p.Filename == a.Name {
						found = p.Sha256 == hex.EncodeToString(sum[:])
					}
					if len(p.Defects) > 0 {
						t.Errorf("part %s defects %v", p.Type, p.Defects)
					}
				}
				if !found {
					t.Errorf("python did not find %q with identical bytes: %s", a.Name, out)
				}
			}
			if m.Text != "" {
				ok := false
				for _, p := range got.Parts {
					if p.Type == "text/plain" && p.Text != nil && strings.ReplaceAll(*p.Text, "\r\n", "\n") == strings.TrimSuffix(m.Text, "\n")+"\n" {
						ok = true
					}
				}
				if !ok {
					t.Errorf("python text parts differ: %s", out)
				}
			}
		})
	}
}
