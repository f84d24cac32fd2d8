package mtasts

import (
	"context"
	"errors"
	"time"
)

// Client finds the policy that applies to a domain, with the cache.
type Client struct {
	Fetcher Fetcher
	Cache   *Cache
	Now     func() time.Time // default time.Now
}

// Result is the policy that applies to a domain and how it was found.
type Result struct {
	Policy *Policy // nil: no policy applies (or mode none)
	ID     string
	Source string // "fetched", "cache", or "" without a policy
	Note   string // what went wrong on the way, when something did
}

// Lookup returns the policy that applies to domain (RFC 8461 §3.3, §5.1):
// a cached policy with the record's current id is used as is; a new id
// (or no cached policy) means a fetch; when the record or the fetch
// fails, an unexpired cached policy still applies. A policy in mode none
// gives a Result without Policy. Lookup never fails: a domain whose
// policy cannot be found is one without policy, and Note says why.
func (c *Client) Lookup(ctx context.Context, domain string) *Result {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	cached, cachedPolicy := c.Cache.Get(domain, now())
	useCache := func(note string) *Result {
		if cachedPolicy == nil {
			return &Result{Note: note}
		}
		r := &Result{Policy: cachedPolicy, ID: cached.ID, Source: "cache", Note: note}
		if cachedPolicy.Mode == None {
			r.Policy = nil
		}
		return r
	}
	id, err := c.Fetcher.Record(ctx, domain)
	if errors.Is(err, ErrNoRecord) && cachedPolicy == nil {
		return &Result{}
	}
	if err != nil {
		return useCache(err.Error())
	}
	if cachedPolicy != nil && cached.ID == id {
		return useCache("")
	}
	p, err := c.Fetcher.Policy(ctx, domain)
	if err != nil {
		return useCache(err.Error())
	}
	t := now()
	if err := c.Cache.Put(domain, &Entry{ID: id, Policy: p.String(), Fetched: t, Expires: t.Add(p.MaxAge)}); err != nil {
		return &Result{Policy: activePolicy(p), ID: id, Source: "fetched", Note: err.Error()}
	}
	return &Result{Policy: activePolicy(p), ID: id, Source: "fetched"}
}

func activePolicy(p *Policy) *Policy {
	if p.Mode == None {
		return nil
	}
	return p
}
