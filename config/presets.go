// Package config reads postie's accounts file (TOML), knows the providers'
// servers (presets) and fetches secrets from their sources.
package config

import (
	"sort"
	"strings"
)

// Preset is what postie knows about a mail provider's submission server.
type Preset struct {
	Name    string
	Host    string
	Port    int
	TLS     string // "implicit" or "starttls"
	AuthMsg string // hint shown when the server rejects the login (535)
}

const hintAuthCode = "%s needs the authorization code (授权码) from its web settings, after you enable the SMTP service there, not your login password"

var presets = map[string]Preset{}
var presetDomains = map[string]string{} // mail domain -> preset name

func add(p Preset, domains ...string) {
	presets[p.Name] = p
	for _, d := range domains {
		presetDomains[d] = p.Name
	}
}

func init() {
	for _, p := range []struct {
		name, host string
		domains    []string
	}{
		{"163", "smtp.163.com", []string{"163.com"}},
		{"126", "smtp.126.com", []string{"126.com"}},
		{"yeah", "smtp.yeah.net", []string{"yeah.net"}},
	} {
		add(Preset{Name: p.name, Host: p.host, Port: 465, TLS: "implicit",
			AuthMsg: strings.Replace(hintAuthCode, "%s", "NetEase ("+p.domains[0]+")", 1)}, p.domains...)
	}
	add(Preset{Name: "qq", Host: "smtp.qq.com", Port: 465, TLS: "implicit",
		AuthMsg: strings.Replace(hintAuthCode, "%s", "QQ Mail", 1)}, "qq.com", "foxmail.com", "vip.qq.com")
	add(Preset{Name: "exmail", Host: "smtp.exmail.qq.com", Port: 465, TLS: "implicit",
		AuthMsg: "Tencent Exmail: enable SMTP for the mailbox and use its client-specific password if one is set"})
	add(Preset{Name: "aliyun", Host: "smtp.aliyun.com", Port: 465, TLS: "implicit",
		AuthMsg: "Aliyun Mail: enable SMTP in the web settings first"}, "aliyun.com")
	add(Preset{Name: "sina", Host: "smtp.sina.com", Port: 465, TLS: "implicit",
		AuthMsg: strings.Replace(hintAuthCode, "%s", "Sina Mail", 1)}, "sina.com", "sina.cn")
	add(Preset{Name: "sohu", Host: "smtp.sohu.com", Port: 465, TLS: "implicit",
		AuthMsg: "Sohu Mail: enable SMTP in the web settings and use the independent password it gives"}, "sohu.com")
	add(Preset{Name: "gmail", Host: "smtp.gmail.com", Port: 465, TLS: "implicit",
		AuthMsg: "Gmail needs an app password (Google Account > Security > 2-Step Verification > App passwords), or OAuth 2.0 with --auth xoauth2"}, "gmail.com", "googlemail.com")
	add(Preset{Name: "outlook", Host: "smtp-mail.outlook.com", Port: 587, TLS: "starttls",
		AuthMsg: "Outlook.com has turned off password logins for most accounts: use OAuth 2.0 (--auth xoauth2 --oauth2-token-cmd ...)"}, "outlook.com", "hotmail.com", "live.com", "msn.com")
	add(Preset{Name: "office365", Host: "smtp.office365.com", Port: 587, TLS: "starttls",
		AuthMsg: "Microsoft 365: SMTP AUTH must be enabled for the mailbox by the tenant admin; OAuth 2.0 (--auth xoauth2) is preferred"})
	add(Preset{Name: "icloud", Host: "smtp.mail.me.com", Port: 587, TLS: "starttls",
		AuthMsg: "iCloud needs an app-specific password (appleid.apple.com > Sign-In and Security)"}, "icloud.com", "me.com", "mac.com")
	add(Preset{Name: "yahoo", Host: "smtp.mail.yahoo.com", Port: 465, TLS: "implicit",
		AuthMsg: "Yahoo needs an app password (Account Security > Generate app password)"}, "yahoo.com", "ymail.com")
	add(Preset{Name: "zoho", Host: "smtp.zoho.com", Port: 465, TLS: "implicit",
		AuthMsg: "Zoho: use an application-specific password when two-factor login is on"}, "zoho.com", "zohomail.com")
	add(Preset{Name: "fastmail", Host: "smtp.fastmail.com", Port: 465, TLS: "implicit",
		AuthMsg: "Fastmail needs an app password (Settings > Privacy & Security > App passwords)"}, "fastmail.com", "fastmail.fm")
	add(Preset{Name: "gmx", Host: "mail.gmx.net", Port: 587, TLS: "starttls",
		AuthMsg: "GMX: enable POP3/IMAP/SMTP access in the web settings first"}, "gmx.net", "gmx.de", "gmx.com", "gmx.at", "gmx.ch")
}

// PresetByName returns a preset by its name ("163", "gmail", ...).
func PresetByName(name string) (Preset, bool) {
	p, ok := presets[strings.ToLower(name)]
	return p, ok
}

// PresetForAddress returns the preset for an address's domain.
func PresetForAddress(addr string) (Preset, bool) {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return Preset{}, false
	}
	name, ok := presetDomains[strings.ToLower(addr[i+1:])]
	if !ok {
		return Preset{}, false
	}
	return presets[name], true
}

// Presets lists all presets by name, with their mail domains.
func Presets() []struct {
	Preset
	Domains []string
} {
	var out []struct {
		Preset
		Domains []string
	}
	for _, p := range presets {
		var ds []string
		for d, n := range presetDomains {
			if n == p.Name {
				ds = append(ds, d)
			}
		}
		sort.Strings(ds)
		out = append(out, struct {
			Preset
			Domains []string
		}{p, ds})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// PresetNames lists the presets' names, sorted.
func PresetNames() []string {
	var out []string
	for n := range presets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
