package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// KeyError is a signing key that cannot be used: missing, readable by
// others, not a key, or too weak. It is a configuration error.
type KeyError struct {
	Path string
	Err  error
}

func (e *KeyError) Error() string {
	if e.Path == "" {
		return "DKIM key: " + e.Err.Error()
	}
	return fmt.Sprintf("DKIM key %s: %v", e.Path, e.Err)
}
func (e *KeyError) Unwrap() error { return e.Err }

// MinRSABits is the smallest RSA key accepted: RFC 8301 §3.2 forbids
// signing with fewer than 1024 bits.
const MinRSABits = 1024

// LoadKey reads a PEM private key (PKCS#8 RSA or Ed25519, or PKCS#1 RSA)
// from path. Like every secret postie reads, the file must belong to the
// user running postie and be unreadable by group and others.
func LoadKey(path string) (crypto.Signer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &KeyError{Path: path, Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &KeyError{Path: path, Err: err}
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, &KeyError{Path: path, Err: fmt.Errorf("the file is mode %04o and others can read the private key; make it 0600 (chmod 600 %s)", st.Mode().Perm(), path)}
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Getuid() {
		return nil, &KeyError{Path: path, Err: fmt.Errorf("the file belongs to uid %d, not to you (uid %d)", sys.Uid, os.Getuid())}
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, &KeyError{Path: path, Err: err}
	}
	k, err := ParseKey(b)
	if err != nil {
		return nil, &KeyError{Path: path, Err: err}
	}
	return k, nil
}

// ParseKey parses a PEM private key and checks that it can sign.
func ParseKey(pemBytes []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block in it (want a PEM private key, as 'postie dkim keygen' writes)")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key (want PRIVATE KEY or RSA PRIVATE KEY)", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("not a valid private key: %w", err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < MinRSABits {
			return nil, fmt.Errorf("RSA key of %d bits is too weak to sign (RFC 8301 wants at least %d, better 2048)", bits, MinRSABits)
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("a %T cannot sign DKIM (want RSA or Ed25519)", key)
}

// Algorithm names the a= value a key signs with.
func Algorithm(k crypto.Signer) string {
	if _, ok := k.Public().(ed25519.PublicKey); ok {
		return "ed25519-sha256"
	}
	return "rsa-sha256"
}
