package config

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Problem is one bad setting.
type Problem struct {
	Key     string // the context key, "environments.<name>.<key>" inside an environment
	Value   string // the value as written (JSON), cut to a readable length
	Reason  string // what is wrong with it
	Allowed string // what would be accepted
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: %s %s; allowed: %s", p.Key, p.Value, p.Reason, p.Allowed)
}

// Error lists every bad setting at once.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration (cdktf.json \"context\"): %d problem(s); nothing was synthesized:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	b.WriteString("\nFix these settings in cdktf.json \"context\" (see docs/configuration.md) and run again.")
	return b.String()
}

// validation collects the problems of one configuration: the settings as
// written (raw) and the keys the user set, for the messages.
type validation struct {
	prefix   string         // "" or "environments.<name>."
	cfg      Config         // the configuration being checked
	raw      map[string]any // the settings that apply, as written
	local    map[string]bool
	failed   map[string]bool // keys whose value did not decode: not checked further
	problems []Problem
}

// set says whether the user wrote the key (for the configuration at hand).
func (v *validation) set(key string) bool { _, ok := v.raw[key]; return ok }

// check reports reason for key unless ok (or the value did not even decode).
func (v *validation) check(key string, ok bool, reason string) {
	if !ok {
		v.bad(key, reason)
	}
}

func (v *validation) bad(key, reason string) {
	s, _ := settingFor(key)
	v.badAllowed(key, reason, s.Allowed)
}

func (v *validation) badAllowed(key, reason, allowed string) {
	if v.failed[key] {
		return
	}
	var value string
	if raw, ok := v.raw[key]; ok {
		value = echo(raw)
	} else if s, known := settingFor(key); known {
		value = echo(reflect.ValueOf(v.cfg).Field(s.index).Interface()) + " (the default)"
	}
	v.problems = append(v.problems, Problem{v.prefix + key, value, reason, allowed})
}

// echo is a value as it stands in cdktf.json, cut to a readable length.
func echo(raw any) string { return clip(render(raw), maxEchoLength) }

func noControlCharacters(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// maxEchoLength is how much of a value a message repeats.
const maxEchoLength = 80

// clip cuts s to at most n characters, marking the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
