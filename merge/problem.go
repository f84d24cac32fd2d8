package merge

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/postie/postie/internal/textsafe"
)

// Kind says what is wrong with a row.
type Kind int

const (
	KindRow         Kind = iota + 1 // the row cannot be read: JSON syntax, column count
	KindValue                       // a value is unusable: not UTF-8, a JSON true/null, CR/LF in a header
	KindAddress                     // recipient missing or not an address; To not the row's address
	KindField                       // the template uses a field the data lacks
	KindTemplate                    // the template failed on this row (other than a missing field)
	KindAttachment                  // a file to attach is missing or unreadable (the CLI exits 66)
	KindNoRows                      // the data has no rows at all
	KindDuplicate                   // warning: the address of an earlier row; this row is skipped
	KindCaseVariant                 // warning: an earlier row's address in other letter case; sent
)

var kindNames = map[Kind]string{
	KindRow: "row", KindValue: "value", KindAddress: "address", KindField: "field",
	KindTemplate: "template", KindAttachment: "attachment", KindNoRows: "no-rows",
	KindDuplicate: "duplicate", KindCaseVariant: "case-variant",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Problem is one thing wrong with one row. Row numbers are those a user
// sees: in a CSV the header is row 1 and the first data row is row 2,
// as a spreadsheet shows them; in JSON lines, the line number. Row 1 of a
// CSV names a problem of the header (a column the template needs is not
// there), which every row shares. Row 0: the data as a whole.
type Problem struct {
	Row     int
	Column  string // the data column at fault, when one is
	Kind    Kind
	Err     error // the cause, one line, without the row
	Warning bool  // reported, not a reason to fail: duplicates (skipped) and case variants (sent)
}

func (p *Problem) Error() string {
	var b strings.Builder
	if p.Row > 0 {
		b.WriteString("row ")
		b.WriteString(strconv.Itoa(p.Row))
		if p.Column != "" {
			b.WriteString(", column ")
			b.WriteString(strconv.Quote(p.Column))
		}
		b.WriteString(": ")
	} else if p.Column != "" {
		b.WriteString("column " + strconv.Quote(p.Column) + ": ")
	}
	b.WriteString(p.Err.Error())
	return b.String()
}

func (p *Problem) Unwrap() error { return p.Err }

// execProblem is a template that failed on a row: text/template quotes
// the row's value in its error, and a value may hold line breaks or
// control characters, so the text is made one safe line (the error
// stays reachable for errors.As).
func execProblem(row int, err error) *Problem {
	return &Problem{Row: row, Kind: KindTemplate, Err: oneLineError{err}}
}

type oneLineError struct{ err error }

func (e oneLineError) Error() string { return textsafe.Line(e.err.Error()) }
func (e oneLineError) Unwrap() error { return e.err }

func problem(row int, column string, kind Kind, format string, args ...any) *Problem {
	return &Problem{Row: row, Column: column, Kind: kind, Err: fmt.Errorf(format, args...)}
}

// ValidationError is every problem (warnings left out) that stops a
// merge. The CLI prints each on its own line.
type ValidationError struct {
	File     string // the data file
	Problems []*Problem
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return e.File + ": " + e.Problems[0].Error()
	}
	return fmt.Sprintf("%s: %d problems, the first: %v", e.File, len(e.Problems), e.Problems[0])
}

// Unwrap lets errors.As find a cause (an *AttachmentError, a
// *message.FieldError) in any of the problems.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// OnlyFiles reports whether every problem is a file that cannot be read:
// the CLI exits 66 (EX_NOINPUT) then, 65 (EX_DATAERR) otherwise.
func (e *ValidationError) OnlyFiles() bool {
	for _, p := range e.Problems {
		if p.Kind != KindAttachment {
			return false
		}
	}
	return len(e.Problems) > 0
}

// AttachmentError is a file to attach that is missing or unreadable.
// It wraps the *fs.PathError when there is one.
type AttachmentError struct {
	Path string
	Err  error
}

func (e *AttachmentError) Error() string {
	reason := e.Err
	var pe *fs.PathError
	if errors.As(e.Err, &pe) {
		reason = pe.Err // "open x.pdf: no such file" -> "no such file"
	}
	return fmt.Sprintf("cannot attach %q: %v", e.Path, reason)
}

func (e *AttachmentError) Unwrap() error { return e.Err }

// DataError is a data file that cannot be read as a whole: not UTF-8 nor
// GB18030, a CSV syntax error, no header, a missing recipient column.
// Line, when set, is the line in the file (a text editor's count).
type DataError struct {
	File string
	Line int
	Err  error
}

func (e *DataError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s line %d: %v", e.File, e.Line, e.Err)
	}
	return e.File + ": " + e.Err.Error()
}

func (e *DataError) Unwrap() error { return e.Err }

// TemplateError is a template that cannot be used for any row.
type TemplateError struct {
	File string // "" when Err names the place itself, as text/template's errors do
	Line int
	Err  error
}

func (e *TemplateError) Error() string {
	switch {
	case e.File == "":
		return e.Err.Error()
	case e.Line > 0:
		return fmt.Sprintf("%s line %d: %v", e.File, e.Line, e.Err)
	}
	return e.File + ": " + e.Err.Error()
}

func (e *TemplateError) Unwrap() error { return e.Err }

// ChangedError refuses to resume a campaign whose template, data or
// settings are not those it was started with.
type ChangedError struct {
	Campaign string
	What     []string // "template", "data", "settings"
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("campaign %q was started with a different %s; rows already sent used the old one, so it cannot go on with this one (give the merge a new campaign name to start over)",
		e.Campaign, strings.Join(e.What, " and "))
}
