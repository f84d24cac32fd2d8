package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

// WritePrivate replaces path with a new file holding data, mode 0600.
// The new file is created with O_CREATE|O_EXCL under a random name in
// path's own directory, so nothing that was there before (a file someone
// else created, a symlink to elsewhere) is written through or keeps its
// mode; it is synced, renamed over path, and the directory is synced, so
// a crash leaves either the old file or the new one. The result is
// checked: a regular file of mode 0600 owned by this user.
func WritePrivate(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// os.CreateTemp opens O_RDWR|O_CREATE|O_EXCL, mode 0600, with a random
	// name: O_EXCL fails on any existing name, symlinks included.
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".new-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil { // a umask cannot have widened it; make it exact
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return checkPrivateFile(path)
}

// checkPrivateFile reports whether path (not followed if a symlink) is a
// regular file of mode 0600 owned by the running user.
func checkPrivateFile(path string) error {
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file after writing it", path)
	}
	if st.Mode().Perm() != 0o600 {
		return fmt.Errorf("%s: mode %04o after writing it, want 0600", path, st.Mode().Perm())
	}
	if uid, ok := ownerOf(st); ok && uid != os.Getuid() {
		return fmt.Errorf("%s: owned by uid %d after writing it", path, uid)
	}
	return nil
}

// ValidAccountName reports whether name can be an account's name: a TOML
// bare key (letters, digits, '_' and '-').
func ValidAccountName(name string) error {
	ok := name != ""
	for _, r := range name {
		ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}
	if !ok {
		return fmt.Errorf("account name %q: use letters, digits, '_' and '-'", name)
	}
	return nil
}

// AppendAccount adds the table [accounts.NAME] at the end of the file at
// path, leaving everything already there (comments, order, layout) as it
// was; when def is set and the file names no default, a `default = "DEF"`
// line is put first. The file is written with
// WritePrivate. The result is parsed again before it is written and must
// hold the account exactly as given.
func AppendAccount(path, name string, a Account, def string) error {
	if err := ValidAccountName(name); err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var before File
	if _, err := toml.Decode(string(old), &before); err != nil {
		return &Error{Path: path, Err: describeTOMLError(err)}
	}
	if _, ok := before.Accounts[name]; ok {
		return &Error{Path: path, Err: fmt.Errorf("account %q already exists", name)}
	}
	var table bytes.Buffer
	if err := toml.NewEncoder(&table).Encode(a); err != nil {
		return err
	}
	var out bytes.Buffer
	if def != "" && before.Default == "" {
		fmt.Fprintf(&out, "default = %q\n", def)
		if len(old) > 0 {
			out.WriteString("\n")
		}
	}
	out.Write(old)
	if len(old) > 0 {
		if !bytes.HasSuffix(old, []byte("\n")) {
			out.WriteString("\n")
		}
		out.WriteString("\n")
	}
	fmt.Fprintf(&out, "[accounts.%s]\n", name)
	out.Write(table.Bytes())

	var after File
	md, err := toml.Decode(out.String(), &after)
	if err != nil || len(md.Undecoded()) > 0 || !reflect.DeepEqual(after.Accounts[name], a) {
		return &Error{Path: path, Err: fmt.Errorf("adding account %q would not read back as written (%v); add it by hand", name, err)}
	}
	return WritePrivate(path, out.Bytes())
}

// lineOf returns the 1-based line where key is set inside the table
// [accounts.NAME] (or at the top level when account is ""), or 0.
// It serves error messages, so it reads the common layout only.
func lineOf(src, account, key string) int {
	table := ""
	for i, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") {
			table = strings.Trim(strings.TrimSpace(strings.SplitN(t, "#", 2)[0]), "[]")
			table = strings.ReplaceAll(table, " ", "")
			table = strings.ReplaceAll(table, `"`, "")
			continue
		}
		k, _, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.Trim(strings.TrimSpace(k), `"`)
		want := ""
		if account != "" {
			want = "accounts." + account
		}
		if k == key && table == want || account != "" && table == "" && k == "accounts."+account+"."+key {
			return i + 1
		}
	}
	return 0
}

// RemoveAccount deletes the table [accounts.NAME] from the file at path,
// leaving the rest of the text as it was (comments just above the next
// table stay with it). When the account is the default, the default line
// goes too. The result is parsed again and must hold every other account
// unchanged, or nothing is written.
func RemoveAccount(path, name string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	before, err := Parse(path, string(old))
	if err != nil {
		return err
	}
	if _, ok := before.Accounts[name]; !ok {
		return &Error{Path: path, Err: fmt.Errorf("no account %q", name)}
	}
	lines := strings.SplitAfter(string(old), "\n")
	header := func(l string) string {
		t := strings.TrimSpace(strings.SplitN(l, "#", 2)[0])
		if !strings.HasPrefix(t, "[") {
			return ""
		}
		return strings.NewReplacer(" ", "", "\t", "", `"`, "", "'", "").Replace(strings.Trim(t, "[]"))
	}
	start := -1
	for i, l := range lines {
		if header(l) == "accounts."+name {
			start = i
			break
		}
	}
	var out []string
	if start >= 0 {
		end := len(lines)
		for i := start + 1; i < len(lines); i++ {
			if header(lines[i]) != "" {
				end = i
				break
			}
		}
		for end > start+1 && end < len(lines) {
			t := strings.TrimSpace(lines[end-1])
			if t != "" && !strings.HasPrefix(t, "#") {
				break
			}
			end--
		}
		out = append(append(out, lines[:start]...), lines[end:]...)
	}
	if before.Default == name {
		l := lineOf(string(old), "", "default")
		kept := out[:0:0]
		for i, s := range out {
			if !(l > 0 && i == l-1 && l-1 < start) {
				kept = append(kept, s)
			}
		}
		out = kept
	}
	text := strings.Join(out, "")
	after, err := Parse(path, text)
	if start < 0 || err != nil || len(after.Accounts) != len(before.Accounts)-1 || after.Default != "" && before.Default == name {
		return &Error{Path: path, Err: fmt.Errorf("account %q is not written as a plain [accounts.%s] table; remove it by hand", name, name)}
	}
	for n, a := range after.Accounts {
		if !reflect.DeepEqual(a, before.Accounts[n]) {
			return &Error{Path: path, Err: fmt.Errorf("removing account %q would change account %q; remove it by hand", name, n)}
		}
	}
	return WritePrivate(path, []byte(text))
}
