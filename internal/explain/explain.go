package explain

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/textsafe"
)

// Dir says who wrote a transcript line, as in the transcripts: C client,
// S server, * a note.
type Dir byte

const (
	Client Dir = 'C'
	Server Dir = 'S'
	Event  Dir = '*'
)

// Explainer explains the lines of one session, in order, in one
// language.
type Explainer struct {
	p       i18n.Printer
	cat     *catalogue
	waiting []string // commands whose final reply has not come, oldest first
	reply   string   // the command the reply being read answers ("" when none)
	inReply bool     // inside a multi-line reply
	first   bool     // the line is the first of its reply
}

// New returns an Explainer for one session, in language l (the inbox
// answers each request in its own; the terminal in the process's).
func New(l i18n.Lang) *Explainer {
	return &Explainer{p: i18n.In(l), cat: cat(), waiting: []string{"greeting"}}
}

// maxWaiting bounds the queue for a client that never reads.
const maxWaiting = 1000

// Explain returns one sentence about line (a line of the transcript
// without its "C: " prefix), never empty. Text from the network that
// appears in it is escaped for a terminal.
func (e *Explainer) Explain(d Dir, line string) string {
	switch d {
	case Client:
		return e.client(line)
	case Server:
		return e.server(line)
	default:
		return e.event(line)
	}
}

// say is the sentence key (a catalogue entry) in the Explainer's
// language, with the values from the line escaped for a terminal.
func (e *Explainer) say(key string, values ...string) string {
	if len(values) == 0 {
		return e.p.T(key)
	}
	a := make([]any, len(values))
	for i, v := range values {
		a[i] = textsafe.Terminal(v)
	}
	return e.p.Sprintf(key, a...)
}

func (e *Explainer) push(cmd string) {
	if len(e.waiting) < maxWaiting {
		e.waiting = append(e.waiting, cmd)
	}
}

func (e *Explainer) client(line string) string {
	switch {
	case line == "<redacted>":
		e.push("AUTH")
		return e.say(e.cat.clientNotes["PAYLOAD"])
	case line == "*":
		e.push("AUTH")
		return e.say(e.cat.clientNotes["CANCEL"])
	case line == ".":
		e.push(".")
		return e.say(e.cat.clientNotes["DOT"])
	case strings.HasPrefix(line, "<message: "):
		return e.say(e.cat.clientNotes["MESSAGE"], strings.TrimSuffix(strings.TrimPrefix(line, "<message: "), ">"))
	case strings.HasPrefix(line, "<chunk: "):
		return e.say(e.cat.clientNotes["CHUNK"], strings.TrimSuffix(strings.TrimPrefix(line, "<chunk: "), ">"))
	}
	verb, rest, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	switch verb {
	case "MAIL", "RCPT":
		e.push(verb)
		addr, params := splitPath(rest)
		s := e.say(e.cat.commands[verb], addr)
		if p := e.params(params); p != "" {
			s = strings.TrimSuffix(strings.TrimSuffix(s, "。"), ".")
			s = e.p.Sprintf("%s; %s.", s, p) // the command's sentence, then what its parameters say
		}
		return s
	case "AUTH":
		e.push("AUTH")
		mech, ir, _ := strings.Cut(strings.TrimSpace(rest), " ")
		if strings.TrimSpace(ir) != "" {
			return e.say(e.cat.clientNotes["AUTHIR"], strings.ToUpper(mech))
		}
		return e.say(e.cat.commands["AUTH"], strings.ToUpper(mech))
	case "BDAT":
		f := strings.Fields(rest)
		size := "?"
		if len(f) > 0 {
			size = f[0]
		}
		if len(f) > 1 && strings.EqualFold(f[1], "LAST") {
			e.push("BDATLAST")
			return e.say(e.cat.clientNotes["BDATLAST"], size)
		}
		e.push("BDAT")
		return e.say(e.cat.commands["BDAT"], size)
	}
	if t, ok := e.cat.commands[verb]; ok {
		e.push(verb)
		return e.say(t)
	}
	e.push(verb)
	return e.say(e.cat.clientNotes["UNKNOWN"])
}

// splitPath cuts "FROM:<a@b> SIZE=10" into "<a@b>" and "SIZE=10".
func splitPath(rest string) (string, string) {
	_, after, ok := strings.Cut(rest, ":")
	if !ok {
		return rest, ""
	}
	after = strings.TrimSpace(after)
	if i := strings.Index(after, ">"); strings.HasPrefix(after, "<") && i > 0 {
		return after[:i+1], strings.TrimSpace(after[i+1:])
	}
	addr, params, _ := strings.Cut(after, " ")
	return addr, params
}

func (e *Explainer) params(p string) string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Fields(p) {
		k, _, _ := strings.Cut(strings.ToUpper(f), "=")
		if t, ok := e.cat.mailParams[k]; ok && !seen[k] {
			seen[k] = true
			out = append(out, e.p.T(t))
		}
	}
	return strings.Join(out, e.p.T("; "))
}

var replyLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([2-5][0-9][0-9])([ -])(.*)$`) })

func (e *Explainer) server(line string) string {
	m := replyLine().FindStringSubmatch(line)
	if m == nil {
		return e.say(e.cat.clientNotes["UNKNOWN"])
	}
	code, more, rest := m[1], m[2] == "-", m[3]
	if !e.inReply {
		e.first = true
		e.reply = ""
		if len(e.waiting) > 0 {
			e.reply, e.waiting = e.waiting[0], e.waiting[1:]
		}
	} else {
		e.first = false
	}
	e.inReply = more
	if e.reply == "EHLO" {
		if e.first {
			return e.say(e.cat.capabilities["EHLOFIRST"])
		}
		return e.capability(rest)
	}
	if !e.first {
		return e.say(e.cat.continuation, code)
	}
	if code == "334" {
		return e.challenge(rest)
	}
	return e.enhanced(e.codeText(code), code, rest)
}

func (e *Explainer) codeText(code string) string {
	if t, ok := e.cat.replies[code+"/"+e.reply]; ok {
		return e.say(t)
	}
	if t, ok := e.cat.replies[code]; ok {
		return e.say(t)
	}
	s := e.say(e.cat.replyClass[code[0]], code)
	if t, ok := e.cat.replyCategory[code[1]]; ok {
		s = e.p.Sprintf(t, s)
	}
	return s
}

// The patterns are compiled when first needed, not at start-up.
var enhancedCode = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([245])\.([0-9]{1,3})\.([0-9]{1,3})(?:\s|$)`)
})

// enhanced adds to s the explanation of an RFC 3463 code at the start of
// the reply text; its class must agree with the reply code's first digit
// (RFC 2034 §4).
func (e *Explainer) enhanced(s, code, rest string) string {
	m := enhancedCode().FindStringSubmatch(rest)
	if m == nil || m[1][0] != code[0] {
		return s
	}
	subj, ok := e.cat.enhancedSubject[m[2]]
	if !ok {
		subj = e.cat.enhancedSubject["0"]
	}
	detail, ok := e.cat.enhancedDetail[m[2]+"."+m[3]]
	if !ok {
		detail = e.cat.enhancedDetail["0.0"]
	}
	return e.p.Sprintf(e.cat.enhancedFormat, s, m[1]+"."+m[2]+"."+m[3], e.p.T(e.cat.enhancedClass[m[1]]), e.p.T(subj), e.p.T(detail))
}

func (e *Explainer) capability(rest string) string {
	name, args, _ := strings.Cut(strings.TrimSpace(rest), " ")
	name = strings.ToUpper(name)
	switch name {
	case "AUTH":
		return e.say(e.cat.capabilities["AUTH"], args)
	case "SIZE":
		if args == "" || args == "0" {
			return e.say(e.cat.capabilities["SIZE0"])
		}
		return e.say(e.cat.capabilities["SIZE"], args)
	case "LIMITS":
		return e.say(e.cat.capabilities["LIMITS"], args)
	}
	if t, ok := e.cat.capabilities[name]; ok && name != "EHLOFIRST" && name != "OTHER" && name != "SIZE0" {
		return e.say(t)
	}
	return e.say(e.cat.capabilities["OTHER"])
}

// challenge decodes a 334's base64 and says what the server asks for.
func (e *Explainer) challenge(rest string) string {
	b64 := strings.TrimSpace(rest)
	if b64 == "" {
		return e.say(e.cat.challenges["empty"])
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return e.say(e.cat.replies["334"])
	}
	s := string(raw)
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 {
		return e.say(e.cat.challenges["binary"], strconv.Itoa(len(raw)))
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	lower := strings.ToLower(s)
	switch {
	case strings.Contains(lower, "user"):
		return e.say(e.cat.challenges["user"], s)
	case strings.Contains(lower, "pass"):
		return e.say(e.cat.challenges["pass"], s)
	case strings.HasPrefix(s, "<") && strings.Contains(s, "@") && strings.HasSuffix(s, ">"):
		return e.say(e.cat.challenges["cram"], s)
	case strings.HasPrefix(s, "{"):
		return e.say(e.cat.challenges["json"], s)
	}
	return e.say(e.cat.challenges["text"], s)
}

func (e *Explainer) event(line string) string {
	switch {
	case strings.HasPrefix(line, "TLS handshake: "):
		what := strings.TrimPrefix(line, "TLS handshake: ")
		short, _, _ := strings.Cut(what, ", certificate")
		switch {
		case strings.Contains(line, "NOT VERIFIED"):
			return e.say(e.cat.events["tlsinsecure"], short)
		case strings.HasSuffix(line, ", verified"):
			return e.say(e.cat.events["tlsverified"], short)
		}
		return e.say(e.cat.events["tls"], short)
	case strings.HasPrefix(line, "connecting to "):
		return e.say(e.cat.events["connecting"])
	case strings.HasPrefix(line, "connected to "):
		return e.say(e.cat.events["connected"])
	case strings.HasPrefix(line, "connection from "):
		return e.say(e.cat.events["from"])
	case strings.HasPrefix(line, "message stored as "):
		return e.say(e.cat.events["stored"])
	case line == "connection closed":
		return e.say(e.cat.events["closed"])
	case strings.HasPrefix(line, "connection cut off"):
		return e.say(e.cat.events["cut"])
	}
	return e.say(e.cat.events["other"])
}
