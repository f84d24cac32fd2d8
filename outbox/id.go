package outbox

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"time"
)

// ID names an entry: 20 characters of [0-9a-z] (Crockford's base32 of
// 48 bits of milliseconds and 48 random bits), so IDs sort by creation
// time, do not collide across processes or hosts, and are safe as file
// names and as the local part of a Message-ID.
type ID string

const idLen = 20

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a fresh ID for an entry created at now.
func NewID(now time.Time) ID {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	rand.Read(b[6:])
	return ID(idEncoding.EncodeToString(b[:]))
}

// Valid reports whether id has the form NewID gives. Backends check it
// before using an ID read from disk in a file name.
func (id ID) Valid() bool {
	if len(id) != idLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z') || c == 'i' || c == 'l' || c == 'o' || c == 'u' {
			return false
		}
	}
	return true
}

// Time is when the entry was created, to the millisecond.
func (id ID) Time() time.Time {
	b, err := idEncoding.DecodeString(string(id))
	if err != nil || len(b) < 6 {
		return time.Time{}
	}
	var ms [8]byte
	copy(ms[2:], b[:6])
	return time.UnixMilli(int64(binary.BigEndian.Uint64(ms[:])))
}

// MakeID builds an ID from a time and six octets of the caller's, for a
// caller that wants IDs in an order of its own (merge numbers a
// campaign's entries by row, so listing a campaign yields its rows in
// order). The caller keeps them unique; Enqueue refuses an ID that exists.
func MakeID(t time.Time, tail [6]byte) ID {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	copy(b[6:], tail[:])
	return ID(idEncoding.EncodeToString(b[:]))
}
