package dkim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func writeKey(t *testing.T, b []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "k.pem")
	if err := os.WriteFile(p, b, mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, mode)
	return p
}

func TestLoadKey(t *testing.T) {
	for _, kind := range []string{"rsa", "ed25519"} {
		k := mustKey(t, kind)
		pemBytes, err := MarshalKey(k)
		if err != nil {
			t.Fatal(err)
		}
		got, err := LoadKey(writeKey(t, pemBytes, 0o600))
		if err != nil || Algorithm(got) != Algorithm(k) {
			t.Fatalf("%s: %v", kind, err)
		}
	}
	// PKCS#1, as 'openssl genrsa' of old writes it.
	rk, _ := rsa.GenerateKey(rand.Reader, 1024)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)})
	if _, err := LoadKey(writeKey(t, pkcs1, 0o400)); err != nil {
		t.Fatal(err)
	}
}

func TestLoadKeyRefuses(t *testing.T) {
	good, _ := MarshalKey(mustKey(t, "ed25519"))
	// Go refuses to make an RSA key under 1024 bits; openssl made this one.
	weakPEM, err := os.ReadFile("testdata/weak-768.pem")
	if err != nil {
		t.Fatal(err)
	}
	rk, _ := rsa.GenerateKey(rand.Reader, 1024)
	pub, _ := x509.MarshalPKIXPublicKey(rk.Public())
	for name, c := range map[string]struct {
		path string
		want string
	}{
		"readable by others": {writeKey(t, good, 0o644), "mode 0644"},
		"group readable":     {writeKey(t, good, 0o640), "chmod 600"},
		"missing":            {filepath.Join(t.TempDir(), "nope.pem"), "no such file"},
		"not PEM":            {writeKey(t, []byte("hello"), 0o600), "no PEM block"},
		"public key":         {writeKey(t, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600), "not a private key"},
		"broken key":         {writeKey(t, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("xx")}), 0o600), "not a valid private key"},
		"too weak":           {writeKey(t, weakPEM, 0o600), "768"},
	} {
		_, err := LoadKey(c.path)
		var ke *KeyError
		if !errors.As(err, &ke) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}

func TestDNSRecordSplitsLongText(t *testing.T) {
	k, err := GenerateKey("rsa", 2048)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := DNSRecord("s", "example.org.", k.Public())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rec, "s._domainkey.example.org. 3600 IN TXT ( \"v=DKIM1; k=rsa; p=") {
		t.Fatal(rec)
	}
	inner := strings.TrimSuffix(rec[strings.Index(rec, "( ")+2:], " )")
	var joined string
	parts := regexp.MustCompile(`"([^"]*)"( |$)`).FindAllStringSubmatch(inner, -1)
	if len(parts) < 2 {
		t.Fatalf("%d parts in %s", len(parts), inner)
	}
	for _, part := range parts {
		if len(part[1]) > 255 {
			t.Fatalf("part of %d octets", len(part[1]))
		}
		joined += part[1]
	}
	want, _ := TXTValue(k.Public())
	if joined != want {
		t.Fatal("the parts do not join to the record text")
	}
	if _, err := GenerateKey("dsa", 0); err == nil {
		t.Fatal("dsa accepted")
	}
}
