package merge

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Report is what a pass over the whole campaign found.
type Report struct {
	File        string // the data file
	Campaign    string
	Fingerprint string
	Rows        int        // data rows read: not the CSV header, not blank rows
	Good        int        // rows with a message: what a merge sends
	Problems    []*Problem // in row order, warnings included
}

// Err returns a *ValidationError listing every problem that is not a
// warning, or nil.
func (r *Report) Err() error {
	var bad []*Problem
	for _, p := range r.Problems {
		if !p.Warning {
			bad = append(bad, p)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &ValidationError{File: r.File, Problems: bad}
}

// Check renders every row, as Messages does, composing each message
// (without reading attachments) and checking each address, and reports
// every problem with its row and column. It sends nothing and makes no
// connection. The error is for what stops the pass itself (I/O, a CSV
// syntax error, ctx); problems of rows are in the report.
func (c *Campaign) Check(ctx context.Context) (*Report, error) {
	return c.pass(ctx, func(it *Item) error {
		_, err := it.Size()
		return err
	})
}

// DryRun writes each row's message into dir as row-0002.eml (the row
// number, at least four digits: "ls -v" sorts them) instead of sending
// it, after removing the row-*.eml files of an earlier dry run. dir is
// created with mode 0700 and the files 0600: they hold personal data.
func (c *Campaign) DryRun(ctx context.Context, dir string) (*Report, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "row-*.eml"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return nil, err
		}
	}
	return c.pass(ctx, func(it *Item) error {
		return writeFile(filepath.Join(dir, fmt.Sprintf("row-%04d.eml", it.Row)), it)
	})
}

func writeFile(path string, it *Item) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(&sink{f}, 32<<10)
	if _, err := it.WriteTo(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return &sinkError{err}
	}
	return nil
}

// sink marks errors of the destination, so that they stop the pass,
// while an error of the message itself (an attachment gone since it was
// checked) is a problem of its row.
type sink struct{ w io.Writer }

type sinkError struct{ err error }

func (e *sinkError) Error() string { return e.err.Error() }
func (e *sinkError) Unwrap() error { return e.err }

func (s *sink) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	if err != nil {
		err = &sinkError{err}
	}
	return n, err
}

// pass runs Messages to its end, handing each item to fn.
func (c *Campaign) pass(ctx context.Context, fn func(*Item) error) (*Report, error) {
	rep := &Report{File: c.o.Data, Campaign: c.Name, Fingerprint: c.Fingerprint}
	var fatal error
	rep.Rows = c.run(ctx, func(it *Item, err error) bool {
		if err != nil {
			if p, ok := err.(*Problem); ok {
				rep.Problems = append(rep.Problems, p)
				return true
			}
			fatal = err
			return false
		}
		if err := fn(it); err != nil {
			var se *sinkError
			if errors.As(err, &se) {
				fatal = err
				return false
			}
			kind := KindValue
			var pe *fs.PathError
			if errors.As(err, &pe) {
				kind = KindAttachment
			}
			rep.Problems = append(rep.Problems, &Problem{Row: it.Row, Kind: kind, Err: err})
			return true
		}
		rep.Good++
		return true
	})
	return rep, fatal
}
