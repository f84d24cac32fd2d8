package inbox

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// index keeps a summary of every message in the Maildir (new/ and cur/),
// newest first, so the list answers without reading files. It notices
// files added or removed behind its back by the directories' mtimes.
type index struct {
	dir string

	mu     sync.RWMutex
	byID   map[string]*Summary
	order  []*Summary // newest first
	dirMod [2]time.Time
}

// ErrNotFound: no message with that ID.
var ErrNotFound = errors.New("no such message")

func newIndex(dir string) *index {
	ix := &index{dir: dir, byID: map[string]*Summary{}}
	ix.refresh(true)
	return ix
}

// idOf is a Maildir file's unique part: the name before ":2,flags".
func idOf(name string) string {
	id, _, _ := strings.Cut(name, ":")
	return id
}

// validID keeps IDs to what Maildir names are made of, so an ID is never
// a path.
func validID(id string) bool {
	if id == "" || id[0] == '.' || len(id) > 255 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// refresh rescans the directories when they changed (or force).
func (ix *index) refresh(force bool) {
	var mods [2]time.Time
	for i, d := range []string{"new", "cur"} {
		if info, err := os.Stat(filepath.Join(ix.dir, d)); err == nil {
			mods[i] = info.ModTime()
		}
	}
	ix.mu.RLock()
	// A directory's mtime can stay the same for changes within one clock
	// tick: trust it only when it is older than a second.
	same := !force && mods == ix.dirMod && time.Since(mods[0]) > time.Second && time.Since(mods[1]) > time.Second
	ix.mu.RUnlock()
	if same {
		return
	}
	found := map[string]string{} // id -> path
	for _, d := range []string{"new", "cur"} {
		entries, _ := os.ReadDir(filepath.Join(ix.dir, d))
		for _, e := range entries {
			if id := idOf(e.Name()); e.Type().IsRegular() && validID(id) {
				found[id] = filepath.Join(ix.dir, d, e.Name())
			}
		}
	}
	ix.mu.RLock()
	var todo []string
	for id, p := range found {
		if s, ok := ix.byID[id]; !ok || s.path != p {
			todo = append(todo, id)
		}
	}
	ix.mu.RUnlock()
	read := ix.readAll(todo, found)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for id := range ix.byID {
		if _, ok := found[id]; !ok {
			delete(ix.byID, id)
		}
	}
	for id, s := range read {
		ix.byID[id] = s
	}
	ix.rebuildLocked()
	ix.dirMod = mods
}

// newer orders the list: latest arrival first.
func newer(a, b *Summary) bool {
	if !a.Arrived.Equal(b.Arrived) {
		return a.Arrived.After(b.Arrived)
	}
	return a.ID > b.ID
}

// readAll reads summaries a few at a time: opening files is most of the
// cost at start, and the disk can do several at once.
func (ix *index) readAll(ids []string, paths map[string]string) map[string]*Summary {
	out := make(map[string]*Summary, len(ids))
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan string)
	for range min(8, max(1, len(ids)/64)) {
		wg.Go(func() {
			for id := range work {
				if s, err := readSummary(paths[id], id); err == nil {
					mu.Lock()
					out[id] = &s
					mu.Unlock()
				}
			}
		})
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	return out
}

func (ix *index) rebuildLocked() {
	ix.order = ix.order[:0]
	for _, s := range ix.byID {
		ix.order = append(ix.order, s)
	}
	sort.Slice(ix.order, func(i, j int) bool { return newer(ix.order[i], ix.order[j]) })
}

// add indexes one file at once (a message just stored).
func (ix *index) add(path string) (*Summary, error) {
	id := idOf(filepath.Base(path))
	if !validID(id) {
		return nil, ErrNotFound
	}
	s, err := readSummary(path, id)
	if err != nil {
		return nil, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if _, ok := ix.byID[id]; ok {
		ix.byID[id] = &s
		ix.rebuildLocked()
		return &s, nil
	}
	ix.byID[id] = &s
	i := sort.Search(len(ix.order), func(i int) bool { return newer(&s, ix.order[i]) })
	ix.order = append(ix.order, nil)
	copy(ix.order[i+1:], ix.order[i:])
	ix.order[i] = &s
	return &s, nil
}

func (ix *index) get(id string) (Summary, error) {
	if !validID(id) {
		return Summary{}, ErrNotFound
	}
	ix.refresh(false)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s, ok := ix.byID[id]
	if !ok {
		return Summary{}, ErrNotFound
	}
	return *s, nil
}

// Page is one page of the list.
type Page struct {
	Total    int       `json:"total"` // messages matching the query
	Page     int       `json:"page"`  // from 1
	PerPage  int       `json:"per_page"`
	Pages    int       `json:"pages"`
	Query    string    `json:"query,omitempty"`
	Messages []Summary `json:"messages"`
}

// list returns one page of the messages matching q (every word must be in
// the sender, the recipients or the subject, without regard to case).
func (ix *index) list(q string, page, per int) Page {
	ix.refresh(false)
	words := strings.Fields(strings.ToLower(q))
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	p := Page{Page: max(page, 1), PerPage: per, Query: q, Messages: []Summary{}}
	skip := (p.Page - 1) * per
	for _, s := range ix.order {
		if !matches(s.hay, words) {
			continue
		}
		p.Total++
		if p.Total > skip && len(p.Messages) < per {
			p.Messages = append(p.Messages, *s)
		}
	}
	p.Pages = max(1, (p.Total+per-1)/per)
	return p
}

func matches(hay string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// remove deletes one message's file.
func (ix *index) remove(id string) error {
	s, err := ix.get(id)
	if err != nil {
		return err
	}
	if err := os.Remove(s.path); err != nil && !os.IsNotExist(err) {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	delete(ix.byID, id)
	ix.rebuildLocked()
	return nil
}

// removeAll deletes every message and every session transcript.
func (ix *index) removeAll(sessionDir string) (int, error) {
	ix.refresh(true)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	n := 0
	var firstErr error
	for id, s := range ix.byID {
		if err := os.Remove(s.path); err != nil && !os.IsNotExist(err) {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		delete(ix.byID, id)
		n++
	}
	if entries, err := os.ReadDir(sessionDir); err == nil {
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".txt") {
				os.Remove(filepath.Join(sessionDir, e.Name()))
			}
		}
	}
	ix.rebuildLocked()
	return n, firstErr
}
