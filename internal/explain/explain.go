package explain

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

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

// Explainer explains the lines of one session, in order.
type Explainer struct {
	lang    Lang
	waiting []string // commands whose final reply has not come, oldest first
	reply   string   // the command the reply being read answers ("" when none)
	inReply bool     // inside a multi-line reply
	first   bool     // the line is the first of its reply
}

// New returns an Explainer for one session.
func New(l Lang) *Explainer { return &Explainer{lang: l, waiting: []string{"greeting"}} }

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

func (e *Explainer) say(t text, a ...any) string {
	s := t.in(e.lang)
	if len(a) > 0 {
		for i, v := range a {
			if str, ok := v.(string); ok {
				a[i] = textsafe.Terminal(str)
			}
		}
		s = fmt.Sprintf(s, a...)
	}
	return s
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
		return e.say(clientNotes["PAYLOAD"])
	case line == "*":
		e.push("AUTH")
		return e.say(clientNotes["CANCEL"])
	case line == ".":
		e.push(".")
		return e.say(clientNotes["DOT"])
	case strings.HasPrefix(line, "<message: "):
		return e.say(clientNotes["MESSAGE"], strings.TrimSuffix(strings.TrimPrefix(line, "<message: "), ">"))
	case strings.HasPrefix(line, "<chunk: "):
		return e.say(clientNotes["CHUNK"], strings.TrimSuffix(strings.TrimPrefix(line, "<chunk: "), ">"))
	}
	verb, rest, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	switch verb {
	case "MAIL", "RCPT":
		e.push(verb)
		addr, params := splitPath(rest)
		s := e.say(commands[verb], addr)
		if p := e.params(params); p != "" {
			s = strings.TrimSuffix(s, "。")
			s = strings.TrimSuffix(s, ".")
			s += e.joiner() + p + e.end()
		}
		return s
	case "AUTH":
		e.push("AUTH")
		mech, ir, _ := strings.Cut(strings.TrimSpace(rest), " ")
		if strings.TrimSpace(ir) != "" {
			return e.say(clientNotes["AUTHIR"], strings.ToUpper(mech))
		}
		return e.say(commands["AUTH"], strings.ToUpper(mech))
	case "BDAT":
		f := strings.Fields(rest)
		size := "?"
		if len(f) > 0 {
			size = f[0]
		}
		if len(f) > 1 && strings.EqualFold(f[1], "LAST") {
			e.push("BDATLAST")
			return e.say(clientNotes["BDATLAST"], size)
		}
		e.push("BDAT")
		return e.say(commands["BDAT"], size)
	}
	if t, ok := commands[verb]; ok {
		e.push(verb)
		return e.say(t)
	}
	e.push(verb)
	return e.say(clientNotes["UNKNOWN"])
}

func (e *Explainer) joiner() string {
	if e.lang == Chinese {
		return "；"
	}
	return "; "
}

func (e *Explainer) end() string {
	if e.lang == Chinese {
		return "。"
	}
	return "."
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
		if t, ok := mailParams[k]; ok && !seen[k] {
			seen[k] = true
			out = append(out, t.in(e.lang))
		}
	}
	return strings.Join(out, e.joiner())
}

var replyLine = regexp.MustCompile(`^([2-5][0-9][0-9])([ -])(.*)$`)

func (e *Explainer) server(line string) string {
	m := replyLine.FindStringSubmatch(line)
	if m == nil {
		return e.say(clientNotes["UNKNOWN"])
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
			return e.say(capabilities["EHLOFIRST"])
		}
		return e.capability(rest)
	}
	if !e.first {
		return e.say(continuation, code)
	}
	if code == "334" {
		return e.challenge(rest)
	}
	s := e.codeText(code)
	if ec := e.enhanced(code, rest); ec != "" {
		if e.lang != Chinese { // Chinese sentences follow each other without a space
			s += " "
		}
		s += ec
	}
	return s
}

func (e *Explainer) codeText(code string) string {
	if t, ok := replies[code+"/"+e.reply]; ok {
		return e.say(t)
	}
	if t, ok := replies[code]; ok {
		return e.say(t)
	}
	s := e.say(replyClass[code[0]], code)
	if t, ok := replyCategory[code[1]]; ok {
		s += " " + t.in(e.lang)
	}
	return s
}

var enhancedCode = regexp.MustCompile(`^([245])\.([0-9]{1,3})\.([0-9]{1,3})(?:\s|$)`)

// enhanced explains an RFC 3463 code at the start of the reply text; its
// class must agree with the reply code's first digit (RFC 2034 §4).
func (e *Explainer) enhanced(code, rest string) string {
	m := enhancedCode.FindStringSubmatch(rest)
	if m == nil || m[1][0] != code[0] {
		return ""
	}
	subj, ok := enhancedSubject[m[2]]
	if !ok {
		subj = enhancedSubject["0"]
	}
	detail, ok := enhancedDetail[m[2]+"."+m[3]]
	if !ok {
		detail = enhancedDetail["0.0"]
	}
	return fmt.Sprintf(enhancedFormat.in(e.lang), m[1]+"."+m[2]+"."+m[3], enhancedClass[m[1]].in(e.lang), subj.in(e.lang), detail.in(e.lang))
}

func (e *Explainer) capability(rest string) string {
	name, args, _ := strings.Cut(strings.TrimSpace(rest), " ")
	name = strings.ToUpper(name)
	switch name {
	case "AUTH":
		return e.say(capabilities["AUTH"], args)
	case "SIZE":
		if args == "" || args == "0" {
			return e.say(capabilities["SIZE0"])
		}
		return e.say(capabilities["SIZE"], args)
	case "LIMITS":
		return e.say(capabilities["LIMITS"], args)
	}
	if t, ok := capabilities[name]; ok && name != "EHLOFIRST" && name != "OTHER" && name != "SIZE0" {
		return e.say(t)
	}
	return e.say(capabilities["OTHER"])
}

// challenge decodes a 334's base64 and says what the server asks for.
func (e *Explainer) challenge(rest string) string {
	b64 := strings.TrimSpace(rest)
	if b64 == "" {
		return e.say(challenges["empty"])
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return e.say(replies["334"])
	}
	s := string(raw)
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 {
		return e.say(challenges["binary"], fmt.Sprint(len(raw)))
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	lower := strings.ToLower(s)
	switch {
	case strings.Contains(lower, "user"):
		return e.say(challenges["user"], s)
	case strings.Contains(lower, "pass"):
		return e.say(challenges["pass"], s)
	case strings.HasPrefix(s, "<") && strings.Contains(s, "@") && strings.HasSuffix(s, ">"):
		return e.say(challenges["cram"], s)
	case strings.HasPrefix(s, "{"):
		return e.say(challenges["json"], s)
	}
	return e.say(challenges["text"], s)
}

func (e *Explainer) event(line string) string {
	switch {
	case strings.HasPrefix(line, "TLS handshake: "):
		what := strings.TrimPrefix(line, "TLS handshake: ")
		short, _, _ := strings.Cut(what, ", certificate")
		switch {
		case strings.Contains(line, "NOT VERIFIED"):
			return e.say(events["tlsinsecure"], short)
		case strings.HasSuffix(line, ", verified"):
			return e.say(events["tlsverified"], short)
		}
		return e.say(events["tls"], short)
	case strings.HasPrefix(line, "connecting to "):
		return e.say(events["connecting"])
	case strings.HasPrefix(line, "connected to "):
		return e.say(events["connected"])
	case strings.HasPrefix(line, "connection from "):
		return e.say(events["from"])
	case strings.HasPrefix(line, "message stored as "):
		return e.say(events["stored"])
	case line == "connection closed":
		return e.say(events["closed"])
	case strings.HasPrefix(line, "connection cut off"):
		return e.say(events["cut"])
	}
	return e.say(events["other"])
}
