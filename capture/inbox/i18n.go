package inbox

import (
	"sync"

	"github.com/postie/postie/internal/i18n"
)

// labels are the words of the pages, by the names the templates use; each
// is the English key of its translation in internal/i18n's catalogue. The
// table is made when a page is first shown, not when postie starts.
var labels = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"inbox":       i18n.Mark("postie inbox"),
		"search":      i18n.Mark("Search sender, recipients, subject"),
		"find":        i18n.Mark("Search"),
		"messages":    i18n.Mark("messages"),
		"from":        i18n.Mark("From"),
		"to":          i18n.Mark("To"),
		"cc":          i18n.Mark("Cc"),
		"subject":     i18n.Mark("Subject"),
		"date":        i18n.Mark("Date"),
		"size":        i18n.Mark("Size"),
		"attachments": i18n.Mark("Attachments"),
		"empty":       i18n.Mark("No messages yet. Send one to this server and it appears here at once."),
		"delete":      i18n.Mark("Delete"),
		"deleteAll":   i18n.Mark("Delete all"),
		"confirmAll":  i18n.Mark("Delete every message?"),
		"older":       i18n.Mark("Older"),
		"newer":       i18n.Mark("Newer"),
		"pageOf":      i18n.Mark("Page %d of %d"),
		"back":        i18n.Mark("All messages"),
		"html":        i18n.Mark("HTML"),
		"text":        i18n.Mark("Text"),
		"headers":     i18n.Mark("Headers"),
		"mime":        i18n.Mark("MIME tree"),
		"source":      i18n.Mark("Source"),
		"session":     i18n.Mark("SMTP session"),
		"noText":      i18n.Mark("This message has no text part."),
		"remote":      i18n.Mark("%d remote images were left out: this page never loads anything from the sender."),
		"sandboxNote": i18n.Mark("Shown sanitised, in a sandbox that runs no script."),
		"truncated":   i18n.Mark("Only the beginning is shown."),
		"download":    i18n.Mark("Download"),
		"downloadEml": i18n.Mark("Download .eml"),
		"noSession":   i18n.Mark("No session transcript for this message."),
		"sessionHelp": i18n.Mark("Every command and reply of the SMTP session that delivered this message; click a line for what it means. Passwords are never recorded."),
		"broken":      i18n.Mark("This message is not well formed:"),
		"live":        i18n.Mark("live"),
		"sourceCut":   i18n.Mark("The source is long: only its beginning is shown; download the whole file."),
		"client":      i18n.Mark("client"),
		"server":      i18n.Mark("server"),
		"note":        i18n.Mark("note"),
	}
})

// label is a label in language l ("t" in the templates).
func label(l i18n.Lang, key string) string {
	v, ok := labels()[key]
	if !ok {
		return key
	}
	return i18n.In(l).T(v)
}

// labelf is a label with values in it ("tf" in the templates: "Page %d
// of %d").
func labelf(l i18n.Lang, key string, args ...any) string {
	v, ok := labels()[key]
	if !ok {
		return key
	}
	return i18n.In(l).Sprintf(v, args...)
}
