package sasl

import (
	"bytes"
	"testing"
)

func TestPlain(t *testing.T) {
	ir, err := Plain("", "tim", "tanstaaftanstaaf").Start()
	if err != nil || string(ir) != "\x00tim\x00tanstaaftanstaaf" {
		t.Fatalf("%q %v", ir, err)
	}
	if _, err := Plain("", "a\x00b", "p").Start(); err == nil {
		t.Fatal("NUL in user accepted")
	}
}

// RFC 2195 §2's example exchange.
func TestCRAMMD5Vector(t *testing.T) {
	m := CRAMMD5("tim", "tanstaaftanstaaf")
	resp, err := m.Next([]byte("<1896.697170952@postoffice.reston.mci.net>"))
	if err != nil || string(resp) != "tim b913a602c7eda7a495b4e6e7334d3890" {
		t.Fatalf("%q %v", resp, err)
	}
	if _, err := m.Next(nil); err == nil {
		t.Fatal("second challenge accepted")
	}
}

func TestLoginForms(t *testing.T) {
	m := Login("u", "p")
	if ir, _ := m.Start(); ir != nil {
		t.Fatal("challenge form sent an initial response")
	}
	// The prompts' text does not matter: 163 sends "username:" in lower case.
	a, _ := m.Next([]byte("username:"))
	b, _ := m.Next([]byte("anything at all"))
	if string(a) != "u" || string(b) != "p" {
		t.Fatalf("%q %q", a, b)
	}
	if _, err := m.Next(nil); err == nil {
		t.Fatal("third challenge accepted")
	}
	m = LoginInitial("u", "p")
	ir, _ := m.Start()
	b, _ = m.Next([]byte("Password:"))
	if string(ir) != "u" || string(b) != "p" {
		t.Fatalf("%q %q", ir, b)
	}
}

func TestOAuth(t *testing.T) {
	ir, _ := XOAuth2("me@gmail.com", "ya29.tok").Start()
	if string(ir) != "user=me@gmail.com\x01auth=Bearer ya29.tok\x01\x01" {
		t.Fatalf("%q", ir)
	}
	// The error challenge gets an empty response, once.
	m := XOAuth2("u", "t")
	if r, err := m.Next([]byte(`{"status":"401"}`)); err != nil || len(r) != 0 {
		t.Fatal(r, err)
	}
	ob := OAuthBearer("a,b=c@x.test", "smtp.x.test", 587, "tok")
	ir, _ = ob.Start()
	want := "n,a=a=2Cb=3Dc@x.test,\x01host=smtp.x.test\x01port=587\x01auth=Bearer tok\x01\x01"
	if string(ir) != want {
		t.Fatalf("%q", ir)
	}
	if r, _ := ob.Next([]byte("{}")); !bytes.Equal(r, []byte{1}) {
		t.Fatalf("%q", r)
	}
	if _, err := XOAuth2("u", "t\x01").Start(); err == nil {
		t.Fatal("control byte in token accepted")
	}
}
