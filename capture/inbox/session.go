package inbox

import (
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/postie/postie/capture/transcript"
	"github.com/postie/postie/internal/explain"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/internal/textsafe"
)

// TranscriptLine is one line of a session with its explanation.
type TranscriptLine struct {
	At          int64  `json:"at_us"` // microseconds since the connection opened
	Dir         string `json:"dir"`   // "C" client, "S" server, "*" event
	Text        string `json:"text"`  // as recorded (AUTH payloads never are)
	Explanation string `json:"explanation"`
}

// Transcript is a session as the API and the page show it.
type Transcript struct {
	ID       string           `json:"id"`
	Remote   string           `json:"remote"`
	Start    time.Time        `json:"start"`
	Language string           `json:"language"` // of the explanations: en or zh
	Lines    []TranscriptLine `json:"lines"`
}

// Why a message has no transcript (the API says it in English; the page
// in the reader's language).
var (
	errNoSession   = errors.New("no session was recorded for this message")
	errSessionGone = errors.New("the session's transcript is gone")
)

// transcriptOf loads the session that delivered the message, explained.
func (in *Inbox) transcriptOf(s Summary, lang i18n.Lang) (*Transcript, error) {
	if s.Session == "" {
		return nil, errNoSession
	}
	f, err := os.Open(filepath.Join(in.sessionDir(), s.Session+".txt"))
	if err != nil {
		return nil, errSessionGone
	}
	defer f.Close()
	sess, err := transcript.Parse(f)
	if err != nil {
		return nil, err
	}
	t := &Transcript{ID: sess.ID, Remote: sess.Remote, Start: sess.Start, Language: string(lang), Lines: []TranscriptLine{}}
	e := explain.New(lang)
	for _, l := range sess.Lines {
		t.Lines = append(t.Lines, TranscriptLine{At: l.At.Microseconds(), Dir: string(rune(l.Dir)), Text: l.Text,
			Explanation: e.Explain(explain.Dir(l.Dir), l.Text)})
	}
	return t, nil
}

func (in *Inbox) sessionDir() string { return filepath.Join(in.cfg.Maildir, transcript.DirName) }

// display makes network text safe to show: control characters and bidi
// overrides become visible escapes (html/template does the HTML escaping).
func display(s string) string { return textsafe.Terminal(s) }
