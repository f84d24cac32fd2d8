package merge

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"iter"
	"strings"
)

// Messages renders the campaign row by row, reading the data file as it
// goes (one row in memory at a time). It yields:
//   - (item, nil) for each row to send, in row order;
//   - (nil, *Problem) for each problem: a row that cannot be sent (its
//     item is not yielded), or a warning (Problem.Warning: a duplicate,
//     whose row is skipped, or a case variant, whose item follows);
//   - (nil, err) for anything else (I/O, a CSV syntax error, the data
//     file changed since Open, ctx cancelled), and then stops.
//
// Which rows are yielded does not depend on the caller: a merge that
// stops at the first non-warning problem and one that goes on past them
// (--skip-invalid) see the same items. Call Check first: it reports every
// problem before anything is sent.
func (c *Campaign) Messages(ctx context.Context) iter.Seq2[*Item, error] {
	return func(yield func(*Item, error) bool) {
		c.run(ctx, yield)
	}
}

// run is Messages with the count of data rows read.
func (c *Campaign) run(ctx context.Context, yield func(*Item, error) bool) (rows int) {
	for _, p := range c.headerProblems {
		if !yield(nil, p) {
			return 0
		}
	}
	d, err := openData(c.o.Data, c.Charset)
	if err != nil {
		yield(nil, err)
		return 0
	}
	defer d.Close()
	r, err := NewReader(d.text, c.Format, c.comma)
	if err != nil {
		yield(nil, c.dataErr(err))
		return 0
	}
	sc := new(scratch)
	var seen *dedupe
	if !c.o.AllowDuplicates {
		seen = newDedupe()
	}
	for row, err := range r.Rows() {
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return rows
		}
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				yield(nil, c.dataErr(err))
				return rows
			}
			rows++
			if !yield(nil, p) {
				return rows
			}
			continue
		}
		rows++
		item, probs := c.render(row, sc)
		for _, p := range probs {
			if !yield(nil, p) {
				return rows
			}
		}
		if item == nil {
			continue
		}
		if seen != nil {
			if p := seen.check(row.Num, c.ToColumn, item.To.Addr); p != nil {
				if !yield(nil, p) {
					return rows
				}
				if p.Kind == KindDuplicate {
					continue
				}
			}
		}
		if !yield(item, nil) {
			return rows
		}
	}
	if rows == 0 {
		if !yield(nil, &Problem{Kind: KindNoRows, Err: errors.New("no data rows")}) {
			return rows
		}
	}
	if err := d.finish(c.o.Data, c.dataHash); err != nil {
		yield(nil, err)
	}
	return rows
}

// dedupe remembers each address sent so far as two 16-octet hashes:
// the exact mailbox (local part as written, domain in lower case: RFC
// 5321 §2.4 lets the receiving host tell Bob from bob) and the address
// in lower case, to warn about Bob/bob pairs, which most providers treat
// as one mailbox. This is the merge's only memory that grows with the
// data: about 80 octets a row.
type dedupe struct {
	exact, folded map[[16]byte]int32
}

func newDedupe() *dedupe {
	return &dedupe{exact: map[[16]byte]int32{}, folded: map[[16]byte]int32{}}
}

func hash16(s string) [16]byte {
	sum := sha256.Sum256([]byte(s))
	return [16]byte(sum[:16])
}

func (d *dedupe) check(row int, column, addr string) *Problem {
	k := hash16(exactKey(addr))
	if first, ok := d.exact[k]; ok {
		return &Problem{Row: row, Column: column, Kind: KindDuplicate, Warning: true,
			Err: fmt.Errorf("%s is also on row %d; this row is skipped", addr, first)}
	}
	d.exact[k] = int32(row)
	f := hash16(strings.ToLower(addr))
	if first, ok := d.folded[f]; ok {
		return &Problem{Row: row, Column: column, Kind: KindCaseVariant, Warning: true,
			Err: fmt.Errorf("%s differs only in letter case from the address on row %d; both are sent (most providers would deliver both to one mailbox)", addr, first)}
	}
	d.folded[f] = int32(row)
	return nil
}
