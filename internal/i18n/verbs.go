package i18n

// Verb is one formatting directive of a printf format: the argument it
// consumes (0-based) and its verb letter. Width and precision given as *
// consume an argument too and are reported with Verb '*'.
type Verb struct {
	Arg  int
	Verb rune
}

// Verbs lists the directives of a printf format in the order fmt applies
// them, following explicit indexes (%[2]s). %% is not a directive.
func Verbs(format string) []Verb {
	out, _ := scan(format)
	return out
}

// scan is Verbs, also giving the rune index of each verb letter.
func scan(format string) (out []Verb, at []int) {
	arg := 0
	rs := []rune(format)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '%' {
			continue
		}
		i++
		if i >= len(rs) {
			break
		}
		if rs[i] == '%' {
			continue
		}
		// flags
		for i < len(rs) && (rs[i] == '+' || rs[i] == '-' || rs[i] == '#' || rs[i] == ' ' || rs[i] == '0') {
			i++
		}
		index := func() {
			if i < len(rs) && rs[i] == '[' {
				j := i + 1
				n := 0
				for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
					n = n*10 + int(rs[j]-'0')
					j++
				}
				if j < len(rs) && rs[j] == ']' && n > 0 {
					arg = n - 1
					i = j + 1
				}
			}
		}
		number := func() {
			index()
			if i < len(rs) && rs[i] == '*' {
				out = append(out, Verb{Arg: arg, Verb: '*'})
				at = append(at, i)
				arg++
				i++
				return
			}
			for i < len(rs) && rs[i] >= '0' && rs[i] <= '9' {
				i++
			}
		}
		number()                           // width
		if i+1 < len(rs) && rs[i] == '.' { // as fmt: a final '.' is a verb
			i++
			number() // precision
		}
		index()
		if i >= len(rs) {
			break
		}
		if rs[i] == '%' { // "%5%" is a literal percent, as in fmt
			continue
		}
		out = append(out, Verb{Arg: arg, Verb: rs[i]})
		at = append(at, i)
		arg++
	}
	return out, at
}

// noWrapVerb turns each %w (also %[2]w) into %v: x/text's printer formats
// errors with %v, and the catalogue is keyed the same way (see zhCatalog).
func noWrapVerb(s string) string {
	verbs, at := scan(s)
	rs := []rune(s)
	for i, v := range verbs {
		if v.Verb == 'w' {
			rs[at[i]] = 'v'
		}
	}
	return string(rs)
}
