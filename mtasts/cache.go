package mtasts

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Cache keeps policies in a directory, one JSON file per domain.
type Cache struct {
	Dir string // "" keeps nothing
}

// Entry is a cached policy: its record id, the policy, and when it
// stops counting (fetched + max_age).
type Entry struct {
	ID      string    `json:"id"`
	Policy  string    `json:"policy"` // the policy file text
	Fetched time.Time `json:"fetched"`
	Expires time.Time `json:"expires"`
}

func (c *Cache) path(domain string) (string, bool) {
	if c == nil || c.Dir == "" || domain == "" || strings.ContainsAny(domain, `/\`) || strings.HasPrefix(domain, ".") {
		return "", false
	}
	return filepath.Join(c.Dir, strings.ToLower(domain)+".json"), true
}

// Get returns the cached entry for domain when it has not expired.
func (c *Cache) Get(domain string, now time.Time) (*Entry, *Policy) {
	p, ok := c.path(domain)
	if !ok {
		return nil, nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, nil
	}
	var e Entry
	if json.Unmarshal(b, &e) != nil || !now.Before(e.Expires) {
		return nil, nil
	}
	pol, err := ParsePolicy([]byte(e.Policy))
	if err != nil {
		return nil, nil
	}
	return &e, pol
}

// Put stores a policy, written to a temporary file and renamed so a
// reader never sees half of it.
func (c *Cache) Put(domain string, e *Entry) error {
	p, ok := c.path(domain)
	if !ok {
		return nil
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("MTA-STS cache: %w", err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.Dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("MTA-STS cache: %w", err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("MTA-STS cache: %w", errors.Join(werr, cerr))
	}
	return os.Rename(tmp.Name(), p)
}
