package alarms

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Select is a Metrics Insights query of the one form the app writes, for
// its query alarms and for the estate dashboard's widgets:
//
//	SELECT FN("metric") FROM SCHEMA("namespace", Dim, …) [WHERE StreamName != 'x' AND …] GROUP BY Dim, … ORDER BY FN() DESC|ASC LIMIT n
//
// ("Metrics Insights query components and syntax", CloudWatch User Guide).
// Namespaces and metric names are written in double quotes and stream
// names in single quotes, each quote in them escaped with a backslash; a
// dimension name in double quotes only when it holds more than letters,
// digits and underscores ("What needs quotation marks or escape
// characters?").
type Select struct {
	// Function aggregates the observations of each period: AVG, COUNT,
	// MAX, MIN or SUM.
	Function          string
	Namespace, Metric string
	// Schema are the dimensions a series has, exactly (SCHEMA), and those
	// it is grouped by: one series per combination of their values.
	Schema []string
	// Exclude are the streams left out, each with StreamName != '…'.
	Exclude []string
	// Descending orders the series from the highest (DESC) or the lowest
	// (ASC) value of Function, before the first Limit are kept.
	Descending bool
	Limit      int
}

// String is the query's text.
func (s Select) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s(%s) FROM SCHEMA(%s", s.Function, identifier(s.Metric), identifier(s.Namespace))
	for _, d := range s.Schema {
		b.WriteString(", " + label(d))
	}
	b.WriteString(")")
	for i, name := range s.Exclude {
		if i == 0 {
			b.WriteString(" WHERE ")
		} else {
			b.WriteString(" AND ")
		}
		b.WriteString(label(ExcludeDimension) + " != " + value(name))
	}
	b.WriteString(" GROUP BY ")
	for i, d := range s.Schema {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(label(d))
	}
	order := "ASC"
	if s.Descending {
		order = "DESC"
	}
	fmt.Fprintf(&b, " ORDER BY %s() %s LIMIT %d", s.Function, order, s.Limit)
	return b.String()
}

var quoteEscaper = strings.NewReplacer(`"`, `\"`, `'`, `\'`)

// identifier is a namespace or metric name in double quotes.
func identifier(s string) string { return `"` + quoteEscaper.Replace(s) + `"` }

// label is a dimension name: as it is when it holds only letters, digits
// and underscores, in double quotes otherwise.
func label(s string) string {
	for _, r := range s {
		if !isBare(r) {
			return identifier(s)
		}
	}
	return s
}

func isBare(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// value is a dimension's value in single quotes.
func value(s string) string { return `'` + quoteEscaper.Replace(s) + `'` }

// parseSelect reads a query of the form String writes, keywords in any
// case, and refuses any other with the reason: another FROM, a WHERE that
// is not StreamName != '…' joined by AND, a GROUP BY that is not the
// schema's dimensions, no ORDER BY, an ORDER BY of another function, no
// LIMIT. Exclude comes back sorted, without repeats.
func parseSelect(text string) (Select, error) {
	p, err := lex(text)
	if err != nil {
		return Select{}, err
	}
	var s Select
	if !p.keyword("SELECT") {
		return s, fmt.Errorf("it does not start with SELECT: not a Metrics Insights query (metric math, or another expression)")
	}
	fn, ok := p.word()
	if !ok || !p.punct("(") {
		return s, fmt.Errorf("SELECT is not followed by FUNCTION(metric)")
	}
	s.Function = strings.ToUpper(fn)
	if s.Metric, ok = p.name(); !ok || !p.punct(")") {
		return s, fmt.Errorf("SELECT %s( is not followed by a metric name and )", s.Function)
	}
	if !p.keyword("FROM") {
		return s, fmt.Errorf("SELECT %s(%s) is not followed by FROM", s.Function, identifier(s.Metric))
	}
	if !p.keyword("SCHEMA") {
		return s, fmt.Errorf("it reads FROM a namespace, not FROM SCHEMA(namespace, dimensions…): it would match the metric's series of any dimensions")
	}
	if !p.punct("(") {
		return s, fmt.Errorf("SCHEMA is not followed by (")
	}
	if s.Namespace, ok = p.name(); !ok {
		return s, fmt.Errorf("SCHEMA( is not followed by a namespace")
	}
	for p.punct(",") {
		d, ok := p.name()
		if !ok {
			return s, fmt.Errorf("SCHEMA's list has a comma not followed by a dimension name")
		}
		s.Schema = append(s.Schema, d)
	}
	if !p.punct(")") {
		return s, fmt.Errorf("SCHEMA's list does not end with )")
	}
	if len(s.Schema) == 0 {
		return s, fmt.Errorf("SCHEMA names no dimension: it matches the metric's series without dimensions, not one per stream")
	}
	if p.keyword("WHERE") {
		for {
			d, ok := p.name()
			if !ok {
				return s, fmt.Errorf("its WHERE is not %s != '<stream>' joined by AND, the one filter the stack writes (it leaves streams out)", ExcludeDimension)
			}
			if !p.punct("!=") {
				return s, fmt.Errorf("its WHERE compares %s with %q: only != leaves streams out, the one filter the stack writes", label(d), p.peek())
			}
			if d != ExcludeDimension || !slices.Contains(s.Schema, d) {
				return s, fmt.Errorf("its WHERE filters on %s: only %s, a dimension of the SCHEMA, leaves streams out", label(d), ExcludeDimension)
			}
			v, ok := p.quoted('\'')
			if !ok {
				return s, fmt.Errorf("its WHERE compares %s with something other than a stream name in single quotes", d)
			}
			s.Exclude = append(s.Exclude, v)
			if !p.keyword("AND") {
				break
			}
		}
	}
	if !p.keyword("GROUP") || !p.keyword("BY") {
		return s, fmt.Errorf("it has no GROUP BY: it returns one series for the whole estate, not one per stream")
	}
	var groupBy []string
	for {
		d, ok := p.name()
		if !ok {
			return s, fmt.Errorf("GROUP BY is not followed by dimension names")
		}
		groupBy = append(groupBy, d)
		if !p.punct(",") {
			break
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(groupBy)), slices.Sorted(slices.Values(s.Schema))) {
		return s, fmt.Errorf("it groups by %s, not by the SCHEMA's dimensions %s: a contributor must be one series", strings.Join(groupBy, ", "), strings.Join(s.Schema, ", "))
	}
	if !p.keyword("ORDER") || !p.keyword("BY") {
		return s, fmt.Errorf("it has no ORDER BY: past %d series, which ones are evaluated is not said", QueryLimit)
	}
	fn, ok = p.word()
	if !ok || !p.punct("(") || !p.punct(")") {
		return s, fmt.Errorf("ORDER BY is not followed by FUNCTION()")
	}
	if !strings.EqualFold(fn, s.Function) {
		return s, fmt.Errorf("it orders by %s() but selects %s(): the series kept are not those of the highest or lowest values", strings.ToUpper(fn), s.Function)
	}
	switch {
	case p.keyword("DESC"):
		s.Descending = true
	case p.keyword("ASC"):
	default:
		return s, fmt.Errorf("its ORDER BY says neither DESC nor ASC")
	}
	if !p.keyword("LIMIT") {
		return s, fmt.Errorf("it has no LIMIT")
	}
	n, ok := p.word()
	if !ok {
		return s, fmt.Errorf("LIMIT is not followed by a number")
	}
	limit, err := strconv.Atoi(n)
	if err != nil || limit < 1 {
		return s, fmt.Errorf("LIMIT %s is not a whole number of series", n)
	}
	s.Limit = limit
	if !p.done() {
		return s, fmt.Errorf("it goes on after LIMIT %d: %s", limit, p.rest())
	}
	s.Exclude = slices.Compact(slices.Sorted(slices.Values(s.Exclude)))
	return s, nil
}

// token is one word, name in quotes or punctuation of a query.
type token struct {
	text  string
	quote rune // '"' or '\'' for a quoted name, its text unescaped; 0 otherwise
}

// tokens is a query cut into tokens, read from the front.
type tokens []token

// lex cuts a query into bare words (letters, digits, _ and .), quoted
// names (a backslash escapes the next character), the operators of two
// characters, and any other character alone. It fails only on a quote that
// is not closed.
func lex(text string) (*tokens, error) {
	var out tokens
	runes := []rune(text)
	for i := 0; i < len(runes); {
		r := runes[i]
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			i++
		case r == '(' || r == ')' || r == ',':
			out = append(out, token{text: string(r)})
			i++
		case i+1 < len(runes) && slices.Contains([]string{"!=", "<=", ">=", "<>"}, string(runes[i:i+2])):
			out = append(out, token{text: string(runes[i : i+2])})
			i += 2
		case r == '"' || r == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(runes) && runes[j] != r; j++ {
				if runes[j] == '\\' && j+1 < len(runes) {
					j++
				}
				b.WriteRune(runes[j])
			}
			if j == len(runes) {
				return nil, fmt.Errorf("a quote %c is not closed", r)
			}
			out = append(out, token{text: b.String(), quote: r})
			i = j + 1
		case isBare(r) || r == '.':
			j := i
			for j < len(runes) && (isBare(runes[j]) || runes[j] == '.') {
				j++
			}
			out = append(out, token{text: string(runes[i:j])})
			i = j
		default:
			// An operator or a sign the parser finds where it is not
			// expected, and names.
			out = append(out, token{text: string(r)})
			i++
		}
	}
	return &out, nil
}

func (t *tokens) next() (token, bool) {
	if len(*t) == 0 {
		return token{}, false
	}
	tok := (*t)[0]
	*t = (*t)[1:]
	return tok, true
}

// take says whether the next token satisfies ok, and takes it if so.
func (t *tokens) take(ok func(token) bool) (token, bool) {
	if len(*t) == 0 || !ok((*t)[0]) {
		return token{}, false
	}
	return t.next()
}

// keyword takes the bare word k, in any case.
func (t *tokens) keyword(k string) bool {
	_, ok := t.take(func(tok token) bool { return tok.quote == 0 && strings.EqualFold(tok.text, k) })
	return ok
}

// punct takes the punctuation p.
func (t *tokens) punct(p string) bool {
	_, ok := t.take(func(tok token) bool { return tok.quote == 0 && tok.text == p })
	return ok
}

// word takes a bare word.
func (t *tokens) word() (string, bool) {
	tok, ok := t.take(func(tok token) bool {
		return tok.quote == 0 && tok.text != "" && (isBare([]rune(tok.text)[0]) || tok.text[0] == '.')
	})
	return tok.text, ok
}

// name takes a name: a bare word or one in double quotes.
func (t *tokens) name() (string, bool) {
	if tok, ok := t.take(func(tok token) bool { return tok.quote == '"' }); ok {
		return tok.text, true
	}
	return t.word()
}

// quoted takes a name in the quote q.
func (t *tokens) quoted(q rune) (string, bool) {
	tok, ok := t.take(func(tok token) bool { return tok.quote == q })
	return tok.text, ok
}

// peek is the next token's text, or "" at the end.
func (t *tokens) peek() string {
	if len(*t) == 0 {
		return ""
	}
	return (*t)[0].text
}

func (t *tokens) done() bool { return len(*t) == 0 }

// rest is what is left, as words.
func (t *tokens) rest() string {
	var words []string
	for _, tok := range *t {
		words = append(words, tok.text)
	}
	return strings.Join(words, " ")
}
