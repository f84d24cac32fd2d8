package cli

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/outbox"
)

// routeApp is an App whose environment is env.
func routeApp(env map[string]string) *App {
	return &App{Stderr: io.Discard, Getenv: func(k string) string { return env[k] }}
}

// queuedRoute resolves req as a command does and maps it to the route a
// queued message keeps.
func queuedRoute(t *testing.T, a *App, req *request) (*Settings, outbox.Route) {
	t.Helper()
	st, err := a.resolve(req)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := a.routeFor(req, st)
	if err != nil {
		t.Fatal(err)
	}
	return st, rt
}

// comparable strips what legitimately differs between the settings a
// message was queued with and those its route resolves to at delivery:
// where a secret came from is named differently (a flag then, the route
// now), relative file names are kept absolute (a runner has another
// working directory), and a preset's hints are not kept.
func comparable(st *Settings) Settings {
	c := *st
	c.Preset, c.account, c.From, c.Account = nil, nil, "", ""
	if st.Direct != nil {
		d := *st.Direct
		d.CACert = absPath(d.CACert)
		c.Direct = &d
	}
	if st.Relay != nil {
		r := *st.Relay
		r.CACert, r.ClientCert, r.ClientKey = absPath(r.CACert), absPath(r.ClientCert), absPath(r.ClientKey)
		if r.Login != nil {
			l := *r.Login
			l.Secret.Origin = ""
			r.Login = &l
		}
		c.Relay = &r
	}
	return c
}

// TestRouteRoundTrip: the route kept for a queued message resolves, at
// delivery, to the settings the message was queued with, and holds no
// secret.
func TestRouteRoundTrip(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("file-secret\n"), 0o600)
	cfg := filepath.Join(dir, "config.toml")
	writeConfig := func(server string) {
		t.Helper()
		src := fmt.Sprintf(`default = "work"
[accounts.work]
from = "me@work.test"
server = %q
user = "me@work.test"
password = "literal-secret"
helo = "laptop.work.test"
cacert = %q
`, server, filepath.Join(dir, "ca.pem"))
		if err := os.WriteFile(cfg, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeConfig("smtp.work.test:587")
	secrets := []string{"file-secret", "literal-secret", "env-secret"}
	cases := []struct {
		name  string
		req   request
		env   map[string]string
		route func(outbox.Route) bool
	}{
		{"server, password file, options", request{
			server:   serverFlags{server: "127.0.0.1:2525", tls: "starttls", cacert: "ca.pem", helo: "me.test", timeout: 7 * time.Second, connectTimeout: 5 * time.Second},
			login:    loginFlags{user: "alice", passwordFile: pw, auth: "plain"},
			transfer: transferFlags{noPipelining: true}, noConfig: true,
		}, nil, func(r outbox.Route) bool {
			return r.Server == "127.0.0.1:2525" && r.TLS == "starttls" && r.User == "alice" && r.Secret == "file:"+pw
		}},
		{"preset from --from, password command", request{
			server: serverFlags{tls: "auto"}, login: loginFlags{passwordCmd: "pass show 163", auth: "auto"}, from: "me@163.com", noConfig: true,
		}, nil, func(r outbox.Route) bool {
			return r.Server == "smtp.163.com:465" && r.TLS == "implicit" && r.User == "me@163.com" && r.Secret == "cmd:pass show 163"
		}},
		{"server, no login (opportunistic TLS)", request{
			server: serverFlags{server: "relay.test:25", tls: "auto"}, login: loginFlags{auth: "auto"}, noConfig: true,
		}, nil, func(r outbox.Route) bool { return r.TLS == "opportunistic" && r.User == "" && r.Secret == "" }},
		{"server, POSTIE_PASSWORD", request{
			server: serverFlags{server: "relay.test:587", tls: "auto"}, login: loginFlags{user: "bob", auth: "auto"}, noConfig: true,
		}, map[string]string{"POSTIE_PASSWORD": "env-secret"}, func(r outbox.Route) bool { return r.Secret == "env:POSTIE_PASSWORD" }},
		{"oauth2 command", request{
			server: serverFlags{server: "smtp.gmail.com:465", tls: "auto"}, login: loginFlags{user: "me@gmail.com", oauthCmd: "oauth2 token", auth: "xoauth2"}, noConfig: true,
		}, nil, func(r outbox.Route) bool { return r.Secret == "oauth2-cmd:oauth2 token" }},
		{"default account", request{
			server: serverFlags{tls: "auto"}, login: loginFlags{auth: "auto"}, account: accountFlags{config: cfg},
		}, nil, func(r outbox.Route) bool {
			v, _ := url.ParseQuery(r.Options)
			return r.Account == "work" && r.Server == "" && v.Get(optConfig) == cfg
		}},
		{"account with a server and a user set over it", request{
			server: serverFlags{tls: "auto", timeout: time.Minute}, login: loginFlags{auth: "auto"}, account: accountFlags{account: "work", config: cfg},
		}, map[string]string{"POSTIE_SERVER": "other.test:2525", "POSTIE_USER": "someone", "POSTIE_PASSWORD": "env-secret"}, func(r outbox.Route) bool {
			v, _ := url.ParseQuery(r.Options)
			return r.Account == "work" && v.Get(optServer) == "other.test:2525" && v.Get(optUser) == "someone" && v.Get(optSecretEnv) == "POSTIE_PASSWORD"
		}},
		{"direct", request{
			server: serverFlags{tls: "auto", helo: "mta.test", cacert: "ca.pem"}, login: loginFlags{auth: "auto"},
			direct: directFlags{direct: true, dnsServer: "127.0.0.1:5353", tlsPolicy: "verify", mxPort: "2525", mtaSTSPort: "8443"}, noConfig: true,
		}, nil, func(r outbox.Route) bool { return r.Direct && r.Account == "" && r.Server == "" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := routeApp(c.env)
			req := c.req
			req.wantLogin = true
			queued, rt := queuedRoute(t, a, &req)
			if !c.route(rt) {
				t.Fatalf("route %+v", rt)
			}
			for _, s := range secrets {
				if strings.Contains(fmt.Sprintf("%+v", rt), s) {
					t.Fatalf("the route holds a secret: %+v", rt)
				}
			}
			// Resolved again by a runner with another environment:
			// POSTIE_SERVER there must not move the message; the secret
			// from the environment is read from the runner's.
			runnerEnv := map[string]string{"POSTIE_SERVER": "elsewhere.test:25", "POSTIE_PASSWORD": c.env["POSTIE_PASSWORD"]}
			later, err := routeApp(runnerEnv).routeSettings(rt, outputFlags{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := comparable(later), comparable(queued); !reflect.DeepEqual(got, want) {
				t.Fatalf("resolved again:\n%+v\n%+v\nqueued with:\n%+v\n%+v", got, got.Relay, want, want.Relay)
			}
		})
	}
}

// An account route reads the config file again: a new server applies to
// queued mail; an account that is gone fails the entry for good.
func TestAccountRouteFollowsTheConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	write := func(src string) { os.WriteFile(cfg, []byte(src), 0o600) }
	write("[accounts.work]\nfrom = \"me@work.test\"\nserver = \"old.test:587\"\npassword_file = \"/pw\"\nuser = \"me\"\n")
	a := routeApp(nil)
	req := request{server: serverFlags{tls: "auto"}, login: loginFlags{auth: "auto"}, account: accountFlags{account: "work", config: cfg}, wantLogin: true}
	_, rt := queuedRoute(t, a, &req)
	write("[accounts.work]\nfrom = \"me@work.test\"\nserver = \"new.test:465\"\npassword_cmd = \"pass work\"\nuser = \"me\"\n")
	later, err := a.routeSettings(rt, outputFlags{})
	if err != nil {
		t.Fatal(err)
	}
	if later.Relay.Addr != "new.test:465" || later.Relay.Login.Secret.Kind != SecretCmd {
		t.Fatalf("the config's change did not apply: %+v %+v", later.Relay, later.Relay.Login)
	}
	write("[accounts.home]\nfrom = \"me@home.test\"\nserver = \"home.test:587\"\n")
	_, err = a.routeSettings(rt, outputFlags{})
	if err == nil || !strings.Contains(err.Error(), `account "work" is no longer in`) {
		t.Fatalf("err = %v", err)
	}
	if v := fmt.Sprintf("%T", err); !strings.Contains(v, "permanent") {
		t.Fatalf("a vanished account should fail the entry for good, got %s", v)
	}
	write("[accounts.work\nbroken")
	if _, err := a.routeSettings(rt, outputFlags{}); err == nil || exitcode.For(err) != exitcode.Config || strings.Contains(fmt.Sprintf("%T", err), "permanent") {
		t.Fatalf("a config that does not load should defer (78 now), got %T %v", err, err)
	}
}

// The secret from POSTIE_PASSWORD is read from the runner's environment;
// without it the entry waits, and the error says which variable.
func TestEnvSecretMissingAtDelivery(t *testing.T) {
	a := routeApp(map[string]string{"POSTIE_PASSWORD": "env-secret"})
	req := request{server: serverFlags{server: "relay.test:587", tls: "auto"}, login: loginFlags{user: "bob", auth: "auto"}, noConfig: true, wantLogin: true}
	_, rt := queuedRoute(t, a, &req)
	_, err := routeApp(nil).routeSettings(rt, outputFlags{})
	if err == nil || !strings.Contains(err.Error(), "$POSTIE_PASSWORD is not set for this runner") {
		t.Fatalf("err = %v", err)
	}
	later, err := routeApp(map[string]string{"POSTIE_PASSWORD": "rotated"}).routeSettings(rt, outputFlags{})
	if err != nil || later.Relay.Login.Secret.Value != "rotated" || later.Relay.Login.Secret.Kind != SecretLiteral {
		t.Fatalf("%+v %v", later, err)
	}
}

// A secret that only a prompt could give is refused for the outbox (78).
func TestRouteRefusesATypedPassword(t *testing.T) {
	a := routeApp(nil)
	req := request{server: serverFlags{server: "relay.test:587", tls: "auto"}, login: loginFlags{user: "bob", auth: "auto"}, noConfig: true, wantLogin: true}
	st, err := a.resolve(&req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.routeFor(&req, st)
	var ts *typedSecretError
	if !errors.As(err, &ts) || exitcode.For(err) != exitcode.Config {
		t.Fatalf("err = %v", err)
	}
}

func TestRouteRequestRefusesWhatItCannotRead(t *testing.T) {
	for _, rt := range []outbox.Route{
		{Server: "x:25", Options: "frobnicate=1"},
		{Server: "x:25", Options: "timeout=soon"},
		{Server: "x:25", Secret: "keyring:work"},
		{Server: "x:25", Secret: "env:HOME"},
		{Account: "work", Options: "secret-env=PATH"},
		{Server: "x:25", Secret: "env:POSTIE_PASSWORD", Options: "secret-env=POSTIE_OAUTH2_TOKEN"},
		{Server: "x:25", Options: "server=elsewhere%3A25"},
		{Server: "x:25", Options: "%zz"},
	} {
		if _, _, err := routeRequest(rt); err == nil {
			t.Errorf("%+v accepted", rt)
		}
	}
}

// FuzzRouteRequest: any stored route either is refused or rebuilds a
// request in which every option it holds was taken (none silently
// dropped), and no secret variable other than postie's own is read.
func FuzzRouteRequest(f *testing.F) {
	f.Add("", "x:25", "starttls", "u", "file:/pw", false)
	f.Add("work", "", "", "", "", false)
	f.Add("", "", "", "", "", true)
	f.Add("", "h:1", "none", "", "env:POSTIE_PASSWORD", false)
	f.Fuzz(func(t *testing.T, account, server, tlsMode, user, secret string, direct bool) {
		for _, opts := range []string{"", "cacert=%2Fca&helo=me&timeout=5s", "config=%2Fc.toml&server=s%3A25&user=u&secret-env=POSTIE_OAUTH2_TOKEN", "dns-server=1.2.3.4%3A53&tls-policy=verify&mx-port=25", "password-file=%2Fpw&tls=none"} {
			rt := outbox.Route{Account: account, Server: server, TLS: tlsMode, User: user, Secret: secret, Direct: direct, Options: opts}
			req, env, err := routeRequest(rt)
			if err != nil {
				continue
			}
			if env != "" && env != "POSTIE_PASSWORD" && env != "POSTIE_OAUTH2_TOKEN" {
				t.Fatalf("%+v reads $%s", rt, env)
			}
			v, _ := url.ParseQuery(opts)
			got := fmt.Sprintf("%+v %+v %+v %+v %+v %s", req.server, req.login, req.account, req.direct, req.transfer, env)
			for k := range v {
				if val := v.Get(k); !strings.Contains(got, val) && !strings.Contains(got, strings.TrimSuffix(val, "s")) {
					t.Fatalf("option %s=%q dropped: %s", k, val, got)
				}
			}
			if !req.noEnv {
				t.Fatalf("a route is resolved with the environment")
			}
		}
	})
}
