package merge

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/postie/postie/message"
)

// Options describe a merge. The zero value of each field is the usual
// choice; Template and Data are required.
type Options struct {
	Template     string // the .eml-like template file
	HTMLTemplate string // optional HTML body template
	Data         string // CSV or JSON lines

	Name    string  // campaign name; "" derives one from the file names (DeriveName)
	Format  Format  // FormatAuto: from the data file's extension
	Charset Charset // CharsetAuto: UTF-8 (BOM or not), else GB18030 when it decodes cleanly
	Comma   rune    // CSV separator; 0: ',' (tab for .tsv)

	ToColumn string          // the column with the recipient; "": "email"
	From     message.Address // From when the template has none (the account's address)

	Attach    []string // files attached to every message
	Inline    []string // images for every message's HTML body (cid:<file name>)
	AttachDir string   // where relative X-Postie-Attach/-Inline paths start; "": the data file's directory

	AllowDuplicates bool // send a row whose address an earlier row already has

	// Date is the Date of every message: the campaign's start. A resumed
	// campaign passes the Date it was started with (the outbox keeps it),
	// so a row rendered again is byte for byte the same. Zero: now, to
	// the second (read it back from Campaign.Date to store it).
	Date time.Time
}

// Campaign is an opened merge: template parsed, data file checked for
// its encoding and header, fingerprint taken. Nothing is rendered or sent
// until Check, Messages or DryRun.
type Campaign struct {
	Name        string
	Fingerprint string    // see Fingerprint; the outbox stores it with the campaign
	Date        time.Time // the Date header of every message
	Format      Format
	Charset     Charset  // as detected or chosen
	Columns     []string // CSV header; nil for JSON lines
	ToColumn    string

	o        Options
	tmpl     *Template
	from     message.Address // resolved when the template's From is constant
	attach   []message.Attachment
	dataHash []byte
	comma    rune
	// headerProblems: columns the template needs that the CSV header
	// lacks; they spoil every row, so they are reported once (row 1).
	headerProblems []*Problem
}

// Open reads the template(s), checks the data file's encoding and header
// and computes the campaign's fingerprint, reading the data once without
// holding it.
func Open(o Options) (*Campaign, error) {
	if o.Template == "" || o.Data == "" {
		return nil, errors.New("merge: a template and a data file are needed")
	}
	src, err := os.ReadFile(o.Template)
	if err != nil {
		return nil, err
	}
	tmpl, err := ParseTemplate(filepath.Base(o.Template), src)
	if err != nil {
		return nil, err
	}
	var htmlSrc []byte
	if o.HTMLTemplate != "" {
		if htmlSrc, err = os.ReadFile(o.HTMLTemplate); err != nil {
			return nil, err
		}
		if err := tmpl.AddHTML(filepath.Base(o.HTMLTemplate), htmlSrc); err != nil {
			return nil, err
		}
	}
	if err := tmpl.check(); err != nil {
		return nil, err
	}
	c := &Campaign{o: o, tmpl: tmpl, Name: o.Name, ToColumn: o.ToColumn, Date: o.Date, Format: o.Format, comma: o.Comma}
	if c.Name == "" {
		c.Name = DeriveName(o.Template, o.Data)
	}
	if err := ValidName(c.Name); err != nil {
		return nil, err
	}
	if c.ToColumn == "" {
		c.ToColumn = "email"
	}
	if c.Date.IsZero() {
		c.Date = time.Now().Truncate(time.Second)
	}
	if f, comma := FormatFor(o.Data); c.Format == FormatAuto {
		c.Format = f
		if c.comma == 0 {
			c.comma = comma
		}
	}
	if c.comma == 0 {
		c.comma = ','
	}
	if err := c.resolveFrom(); err != nil {
		return nil, err
	}
	if c.o.AttachDir == "" {
		c.o.AttachDir = filepath.Dir(o.Data)
	}
	for _, p := range o.Attach {
		a, err := attachFile(p, false)
		if err != nil {
			return nil, err
		}
		c.attach = append(c.attach, a)
	}
	for _, p := range o.Inline {
		if tmpl.html == nil {
			return nil, errors.New("an inline image needs an HTML body (give an HTML template)")
		}
		a, err := attachFile(p, true)
		if err != nil {
			return nil, err
		}
		c.attach = append(c.attach, a)
	}
	c.Charset, c.dataHash, err = scan(o.Data, o.Charset)
	if err != nil {
		return nil, err
	}
	if err := c.readHeader(); err != nil {
		return nil, err
	}
	c.Fingerprint = fingerprint(src, htmlSrc, c.dataHash, c.settings())
	return c, nil
}

// resolveFrom parses a constant From once; a From with fields is parsed
// per row.
func (c *Campaign) resolveFrom() error {
	switch {
	case c.tmpl.from == nil && c.o.From.Addr == "":
		return &TemplateError{File: c.tmpl.file, Err: errors.New("no From field, and no sender address was given")}
	case c.tmpl.from == nil:
		if _, err := message.ParseAddress(c.o.From.Addr); err != nil {
			return fmt.Errorf("sender address %q is not an email address", c.o.From.Addr)
		}
		c.from = c.o.From
	case c.tmpl.from.isConst:
		a, err := message.ParseAddress(c.tmpl.from.constant)
		if err != nil {
			return &TemplateError{File: c.tmpl.file, Line: c.tmpl.from.line, Err: fmt.Errorf("header field From: %v", err)}
		}
		c.from = a
	}
	return nil
}

// readHeader opens the data for its first row: a CSV header must name
// the recipient column and every field the template uses.
func (c *Campaign) readHeader() error {
	d, err := openData(c.o.Data, c.Charset)
	if err != nil {
		return err
	}
	defer d.Close()
	r, err := NewReader(d.text, c.Format, c.comma)
	if err != nil {
		return c.dataErr(err)
	}
	c.Columns = r.Columns()
	if c.Format != FormatCSV {
		return nil
	}
	if !slices.Contains(c.Columns, c.ToColumn) {
		return &DataError{File: c.o.Data, Err: fmt.Errorf("no column %q for the recipient (columns: %s); name the column that holds the addresses", c.ToColumn, columnList(c.Columns))}
	}
	for _, f := range c.tmpl.Fields() {
		if slices.Contains(c.Columns, f) {
			continue
		}
		msg := fmt.Sprintf("no such column, but the template uses {{.%s}} (in %s); columns: %s", f, c.tmpl.usedIn(f), columnList(c.Columns))
		if s := suggest(f, c.Columns); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		c.headerProblems = append(c.headerProblems, &Problem{Row: 1, Column: f, Kind: KindField, Err: errors.New(msg)})
	}
	return nil
}

// dataErr names the data file in an error from the reader.
func (c *Campaign) dataErr(err error) error {
	var de *DataError
	if errors.As(err, &de) {
		if de.File == "" {
			de.File = c.o.Data
		}
		return de
	}
	var p *Problem
	if errors.As(err, &p) {
		return err
	}
	return &DataError{File: c.o.Data, Err: err}
}

// settings are the options that change which rows go out or their bytes.
func (c *Campaign) settings() []string {
	s := []string{"format=" + c.Format.String(), "charset=" + c.Charset.String(), "comma=" + string(c.comma),
		"to=" + c.ToColumn, "attachdir=" + c.o.AttachDir, fmt.Sprintf("dups=%v", c.o.AllowDuplicates)}
	if c.tmpl.from == nil {
		s = append(s, "from="+c.o.From.String()) // else the template's From counts, not the account's
	}
	for _, a := range c.o.Attach {
		s = append(s, "attach="+a)
	}
	for _, a := range c.o.Inline {
		s = append(s, "inline="+a)
	}
	return s
}

// fingerprint is "m1.<template>.<data>.<settings>", 64 bits of SHA-256
// each, so a refusal can say which part changed. It covers the template
// files, the raw data file and the settings; not the content of files to
// attach (the outbox spools each message with its attachments).
func fingerprint(tmpl, html, data []byte, settings []string) string {
	th := sha256.New()
	for _, b := range [][]byte{tmpl, html} {
		binary.Write(th, binary.BigEndian, uint64(len(b)))
		th.Write(b)
	}
	sh := sha256.New()
	for _, s := range settings {
		binary.Write(sh, binary.BigEndian, uint64(len(s)))
		sh.Write([]byte(s))
	}
	return "m1." + hex.EncodeToString(th.Sum(nil)[:8]) + "." + hex.EncodeToString(data[:8]) + "." + hex.EncodeToString(sh.Sum(nil)[:8])
}

// Resume checks a stored fingerprint (from the outbox, taken when the
// campaign started) against this one: nil when they match, else a
// *ChangedError naming what changed.
func (c *Campaign) Resume(stored string) error {
	if stored == c.Fingerprint {
		return nil
	}
	old, now := strings.Split(stored, "."), strings.Split(c.Fingerprint, ".")
	if len(old) != 4 || old[0] != now[0] {
		return &ChangedError{Campaign: c.Name, What: []string{"version of postie's merge"}}
	}
	var what []string
	for i, name := range []string{"", "template", "data", "settings"} {
		if i > 0 && old[i] != now[i] {
			what = append(what, name)
		}
	}
	return &ChangedError{Campaign: c.Name, What: what}
}

// DeriveName names a campaign after its files: "grades+students" for
// grades.eml and students.csv. Not after their content, nor their
// directory: running the same command again, or from elsewhere, finds the
// same campaign, and a changed file is then refused, not sent twice.
func DeriveName(template, data string) string {
	stem := func(p string) string {
		b := filepath.Base(p)
		b = strings.TrimSuffix(b, filepath.Ext(b))
		b = strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' {
				return r
			}
			return '-'
		}, b)
		return strings.Trim(b, ".")
	}
	name := stem(template) + "+" + stem(data)
	for len(name) > 100 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// ValidName accepts letters and digits of any script, '-', '_', '.', '+'
// and '@', 1 to 100 octets, not starting with '.': safe as a file name
// and in an entry key (campaign/row).
func ValidName(name string) error {
	if name == "" || len(name) > 100 || name[0] == '.' || !utf8.ValidString(name) {
		return fmt.Errorf("campaign name %q: want 1 to 100 letters, digits, '-', '_', '.', '+' or '@', not starting with '.'", clip(name, 40))
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.+@", r) {
			return fmt.Errorf("campaign name %q: %q is not allowed; want letters, digits, '-', '_', '.', '+' or '@'", clip(name, 40), r)
		}
	}
	return nil
}

// suggest returns the column closest to a misspelt field, if close.
func suggest(field string, columns []string) string {
	best, bestD := "", 3
	for _, c := range columns {
		if strings.EqualFold(c, field) {
			return c
		}
		if d := editDistance(strings.ToLower(field), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (adjacent swaps
// count one: Nmae/name), on runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 99
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
