package merge

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format is the layout of a data file.
type Format int

const (
	FormatAuto  Format = iota // by extension: .jsonl, .ndjson and .json are JSON lines, .tsv is tab-separated, else CSV
	FormatCSV                 // RFC 4180 CSV with a header row, as Excel, LibreOffice and Google Sheets write it
	FormatJSONL               // one JSON object per line, values strings or numbers
)

func (f Format) String() string {
	switch f {
	case FormatCSV:
		return "csv"
	case FormatJSONL:
		return "jsonl"
	}
	return "auto"
}

// FormatFor returns the format a file name implies, and the CSV separator.
func FormatFor(path string) (Format, rune) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson", ".json":
		return FormatJSONL, 0
	case ".tsv", ".tab":
		return FormatCSV, '\t'
	}
	return FormatCSV, ','
}

// Row is one data row: its number as the user counts (see Problem) and
// its values by column name (JSON numbers as written: 95, 3.50).
type Row struct {
	Num    int
	Fields map[string]string
}

// maxJSONLine bounds one JSON line; a longer one is a problem of its row.
const maxJSONLine = 1 << 20

// Reader streams rows from UTF-8 text: it holds one row at a time, never
// the file. A leading byte order mark is skipped.
type Reader struct {
	format  Format
	columns []string // CSV header, names trimmed; "" for a column without a name
	names   []string // the non-empty names, for messages

	csv              *csv.Reader
	prevRow, prevEnd int // CSV: row number and last line of the previous record

	br   *bufio.Reader
	line int // JSONL: lines read
	err  error
}

// NewReader starts reading r. For CSV it reads the header row now:
// every column needs a distinct name (a column with no name at all is
// ignored, as Excel leaves them after the last column).
func NewReader(r io.Reader, f Format, comma rune) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3)
	}
	rd := &Reader{format: f}
	if f == FormatJSONL {
		// A JSON array is the usual slip: say so at once.
		if b, _ := br.Peek(512); len(trimSpaceBytes(b)) > 0 && trimSpaceBytes(b)[0] == '[' {
			return nil, &DataError{Line: 1, Err: errors.New("a JSON array; want JSON lines: one object per line")}
		}
		rd.br = br
		return rd, nil
	}
	if comma == 0 {
		comma = ','
	}
	rd.csv = csv.NewReader(br)
	rd.csv.Comma = comma
	rd.csv.FieldsPerRecord = -1
	rd.csv.ReuseRecord = true
	header, err := rd.readRecord()
	if err == io.EOF {
		return nil, errors.New("empty: want a header row naming the columns (email,name,...)")
	}
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	for i, h := range header {
		// Spaces around a name are a slip; a BOM inside one is
		// left over from a file glued to another.
		name := strings.TrimFunc(h, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
		if !utf8.ValidString(name) {
			return nil, fmt.Errorf("column %d of the header is not valid UTF-8", i+1)
		}
		if j, dup := seen[name]; dup && name != "" {
			return nil, fmt.Errorf("columns %d and %d are both named %q", j+1, i+1, name)
		}
		seen[name] = i
		rd.columns = append(rd.columns, name)
		if name != "" {
			rd.names = append(rd.names, name)
		}
	}
	if len(rd.names) == 0 {
		return nil, errors.New("the header row names no column")
	}
	return rd, nil
}

// Columns returns the CSV header's column names (nil for JSON lines).
func (r *Reader) Columns() []string { return r.names }

// Rows yields each row in order. An error that is a *Problem spoils only
// its row and reading goes on; any other error (a CSV syntax error, I/O)
// ends the sequence. Rows whose every value is empty are skipped, as a
// spreadsheet's blank rows are, but still counted in row numbers.
func (r *Reader) Rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for {
			row, err := r.next()
			if err == io.EOF {
				return
			}
			if !yield(row, err) {
				return
			}
			var p *Problem
			if err != nil && !errors.As(err, &p) {
				return
			}
		}
	}
}

func (r *Reader) next() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	if r.format == FormatJSONL {
		return r.nextJSON()
	}
	return r.nextCSV()
}

// readRecord reads one CSV record and works out its row number as a
// spreadsheet numbers rows: one per record (a quoted value may span
// lines), blank lines counted as the empty rows they show as.
func (r *Reader) readRecord() ([]string, error) {
	rec, err := r.csv.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			err = &DataError{Line: pe.Line, Err: pe.Err}
		}
		r.err = err
		return nil, err
	}
	start, _ := r.csv.FieldPos(0)
	last, _ := r.csv.FieldPos(len(rec) - 1)
	end := last + strings.Count(rec[len(rec)-1], "\n")
	r.prevRow += start - r.prevEnd
	r.prevEnd = end
	return rec, nil
}

func (r *Reader) nextCSV() (Row, error) {
	for {
		rec, err := r.readRecord()
		if err != nil {
			return Row{}, err
		}
		row := Row{Num: r.prevRow}
		empty := true
		for _, v := range rec {
			if strings.TrimSpace(v) != "" {
				empty = false
				break
			}
		}
		if empty {
			continue
		}
		// A row shorter than the header is a problem (its values may
		// have shifted: the wrong grade to the wrong student) unless only
		// columns without a name are missing.
		short := len(rec) < len(r.columns) && !allEmpty(r.columns[len(rec):])
		if short || len(rec) > len(r.columns) && !allEmpty(rec[len(r.columns):]) {
			return row, problem(row.Num, "", KindRow, "%d values, but the header has %d columns", len(rec), len(r.columns))
		}
		row.Fields = make(map[string]string, len(r.names))
		for i, name := range r.columns[:min(len(rec), len(r.columns))] {
			if name == "" {
				continue
			}
			if !utf8.ValidString(rec[i]) {
				return row, problem(row.Num, name, KindValue, "not valid UTF-8 (is the file GBK? name its charset)")
			}
			row.Fields[name] = rec[i]
		}
		return row, nil
	}
}

func allEmpty(vs []string) bool {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// nextJSON reads one non-blank line: a JSON object whose values are
// strings or numbers. Row numbers are line numbers.
func (r *Reader) nextJSON() (Row, error) {
	for {
		line, tooLong, err := r.readLine()
		if err == io.EOF && len(line) == 0 && !tooLong {
			r.err = io.EOF
			return Row{}, io.EOF
		}
		if err != nil && err != io.EOF {
			r.err = err
			return Row{}, err
		}
		r.line++
		row := Row{Num: r.line}
		if tooLong {
			return row, problem(row.Num, "", KindRow, "longer than %d octets", maxJSONLine)
		}
		line = trimSpaceBytes(line)
		if len(line) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(line, &obj); err != nil || obj == nil {
			var se *json.SyntaxError
			switch {
			case errors.As(err, &se):
				return row, problem(row.Num, "", KindRow, "not JSON: %v", se)
			case !utf8.Valid(line):
				return row, problem(row.Num, "", KindRow, "not valid UTF-8")
			}
			return row, problem(row.Num, "", KindRow, "not a JSON object")
		}
		row.Fields = make(map[string]string, len(obj))
		for k, v := range obj {
			s, kind := jsonValue(v)
			if kind != "" {
				return row, problem(row.Num, k, KindValue, "%s, not a string or number", kind)
			}
			row.Fields[k] = s
		}
		return row, nil
	}
}

// jsonValue returns a string's value or a number's text as written; for
// anything else, what it is.
func jsonValue(v json.RawMessage) (string, string) {
	switch c := v[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", "a bad string"
		}
		return s, ""
	case c == '-' || c >= '0' && c <= '9':
		return string(v), ""
	case c == 't' || c == 'f':
		return "", "a boolean (" + string(v) + ")"
	case c == 'n':
		return "", "null"
	case c == '{':
		return "", "an object"
	}
	return "", "an array"
}

// readLine returns the next line without its line break; a line over
// maxJSONLine is skipped to its end and reported as too long.
func (r *Reader) readLine() ([]byte, bool, error) {
	var line []byte
	tooLong := false
	for {
		frag, err := r.br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(frag) > maxJSONLine+2 {
				tooLong, line = true, nil
			} else {
				line = append(line, frag...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if tooLong {
			line = nil
		}
		return line, tooLong, err
	}
}

func trimSpaceBytes(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

// columnList is "a, b, c" for messages, cut after a dozen.
func columnList(names []string) string {
	if len(names) > 12 {
		return strings.Join(names[:12], ", ") + ", … (" + strconv.Itoa(len(names)) + " in all)"
	}
	return strings.Join(names, ", ")
}
