package message

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestPrepareRemovesBccKeepsTheRest(t *testing.T) {
	in := "From: =?UTF-8?B?5byg5LiJ?= <zs@x.test>\r\n" +
		"To: a@x.test, \"B (not a comment)\" <b@x.test> (comment)\r\n" +
		"Cc: friends: c@x.test, =?utf-8?q?D?= <d@x.test>;\r\n" +
		"Bcc: hidden@x.test,\r\n" +
		"\tsecond-hidden@x.test\r\n" +
		"bcc: third@x.test\r\n" +
		"Subject: =?UTF-8?B?5rWL6K+V?=\r\n" +
		"X-Weird:   spacing  kept \r\n" +
		"\r\n" +
		"Body\r\n.line\r\nBcc: not-a-header@x.test\r\n"
	var out bytes.Buffer
	p, err := Prepare(strings.NewReader(in), &out, PrepareOptions{
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }, Rand: bytes.NewReader(make([]byte, 64)),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a@x.test", "b@x.test", "c@x.test", "d@x.test", "hidden@x.test", "second-hidden@x.test", "third@x.test"}
	if strings.Join(p.Recipients, ",") != strings.Join(want, ",") {
		t.Fatalf("recipients %v", p.Recipients)
	}
	if !p.RemovedBcc || !p.AddedDate || !p.AddedID || p.From != "zs@x.test" {
		t.Fatalf("%+v", p)
	}
	wantOut := "From: =?UTF-8?B?5byg5LiJ?= <zs@x.test>\r\n" +
		"To: a@x.test, \"B (not a comment)\" <b@x.test> (comment)\r\n" +
		"Cc: friends: c@x.test, =?utf-8?q?D?= <d@x.test>;\r\n" +
		"Subject: =?UTF-8?B?5rWL6K+V?=\r\n" +
		"X-Weird:   spacing  kept \r\n" +
		"Date: Fri, 02 Jan 2026 03:04:05 +0000\r\n" +
		"Message-ID: <00000000000000000000000000000000@x.test>\r\n" +
		"\r\n" +
		"Body\r\n.line\r\nBcc: not-a-header@x.test\r\n"
	if out.String() != wantOut {
		t.Fatalf("got:\n%q\nwant:\n%q", out.String(), wantOut)
	}
}

func TestPrepareKeepsDateAndIDAndLF(t *testing.T) {
	in := "Date: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <x@y>\nTo: a@x.test\n\nhi\n"
	var out bytes.Buffer
	p, err := Prepare(strings.NewReader(in), &out, PrepareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != in || p.AddedDate || p.AddedID {
		t.Fatalf("changed: %q", out.String())
	}
}

func TestPrepareRejectsGarbage(t *testing.T) {
	for _, in := range []string{"not a header\n\nbody", " continuation first\n\n", "To: a@x.test\nbroken line\n\n", "To: <<<\n\n"} {
		if _, err := Prepare(strings.NewReader(in), &bytes.Buffer{}, PrepareOptions{}); err == nil {
			t.Errorf("Prepare(%q) accepted", in)
		}
	}
}
