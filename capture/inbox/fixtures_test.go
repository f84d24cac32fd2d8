package inbox

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// wrap76 base64-encodes b in 76-column lines (RFC 2045 §6.8).
func wrap76(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	return out.String() + s + "\n"
}

func gb2312Word(s string) string {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return "=?GB2312?B?" + base64.StdEncoding.EncodeToString(b) + "?="
}

func gbkPercent(s string) string {
	b, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	var out strings.Builder
	for _, c := range b {
		out.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
	}
	return out.String()
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// onePixelPNG is a valid 1x1 PNG.
var onePixelPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")

var binaryAttachment = randomBytes(100_000, 7)

func plainMessage(from, to, subject, body string) string {
	return "From: " + from + "\nTo: " + to + "\nSubject: " + subject + "\nDate: Wed, 01 Jan 2025 10:00:00 +0000\nMessage-ID: <x@test>\n\n" + body + "\n"
}

// richMessage has every kind of part the view must handle.
func richMessage() string {
	return `From: =?UTF-8?B?5byg5LiJ?= <zhang@x.test>
To: Bob <bob@x.test>, carol@x.test
Cc: dave@x.test
Subject: ` + gb2312Word("我爱计算机网络") + ` rich
Date: Wed, 01 Jan 2025 10:00:00 +0800
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=GB2312
Content-Transfer-Encoding: base64

` + wrap76(must(simplifiedchinese.GBK.NewEncoder().Bytes([]byte("你好，这是纯文本。\nline two\n")))) + `
--alt
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<p>Hello <b>world</b> =E4=BD=A0=E5=A5=BD</p><img src=3D"cid:logo@x.test" alt=3D"logo">
--alt--

--rel
Content-Type: image/png
Content-Transfer-Encoding: base64
Content-ID: <logo@x.test>
Content-Disposition: inline

` + wrap76(onePixelPNG) + `
--rel--

--outer
Content-Type: application/pdf
Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf
Content-Transfer-Encoding: base64

` + wrap76([]byte("%PDF-1.4 fake")) + `
--outer
Content-Type: text/plain
Content-Disposition: attachment; filename*=GBK''` + gbkPercent("中文") + `.txt

plain attachment
--outer
Content-Type: application/octet-stream; name="=?UTF-8?B?5pWw5o2uLmJpbg==?="
Content-Transfer-Encoding: base64

` + wrap76(binaryAttachment) + `
--outer
Content-Type: text/html; name="../../etc/passwd"
Content-Disposition: attachment; filename="../../etc/passwd"

<script>alert('attachment')</script>
--outer--
`
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// hostileHTML tries everything a message could do to run code or call home.
const hostileHTML = `<html><head>
<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/refresh">
<base href="http://127.0.0.1:9/">
<style>body { background: url(http://127.0.0.1:9/css-bg) } @import url(http://127.0.0.1:9/import.css);</style>
<script>window.top.pwned = 1; console.log("PWNED-script")</script>
<script src="http://127.0.0.1:9/remote.js"></script>
</head><body>
<p id="hello">hostile message</p>
<img src="x" onerror="window.top.pwned = 2; console.log('PWNED-onerror')">
<img src="http://127.0.0.1:9/pixel.gif" width="1" height="1">
<img src="//127.0.0.1:9/pixel2.gif">
<a href="javascript:window.top.pwned=3">click me</a>
<a href="http://example.test/ok">a fine link</a>
<iframe src="http://127.0.0.1:9/frame"></iframe>
<iframe srcdoc="<script>parent.pwned=4</script>"></iframe>
<svg onload="window.top.pwned=5"><script>window.top.pwned=6</script></svg>
<form action="http://127.0.0.1:9/steal"><input name="p"></form>
<div style="background-image: url(http://127.0.0.1:9/div-bg); color: red">styled</div>
<object data="http://127.0.0.1:9/obj"></object>
<body onload="window.top.pwned=7">
</body></html>`

func hostileMessage() string {
	return "From: mallory@x.test\nTo: bob@x.test\nSubject: hostile\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n" + hostileHTML + "\n"
}
