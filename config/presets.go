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
	TLS     string   // "implicit" or "starttls"
	AuthMsg string   // hint shown when the server rejects the login (535)
	Domains []string // mail domains it serves; none for providers of custom domains
}

// presets is a plain table, built by the compiler: nothing to set up at
// start-up, which every run of postie pays for.
var presets = []Preset{
	{"163", "smtp.163.com", 465, "implicit", "NetEase (163.com) needs the authorization code (授权码) from its web settings, after you enable the SMTP service there, not your login password", []string{"163.com"}},
	{"126", "smtp.126.com", 465, "implicit", "NetEase (126.com) needs the authorization code (授权码) from its web settings, after you enable the SMTP service there, not your login password", []string{"126.com"}},
	{"yeah", "smtp.yeah.net", 465, "implicit", "NetEase (yeah.net) needs the authorization code (授权码) from its web settings, after you enable the SMTP service there, not your login password", []string{"yeah.net"}},
	{"qq", "smtp.qq.com", 465, "implicit", "QQ Mail needs the authorization code (授权码) from its web settings, after you enable the SMTP service there, not your login password", []string{"qq.com", "foxmail.com", "vip.qq.com"}},
	{"exmail", "smtp.exmail.qq.com", 465, "implicit", "Tencent Exmail: enable SMTP for the mailbox and use its client-specific password if one is set", nil},
	{"aliyun", "smtp.aliyun.com", 465, "implicit", "Aliyun Mail: enable SMTP in the web settings first", []string{"aliyun.com"}},
	{"sina", "smtp.sina.com", 465, "implicit", "Sina Mail needs the authorization code (授权码) from its web settings, after you enable the SMTP service there, not your login password", []string{"sina.com", "sina.cn"}},
	{"sohu", "smtp.sohu.com", 465, "implicit", "Sohu Mail: enable SMTP in the web settings and use the independent password it gives", []string{"sohu.com"}},
	{"gmail", "smtp.gmail.com", 465, "implicit", "Gmail needs an app password (Google Account > Security > 2-Step Verification > App passwords), or OAuth 2.0 with --auth xoauth2", []string{"gmail.com", "googlemail.com"}},
	{"outlook", "smtp-mail.outlook.com", 587, "starttls", "Outlook.com has turned off password logins for most accounts: use OAuth 2.0 (--auth xoauth2 --oauth2-token-cmd ...)", []string{"outlook.com", "hotmail.com", "live.com", "msn.com"}},
	{"office365", "smtp.office365.com", 587, "starttls", "Microsoft 365: SMTP AUTH must be enabled for the mailbox by the tenant admin; OAuth 2.0 (--auth xoauth2) is preferred", nil},
	{"icloud", "smtp.mail.me.com", 587, "starttls", "iCloud needs an app-specific password (appleid.apple.com > Sign-In and Security)", []string{"icloud.com", "me.com", "mac.com"}},
	{"yahoo", "smtp.mail.yahoo.com", 465, "implicit", "Yahoo needs an app password (Account Security > Generate app password)", []string{"yahoo.com", "ymail.com"}},
	{"zoho", "smtp.zoho.com", 465, "implicit", "Zoho: use an application-specific password when two-factor login is on", []string{"zoho.com", "zohomail.com"}},
	{"fastmail", "smtp.fastmail.com", 465, "implicit", "Fastmail needs an app password (Settings > Privacy & Security > App passwords)", []string{"fastmail.com", "fastmail.fm"}},
	{"gmx", "mail.gmx.net", 587, "starttls", "GMX: enable POP3/IMAP/SMTP access in the web settings first", []string{"gmx.net", "gmx.de", "gmx.com", "gmx.at", "gmx.ch"}},
}

// PresetByName returns a preset by its name ("163", "gmail", ...).
func PresetByName(name string) (Preset, bool) {
	name = strings.ToLower(name)
	for _, p := range presets {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// PresetForAddress returns the preset for an address's domain.
func PresetForAddress(addr string) (Preset, bool) {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return Preset{}, false
	}
	dom := strings.ToLower(addr[i+1:])
	for _, p := range presets {
		for _, d := range p.Domains {
			if d == dom {
				return p, true
			}
		}
	}
	return Preset{}, false
}

// Presets lists all presets, sorted by name.
func Presets() []Preset {
	out := append([]Preset(nil), presets...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// PresetNames lists the presets' names, sorted.
func PresetNames() []string {
	var out []string
	for _, p := range Presets() {
		out = append(out, p.Name)
	}
	return out
}
