package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
)

// GenerateKey makes a new signing key: "rsa" (bits, default 2048, the
// size every verifier accepts) or "ed25519" (RFC 8463; not every receiver
// verifies it yet, so publish an RSA key beside it).
func GenerateKey(kind string, bits int) (crypto.Signer, error) {
	switch kind {
	case "rsa", "":
		if bits == 0 {
			bits = 2048
		}
		if bits < MinRSABits || bits > 8192 {
			return nil, fmt.Errorf("RSA key size %d: want %d to 8192 bits", bits, MinRSABits)
		}
		return rsa.GenerateKey(rand.Reader, bits)
	case "ed25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("key type %q: want rsa or ed25519", kind)
}

// MarshalKey encodes a private key as PEM PKCS#8, what LoadKey reads.
func MarshalKey(k crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// TXTValue is the key record's text (RFC 6376 §3.6.1): for RSA the
// DER SubjectPublicKeyInfo, for Ed25519 the raw 32-byte key (RFC 8463 §4).
func TXTValue(pub crypto.PublicKey) (string, error) {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(p)
		if err != nil {
			return "", err
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der), nil
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(p), nil
	}
	return "", fmt.Errorf("unsupported public key %T", pub)
}

// RecordName is where the key for selector at domain is published.
func RecordName(selector, domain string) string {
	return selector + "._domainkey." + strings.TrimSuffix(domain, ".") + "."
}

// DNSRecord is a zone-file line publishing pub: the text is cut into
// quoted strings of at most 255 octets, the limit of one TXT string
// (RFC 1035 §3.3.14); verifiers join them.
func DNSRecord(selector, domain string, pub crypto.PublicKey) (string, error) {
	v, err := TXTValue(pub)
	if err != nil {
		return "", err
	}
	var parts []string
	for len(v) > 0 {
		n := min(len(v), 255)
		parts = append(parts, `"`+v[:n]+`"`)
		v = v[n:]
	}
	return fmt.Sprintf("%s 3600 IN TXT ( %s )", RecordName(selector, domain), strings.Join(parts, " ")), nil
}
