package inbox

import (
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

// policy is what a received message's HTML may keep: bluemonday's policy
// for user content (no script, no event handler, no javascript: URL, no
// form, no meta refresh, no iframe, no style element), plus the layout
// attributes and inline styles mail is written with. Images may come only
// from the message itself (cid:, RFC 2392) or a data: URL; a cid: source
// becomes "cid/ID", relative to the body document /m/ID/body, so it loads
// from /m/ID/cid/ID. Remote images are replaced, so the page never asks a
// sender's server for anything (a tracking pixel learns nothing).
//
// This is one of two layers: the body document is also served under a
// Content-Security-Policy that forbids scripts and remote loads, inside a
// sandboxed iframe.
//
// It is built on first use, not at start: postie send never needs it.
var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto", "cid")
	p.AllowRelativeURLs(false)
	p.AllowDataURIImages()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowElements("center", "font", "span", "div")
	p.AllowAttrs("color", "face", "size").OnElements("font")
	p.AllowAttrs("align", "valign", "bgcolor", "width", "height", "border", "cellpadding", "cellspacing").
		OnElements("table", "tr", "td", "th", "tbody", "thead", "tfoot", "div", "p", "img", "center")
	p.AllowStyles("color", "background-color", "font-family", "font-size", "font-weight", "font-style", "text-align",
		"text-decoration", "line-height", "margin", "margin-top", "margin-bottom", "margin-left", "margin-right",
		"padding", "padding-top", "padding-bottom", "padding-left", "padding-right", "border", "border-collapse",
		"width", "max-width", "height", "vertical-align", "white-space").Globally()
	p.RewriteSrc(func(u *url.URL) {
		switch strings.ToLower(u.Scheme) {
		case "cid":
			*u = url.URL{Path: "cid/" + u.Opaque}
		case "data":
		default:
			*u = url.URL{Path: "remote-image-blocked"}
		}
	})
	return p
})

var remoteSrc = regexp.MustCompile(`(?i)<img\b[^>]*\bsrc\s*=\s*["']?\s*(https?:)?//`)

// sanitizeHTML returns the message HTML safe to show, and how many remote
// images it had.
func sanitizeHTML(src string) (string, int) {
	return policy().Sanitize(src), len(remoteSrc.FindAllStringIndex(src, -1))
}
