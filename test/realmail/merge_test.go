package realmail_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMerge300RowsIntoDovecot: postie merge sends a 300-row campaign
// through Postfix's submission port (STARTTLS, AUTH) into Dovecot's
// mailboxes: each row once, to its own address, with its own values; a
// second run sends nothing.
func TestMerge300RowsIntoDovecot(t *testing.T) {
	env := servers(t)
	dir := t.TempDir()
	id := testID()
	users := []string{"alice", "bob", "carol"}
	var csv strings.Builder
	csv.WriteString("name,email,row_id\n")
	for i := range 300 {
		u := users[i%3]
		fmt.Fprintf(&csv, "%s %d,%s@mail.test,r%03d\n", u, i, u, i)
	}
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	data := write("rows.csv", csv.String())
	tmpl := write("note.eml", "From: Alice <alice@mail.test>\nTo: {{.name}} <{{.email}}>\nSubject: 你好 {{.name}}\nX-Test-Id: "+id+"\nX-Row: {{.row_id}}\n\n{{.name}} 同学，你的编号是 {{.row_id}}。\n")
	pw := secretFile(t, "secret-alice")
	qenv := []string{"POSTIE_QUEUE_DIR=" + filepath.Join(dir, "queue")}
	args := []string{"merge", "--template", tmpl, "--data", data, "--allow-duplicates", "--concurrency", "4",
		"--server", env["REALMAIL_SUBMISSION"], "--tls", "starttls", "--cacert", env["REALMAIL_CA"],
		"--user", "alice@mail.test", "--password-file", pw, "--report", filepath.Join(dir, "report.jsonl")}
	r := postie(t, "", qenv, args...)
	if r.code != 0 || !regexp.MustCompile(`(?m)^  sent +300$`).MatchString(r.stderr) {
		t.Fatalf("merge: exit %d\n%s", r.code, r.stderr)
	}
	rowRe := regexp.MustCompile(`(?m)^X-Row: (r\d{3})\r?$`)
	seen := map[string]string{}
	for _, u := range users {
		got := copies(t, env, u, id, 100)
		if len(got) != 100 {
			t.Fatalf("%s has %d messages of the campaign, want 100", u, len(got))
		}
		for _, m := range got {
			row := rowRe.FindSubmatch(m)
			if row == nil {
				t.Fatalf("%s: a message without X-Row:\n%s", u, m[:min(600, len(m))])
			}
			if prev, dup := seen[string(row[1])]; dup {
				t.Fatalf("row %s delivered twice (%s and %s)", row[1], prev, u)
			}
			seen[string(row[1])] = u
			var n int
			fmt.Sscanf(string(row[1]), "r%d", &n)
			if want := users[n%3]; want != u {
				t.Errorf("row %s in %s's mailbox, want %s's", row[1], u, want)
			}
			if !bytes.Contains(m, []byte("To: "+fmt.Sprintf("%s %d <%s@mail.test>", u, n, u))) {
				t.Errorf("row %s: To is not the row's own", row[1])
			}
		}
	}
	if len(seen) != 300 {
		t.Fatalf("%d distinct rows delivered, want 300", len(seen))
	}
	rep, err := os.ReadFile(filepath.Join(dir, "report.jsonl"))
	if err != nil || bytes.Count(rep, []byte(`"status":"sent"`)) != 300 {
		t.Fatalf("report: %v\n%.600s", err, rep)
	}

	r = postie(t, "", qenv, args...)
	if r.code != 0 || !strings.Contains(r.stderr, "is finished: nothing left to send, no connection made") {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}
	for _, u := range users {
		if got := copies(t, env, u, id, 100); len(got) != 100 {
			t.Fatalf("after a second run %s has %d messages, want 100", u, len(got))
		}
	}
}
