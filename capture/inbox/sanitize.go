package inbox

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// sanitizeHTML returns the message HTML safe to show, and how many remote
// images it had.
//
// golang.org/x/net/html parses the HTML exactly as a browser would (the
// WHATWG algorithm, with its error recovery), so what is filtered is what a
// browser would have built; the filtered tree is then written back by the
// same package, which escapes every text and attribute value. What may stay
// is an allow-list: the elements and attributes mail is written with, no
// script, no event handler, no javascript: or data: link, no form, no meta
// refresh, no frame, no style element, and inline styles limited to
// layout and colour properties with plain values (no url(), no
// expression()). Images may come only from the message itself (cid:,
// RFC 2392) or a data: image; a cid: source becomes "cid/ID", relative to
// the body document /m/ID/body, so it loads from /m/ID/cid/ID. Remote
// images are replaced, so the page never asks a sender's server for
// anything (a tracking pixel learns nothing).
//
// This is one of two layers: the body document is also served under a
// Content-Security-Policy that forbids scripts and remote loads, inside a
// sandboxed iframe.
//
// Why not bluemonday: its package initialisation compiles dozens of
// regular expressions in every postie process — about 5 ms and 5 MB of
// binary on each `postie send` that never shows an inbox (issue 11 asks
// start-up to stay within 1.1x of a plain Go sender). The parser, the hard
// part, is x/net/html's; only the allow-list is ours.
func sanitizeHTML(src string) (string, int) {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return "", 0
	}
	s := &sanitizer{}
	out := &html.Node{Type: html.DocumentNode}
	if body := findBody(doc); body != nil {
		s.children(out, body)
	}
	var b strings.Builder
	for c := out.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			return "", s.remote
		}
	}
	return b.String(), s.remote
}

func findBody(n *html.Node) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == atom.Body {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if b := findBody(c); b != nil {
			return b
		}
	}
	return nil
}

type sanitizer struct{ remote int }

// children copies the allowed part of src's children under dst.
func (s *sanitizer) children(dst, src *html.Node) {
	for c := src.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			dst.AppendChild(&html.Node{Type: html.TextNode, Data: c.Data})
		case html.ElementNode:
			s.element(dst, c)
		}
		// Comments, doctypes and the like are dropped: a comment can hide
		// conditional markup some readers act on.
	}
}

func (s *sanitizer) element(dst, n *html.Node) {
	if n.Namespace != "" || dropped[n.DataAtom] {
		return // foreign content (SVG, MathML) and active elements go with what is inside them
	}
	if !allowedElements[n.DataAtom] {
		s.children(dst, n) // an unknown wrapper (o:p, body, form): keep its text
		return
	}
	e := &html.Node{Type: html.ElementNode, DataAtom: n.DataAtom, Data: n.DataAtom.String()}
	for _, a := range n.Attr {
		if a.Namespace != "" {
			continue
		}
		if v, ok := s.attr(n.DataAtom, a.Key, a.Val); ok {
			e.Attr = append(e.Attr, html.Attribute{Key: a.Key, Val: v})
		}
	}
	if n.DataAtom == atom.A && hasAttr(e, "href") {
		e.Attr = append(e.Attr, html.Attribute{Key: "rel", Val: "nofollow noreferrer noopener"}, html.Attribute{Key: "target", Val: "_blank"})
	}
	if n.DataAtom == atom.Img && !hasAttr(e, "src") {
		return // an image with nothing allowed to show
	}
	dst.AppendChild(e)
	s.children(e, n)
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// attr says whether attribute key may stay on element el, and with what value.
func (s *sanitizer) attr(el atom.Atom, key, val string) (string, bool) {
	switch key {
	case "href":
		if el != atom.A {
			return "", false
		}
		u, err := url.Parse(strings.TrimSpace(val))
		if err != nil || !u.IsAbs() {
			return "", false
		}
		switch strings.ToLower(u.Scheme) {
		case "http", "https":
			return u.String(), u.Host != ""
		case "mailto":
			return u.String(), u.Opaque != ""
		}
		return "", false
	case "src":
		if el != atom.Img {
			return "", false
		}
		return s.imageSource(val)
	case "style":
		v := cleanStyle(val)
		return v, v != ""
	case "id":
		return val, isToken(val)
	case "color", "face", "size":
		return val, el == atom.Font && plainValue(val)
	case "colspan", "rowspan", "span", "start":
		return val, isNumber(val)
	}
	if allowedAttrs[key] && plainValue(val) {
		return val, true
	}
	return "", false
}

// imageSource keeps images carried by the message and drops the rest,
// counting remote ones.
func (s *sanitizer) imageSource(val string) (string, bool) {
	v := strings.TrimSpace(val)
	low := strings.ToLower(v)
	switch {
	case v == "remote-image-blocked", strings.HasPrefix(v, "cid/") && !strings.ContainsAny(v[4:], "/?#\\"):
		return v, true // already in the form this function writes
	case strings.HasPrefix(low, "cid:"):
		return "cid/" + url.PathEscape(v[len("cid:"):]), true
	case strings.HasPrefix(low, "data:image/") && !strings.HasPrefix(low, "data:image/svg"):
		return v, true
	case strings.HasPrefix(low, "http:"), strings.HasPrefix(low, "https:"), strings.HasPrefix(low, "//"):
		s.remote++
		return "remote-image-blocked", true
	}
	return "", false
}

// cleanStyle keeps the declarations of an inline style whose property is
// allowed and whose value is plain: words, numbers, units, colours and
// rgb()/hsl() — never url(), expression(), escapes, comments or quotes
// that could end the attribute's meaning.
func cleanStyle(style string) string {
	var kept []string
	for _, decl := range strings.Split(style, ";") {
		prop, val, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		prop = strings.ToLower(strings.TrimSpace(prop))
		val = strings.TrimSpace(val)
		if !allowedStyles[prop] || val == "" || !plainStyleValue(val) {
			continue
		}
		kept = append(kept, prop+": "+val)
	}
	return strings.Join(kept, "; ")
}

func plainStyleValue(v string) bool {
	low := strings.ToLower(v)
	for _, fn := range []string{"rgb(", "rgba(", "hsl(", "hsla("} {
		low = strings.ReplaceAll(low, fn, "")
	}
	low = strings.ReplaceAll(low, ")", "")
	for _, r := range low {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case strings.ContainsRune(" #%.,-!'\"", r):
		default:
			return false // (, \, /, :, @, <, &, control characters...
		}
	}
	return true
}

// plainValue is an attribute value with no markup or scheme in it.
func plainValue(v string) bool {
	return len(v) <= 200 && !strings.ContainsAny(v, "<>:\\(){}`")
}

func isToken(v string) bool {
	if v == "" || len(v) > 64 {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func isNumber(v string) bool {
	if v == "" || len(v) > 4 {
		return false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// dropped elements go with their content.
var dropped = atomSet(atom.Script, atom.Style, atom.Iframe, atom.Frame, atom.Frameset, atom.Object, atom.Embed,
	atom.Applet, atom.Noscript, atom.Noframes, atom.Noembed, atom.Template, atom.Head, atom.Title, atom.Meta, atom.Link,
	atom.Base, atom.Input, atom.Button, atom.Select, atom.Textarea, atom.Option, atom.Svg, atom.Math, atom.Audio,
	atom.Video, atom.Source, atom.Track, atom.Canvas, atom.Param, atom.Xmp, atom.Plaintext, atom.Dialog)

var allowedElements = atomSet(atom.A, atom.Abbr, atom.Address, atom.Article, atom.Aside, atom.B, atom.Bdi, atom.Bdo,
	atom.Big, atom.Blockquote, atom.Br, atom.Caption, atom.Center, atom.Cite, atom.Code, atom.Col, atom.Colgroup,
	atom.Dd, atom.Del, atom.Details, atom.Dfn, atom.Div, atom.Dl, atom.Dt, atom.Em, atom.Figcaption, atom.Figure,
	atom.Font, atom.Footer, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Header, atom.Hr, atom.I,
	atom.Img, atom.Ins, atom.Kbd, atom.Li, atom.Main, atom.Mark, atom.Nav, atom.Ol, atom.P, atom.Pre, atom.Q,
	atom.Rp, atom.Rt, atom.Ruby, atom.S, atom.Samp, atom.Section, atom.Small, atom.Span, atom.Strike, atom.Strong,
	atom.Sub, atom.Summary, atom.Sup, atom.Table, atom.Tbody, atom.Td, atom.Tfoot, atom.Th, atom.Thead, atom.Time,
	atom.Tr, atom.Tt, atom.U, atom.Ul, atom.Var, atom.Wbr)

// allowedAttrs may stay on any allowed element, with a plain value.
var allowedAttrs = map[string]bool{"title": true, "alt": true, "dir": true, "lang": true, "align": true,
	"valign": true, "bgcolor": true, "width": true, "height": true, "border": true, "cellpadding": true,
	"cellspacing": true, "datetime": true}

var allowedStyles = map[string]bool{"color": true, "background-color": true, "font-family": true, "font-size": true,
	"font-weight": true, "font-style": true, "text-align": true, "text-decoration": true, "line-height": true,
	"margin": true, "margin-top": true, "margin-bottom": true, "margin-left": true, "margin-right": true,
	"padding": true, "padding-top": true, "padding-bottom": true, "padding-left": true, "padding-right": true,
	"border": true, "border-collapse": true, "width": true, "max-width": true, "height": true,
	"vertical-align": true, "white-space": true}

func atomSet(as ...atom.Atom) map[atom.Atom]bool {
	m := make(map[atom.Atom]bool, len(as))
	for _, a := range as {
		m[a] = true
	}
	return m
}
