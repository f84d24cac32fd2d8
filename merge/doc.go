// Package merge turns a template and a table of rows into one message per
// row, for one recipient each: a mail merge. It does everything that
// happens before a message is handed to the outbox — reading the data,
// validating every row, rendering each message to bytes that are the
// same on every run — and sends nothing itself.
//
// # Data
//
// CSV with a header row (RFC 4180, as Excel, LibreOffice and Google
// Sheets write it; .tsv is tab-separated) or JSON lines (one object per
// line, values strings or numbers; numbers keep their text: 3.50 stays
// 3.50). The file is read as a stream, one row in memory at a time, never
// whole, in every pass. Its charset: UTF-8 with or without the BOM Excel
// writes; GB18030 (which contains GBK and GB2312, what a Chinese Excel
// saves as "CSV") when the file is not valid UTF-8 and decodes cleanly as
// GB18030; or as chosen (Options.Charset). UTF-16 is refused with a hint.
//
// Row numbers are the ones the user sees. In a CSV they are a
// spreadsheet's: the header is row 1 and the first data row is row 2; a
// quoted value over several lines is one row; a blank line is an empty
// row. In JSON lines, the line number. Every message about a row names it
// so, and its column: `row 57, column "email": "bob@" is not an email
// address`. Rows whose every value is empty are skipped, as a
// spreadsheet's empty rows are.
//
// The recipient is the row's "email" column (Options.ToColumn): a bare
// address or "Name <address>", one per row; a message goes to that
// address only. Addresses are checked with net/mail plus RFC 5321
// §4.5.3.1's lengths and a domain with a dot.
//
// # Template
//
// An .eml-like file: header fields, a blank line, the text body. Field
// values and the body are Go text/template templates ({{.name}}) run on
// the row with missingkey=error; an optional HTML body is an html/template
// (row values escaped for where they appear). Rules, checked when the
// template is read:
//   - To is optional. When present it may only put a name on the row's
//     address — "To: {{.name}} <{{.email}}>" — and must render to that
//     address, bare or after a name; whatever comes before "<address>"
//     is a display name, encoded by package message, never parsed for
//     more addresses. Without To, the row's address is used (with the
//     name the cell gave, if any).
//   - Cc and Bcc are refused: a merge's copies to third parties would
//     carry every row's data. So are Resent-* fields and trace fields of
//     delivered mail (Received, DKIM-Signature...).
//   - Date, Message-ID, MIME-Version and Content-* are refused: postie
//     writes them.
//   - X-Postie-Attach: PATH attaches a file (repeatable; a template, so
//     {{.report_pdf}} takes it from a column; empty attaches nothing;
//     relative to the data file's directory). X-Postie-Inline: PATH adds
//     an image for the HTML body (cid:<file name>). Neither reaches the
//     message. Options.Attach and Options.Inline add files to every row.
//   - Any other field is rendered and written as is (RFC 2047 by package
//     message when not ASCII); a field that renders empty is left out.
//
// A row value can never add a header field, a recipient or end the DATA:
// a rendered header value holding CR, LF or NUL is a problem of its row
// naming the column (and package message refuses it again); the envelope
// holds the row's address only; the body is encoded by package message
// and dot-stuffed by package smtp (TestInjectionOnTheWire checks what a
// server stores).
//
// # Validate first
//
// Campaign.Check renders every row, composes every message (without
// reading attachments) and checks every address before anything is sent,
// and reports every problem, each a *Problem with row, column and Kind.
// Duplicate recipients (local part exact, domain in any case, RFC 5321
// §2.4) are skipped with a warning unless Options.AllowDuplicates;
// addresses that differ only in the case of the local part are sent and
// warned about. Problems of the whole campaign are errors of Open: the
// template (*TemplateError), the data file (*DataError: charset, CSV
// syntax, no recipient column), files for every row (*AttachmentError).
// Report.Err returns a *ValidationError; the CLI exits 66 when
// OnlyFiles(), else 65. "Skip invalid" is the caller going on past a
// row's *Problem in Messages: the rows yielded are the same either way.
//
// # Campaign identity and identical bytes
//
// A campaign has a name (Options.Name, else DeriveName: "grades+students"
// from grades.eml and students.csv — file names, not paths or content, so
// running the same command again finds it, and a changed file is refused
// rather than sent as a second campaign) and a fingerprint of the
// template files, the raw data file and the settings that change which
// rows go or their bytes ("m1.<template>.<data>.<settings>"). The outbox
// keeps the fingerprint; Campaign.Resume refuses a campaign whose parts
// changed, naming which (*ChangedError).
//
// Each row renders to an Item: recipient, row number, entry key
// "<campaign>/<row>" and the message, streamed by WriteTo. Rendering the
// same row of the same campaign again gives the same bytes:
//   - Message-ID is derived from campaign name, fingerprint and row
//     (SHA-256), at the sender's domain; package message derives the MIME
//     boundaries from the Message-ID.
//   - Date is the campaign's start (Options.Date, kept by the outbox and
//     given again on resume), the same on every row. RFC 5322 §3.6.1
//     defines Date as when the message was complete and ready to enter
//     the mail system, which for a merge is when the user started it; a
//     message held back by a rate limit keeps it. (A merge resumed days
//     later carries an old Date, which some spam filters score: such a
//     campaign is better started again under a new name.)
//
// # Dry run
//
// Campaign.DryRun writes each row's message as DIR/row-0002.eml (the row
// number; mode 0600 in a 0700 directory), exactly the bytes that would be
// sent, after removing an earlier run's row-*.eml.
//
// # Memory and speed
//
// The only state that grows with the data is the duplicate check's two
// 16-octet hashes per address (about 55 octets a row measured, none with
// AllowDuplicates): TestMemoryFlat. Templates made of text and {{.field}}
// actions are joined without reflection; others run through
// text/template. BenchmarkRender10k and BenchmarkRenderRow measure a 1 KB
// message (bench/RESULTS.md).
//
// # Phase 2: the command and sending (designed, not built)
//
// The CLI, once internal/cli has its new shape:
//
//	postie merge --template FILE --data FILE [--html-template FILE]
//	    [--to-column COL] [--data-charset auto|utf-8|gbk] [--attach FILE]... [--inline FILE]...
//	    [--campaign NAME] [--allow-duplicates] [--skip-invalid] [--check] [--dry-run DIR]
//	    [--concurrency N] [--rate N/s|N/min|N/h] [--resend-unknown] [--report FILE] [--json]
//	    + the account, server, TLS and auth flags of postie send
//
// Flags become Options (From from the account when the template has
// none) and SendOptions. The API to add:
//
//	// Lookup finds the campaign in the outbox: Fingerprint and Date from
//	// the Meta of its first entry ("merge.fingerprint", "merge.date",
//	// "merge.row": no new store API), and its Counts; nil when new.
//	func Lookup(ctx context.Context, s outbox.Store, name string) (*Stored, error)
//
//	type SendOptions struct {
//		Store         outbox.Store
//		Route         outbox.Route     // account, or server + TLS + user; never a secret
//		Connect       outbox.Connector // as queue run builds it (relay or direct)
//		Connections   int              // --concurrency (default 4)
//		Rate          Rate             // --rate: ParseRate("30/min"); zero: none
//		ResendUnknown bool             // --resend-unknown
//		Sign          func(dst io.Writer, src io.Reader) error // DKIM, as outbox.SubmitOptions.Sign
//		Progress      func(Progress)   // at most every 200 ms; the CLI draws mpb bars
//		Report        io.Writer        // --report: JSON lines, one per row, in row order
//	}
//	type Progress struct {
//		Total, Sent, Failed, Deferred, Unknown, Skipped int
//		Rate float64 // messages a second, over the last 10 s
//		ETA  time.Duration
//	}
//	type RowReport struct { // one --report line
//		Row       int    `json:"row"`
//		To        string `json:"to"`
//		Status    string `json:"status"` // sent | failed | unknown | deferred | skipped
//		Reply     string `json:"reply,omitempty"`
//		MessageID string `json:"message_id,omitempty"`
//		Problem   string `json:"problem,omitempty"` // why it was skipped
//	}
//	func ParseRate(s string) (Rate, error) // "20/s", "30/min", "500/h"
//	func (c *Campaign) Send(ctx context.Context, o SendOptions) (*Summary, error)
//
// The command's steps:
//
//  1. stored := Lookup(ctx, store, name) (name from --campaign or
//     DeriveName); Options.Date = stored.Date when found.
//  2. c := Open(o); c.Resume(stored.Fingerprint) when found: a change is
//     refused (65, hint: --campaign NEW to start over).
//  3. rep := c.Check(ctx): every problem printed (`postie: error: row 57,
//     column "email": ...`); stop with 65/66 unless --skip-invalid. No
//     connection has been made. --check stops here; --dry-run DIR runs
//     c.DryRun and stops.
//  4. c.Send enqueues while it delivers. A few goroutines take Items from
//     Messages and call outbox.Submit with Entry{Key: item.Key,
//     Campaign, Meta, Route, From, one Recipient}, the body piped from
//     item.WriteTo; a row whose key exists is skipped (a resumed run);
//     concurrent Submits share commits. Meanwhile an outbox.Runner with
//     Filter{Campaign}, Connections, and a Limit returning one
//     rate.Limiter for the whole run delivers what is durable, pipelined
//     with SendAll. Its Schedule is short (seconds) for 421/451 storms,
//     and it opens fewer connections after "421 too many connections".
//     Progress reads store.Counts(campaign), so a resumed run shows the
//     whole campaign. Send returns when no row is pending, or only rows
//     deferred past a short horizon are left.
//  5. The report streams store.List(Filter{Campaign}) in creation (= row)
//     order, merged with Check's skipped rows; then a summary table. Exit
//     0 all sent; 67 some rejected; 75 some deferred or unknown ("run the
//     same command again to continue"); 65 rows skipped by
//     --skip-invalid; 130 on Ctrl-C (claims given back, the same hint).
//
// Needed from the outbox, not there yet: a Runner option that leaves
// Unknown recipients alone unless asked (--resend-unknown); everything
// else above uses its current API. internal/exitcode gains the mapping:
// *ValidationError 66 when OnlyFiles() else 65; *AttachmentError 66;
// *DataError, *TemplateError, *ChangedError 65 (a *DataError wrapping an
// *fs.PathError 66), with hints (--data-charset, --to-column, --campaign).
package merge
