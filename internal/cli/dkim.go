package cli

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/postie/postie/config"
	"github.com/postie/postie/dkim"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/message"
	"github.com/postie/postie/smtp"
)

// dkimFlags choose the DKIM signing key; the account's dkim_* keys
// apply when they are not given.
type dkimFlags struct{ key, selector, domain string }

func (f *dkimFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.key, "dkim-key", "", i18n.T("sign with DKIM using this private key file (mode 0600; see 'postie dkim keygen')"))
	fs.StringVar(&f.selector, "dkim-selector", "", i18n.T("the DKIM selector: the key is published at SELECTOR._domainkey.DOMAIN"))
	fs.StringVar(&f.domain, "dkim-domain", "", i18n.T("sign for this domain (default: the From domain), even if it is not the From domain"))
}

// dkimSigner resolves the DKIM settings (flags, then the account) for a
// message from from. nil without a key. A bad key, a missing selector or
// a signing domain that does not cover From is a configuration error.
func dkimSigner(f dkimFlags, acct *config.Account, from, home string) (*dkim.Signer, error) {
	if acct == nil {
		acct = &config.Account{}
	}
	keyPath, selector, domain := first(f.key, acct.DKIMKey), first(f.selector, acct.DKIMSelector), first(f.domain, acct.DKIMDomain)
	if keyPath == "" {
		if f.selector != "" || f.domain != "" {
			return nil, exitcode.With(exitcode.Usage, i18n.Errorf("--dkim-selector and --dkim-domain need --dkim-key"), "")
		}
		return nil, nil
	}
	if selector == "" {
		return nil, exitcode.With(exitcode.Config, i18n.Errorf("a DKIM key without a selector"), i18n.T("give --dkim-selector (or dkim_selector in the account): the name the key is published under"))
	}
	from = bareAddress(from)
	if domain == "" {
		if f.key == "" && acct.From != "" {
			from := bareAddress(acct.From)
			domain = from[strings.LastIndexByte(from, '@')+1:] // the account's key belongs to the account's domain
		} else {
			domain = from[strings.LastIndexByte(from, '@')+1:]
		}
	}
	key, err := dkim.LoadKey(config.ExpandHome(keyPath, home))
	if err != nil {
		return nil, exitcode.With(exitcode.Config, err, "")
	}
	s, err := dkim.New(key, domain, selector)
	if err != nil {
		return nil, exitcode.With(exitcode.Config, err, "")
	}
	// An explicit --dkim-domain is the user's decision (a provider
	// signing for its customers); otherwise a signature for another
	// domain than From would not count for the author (DMARC).
	if f.domain == "" {
		if err := s.CheckAligned(from); err != nil {
			return nil, exitcode.With(exitcode.Config, err, i18n.Sprintf("sign with the From domain's key, or give --dkim-domain to sign for %s anyway", s.Domain))
		}
	}
	return s, nil
}

// signedBody reads the message once to compute its DKIM signature and
// returns a body that sends the signature in front of the same bytes,
// and the size to declare. body must give identical bytes on every open.
func signedBody(s *dkim.Signer, body smtp.Body, size int64) (smtp.Body, int64, error) {
	r, err := body()
	if err != nil {
		return nil, 0, err
	}
	sig, err := s.Signature(r)
	r.Close()
	if err != nil {
		return nil, 0, exitcode.With(exitcode.DataErr, err, "")
	}
	return func() (io.ReadCloser, error) {
		rc, err := body()
		if err != nil {
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{io.MultiReader(strings.NewReader(sig), rc), rc}, nil
	}, size + int64(len(sig)), nil
}

// fixBoundaries makes the composer write the same MIME boundaries on
// every pass, so that the bytes signed are the bytes sent.
func fixBoundaries(m *message.Message) {
	if m.Boundary != nil {
		return
	}
	b := make([]byte, 12)
	rand.Read(b)
	tag := hex.EncodeToString(b)
	m.Boundary = func(depth int) string { return fmt.Sprintf("postie-%d-%s", depth, tag) }
}

func (a *App) dkimCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "dkim", Short: i18n.T("DKIM signing keys: make one and print the DNS record to publish"), Args: unknownCommand}
	var selector, domain, kind, out string
	var bits int
	keygen := &cobra.Command{
		Use:   "keygen --selector S --domain D --out FILE",
		Short: i18n.T("Make a DKIM key (written 0600 to FILE) and print the TXT record to publish in DNS"),
		Example: `  postie dkim keygen --selector mail2026 --domain example.org --out ~/.config/postie/example.org.dkim
  postie dkim keygen --type ed25519 --selector ed2026 --domain example.org --out ed.key`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			if selector == "" || domain == "" || out == "" {
				return usageErr(i18n.Errorf("dkim keygen needs --selector, --domain and --out"))
			}
			key, err := dkim.GenerateKey(kind, bits)
			if err != nil {
				return usageErr(err)
			}
			s, err := dkim.New(key, domain, selector)
			if err != nil {
				return usageErr(err)
			}
			pemBytes, err := dkim.MarshalKey(key)
			if err != nil {
				return err
			}
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return exitcode.With(exitcode.CantCreat, i18n.Errorf("--out: %w", err), i18n.T("the key file must not exist yet; postie never overwrites a key"))
			}
			_, werr := f.Write(pemBytes)
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				os.Remove(out)
				return exitcode.With(exitcode.IOErr, werr, "")
			}
			rec, err := dkim.DNSRecord(s.Selector, s.Domain, key.Public())
			if err != nil {
				return err
			}
			i18n.Fprintf(a.Stderr, "postie: wrote the %s private key to %s (mode 0600); publish this record, then sign with:\n", dkim.Algorithm(key), out)
			fmt.Fprintf(a.Stderr, "postie:   --dkim-key %s --dkim-selector %s\n", out, s.Selector)
			fmt.Fprintln(a.Stdout, rec)
			return nil
		},
	}
	fs := keygen.Flags()
	fs.StringVar(&selector, "selector", "", i18n.T("selector: the key's name under _domainkey (e.g. mail2026)"))
	fs.StringVar(&domain, "domain", "", i18n.T("the signing domain (your From domain)"))
	fs.StringVar(&kind, "type", "rsa", i18n.T("key type: rsa|ed25519 (ed25519 is not verified everywhere yet)"))
	fs.IntVar(&bits, "bits", 2048, i18n.T("RSA key size"))
	fs.StringVar(&out, "out", "", i18n.T("write the private key to this new file"))
	cmd.AddCommand(keygen)
	return cmd
}
