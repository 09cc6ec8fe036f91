package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrInvalid is wrapped by every error Load and Parse return for a configuration that cannot
// be used (bad YAML, unknown keys, bad values). Errors reading the file are not ErrInvalid.
var ErrInvalid = errors.New("invalid configuration")

// Problem is one thing wrong with a configuration.
type Problem struct {
	// Field is the path of the key: "channels[2].timezone", "topics.korea.query"; "" for the
	// file as a whole (a YAML syntax error).
	Field string
	// Line is the line of the file the problem is on (1-based); 0 when unknown.
	Line int
	// Message says what is wrong and how to fix it. It never holds a secret.
	Message string
}

// String returns "field: message", the problem without its position.
func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}

// Error lists every problem of a configuration. errors.Is(err, ErrInvalid) holds for it.
type Error struct {
	// File is the path of the config file; "" when the configuration came from Parse.
	File     string
	Problems []Problem
}

// Lines returns one line per problem, each led by its position: "briefbot.yaml:14: field:
// message" (or "line 14: …" without a file name).
func (e *Error) Lines() []string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = e.position(p) + p.String()
	}
	return lines
}

// Count says how many problems there are: "1 problem", "3 problems".
func (e *Error) Count() string {
	if len(e.Problems) == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", len(e.Problems))
}

func (e *Error) position(p Problem) string {
	switch {
	case p.Line > 0 && e.File != "":
		return fmt.Sprintf("%s:%d: ", e.File, p.Line)
	case p.Line > 0:
		return fmt.Sprintf("line %d: ", p.Line)
	case e.File != "":
		return e.File + ": "
	}
	return ""
}

// Error returns the problem on one line when there is one, else a count followed by one
// problem per line.
func (e *Error) Error() string {
	lines := e.Lines()
	if len(lines) == 1 {
		return "config: " + lines[0]
	}
	head := "config: "
	if e.File != "" {
		head += e.File + ": "
	}
	return fmt.Sprintf("%s%d problems:\n  %s", head, len(lines), strings.Join(lines, "\n  "))
}

func (e *Error) Is(target error) bool { return target == ErrInvalid }

// problems collects Problems with the line of each field the decoder saw.
type problems struct {
	list []Problem
	// lines maps a field path to the line of its key (or of its value for list items).
	lines map[string]int
	// fields holds the fields that have a problem.
	fields map[string]bool
}

func newProblems() *problems {
	return &problems{lines: map[string]int{}, fields: map[string]bool{}}
}

func (ps *problems) add(p Problem) {
	ps.list = append(ps.list, p)
	ps.fields[p.Field] = true
}

// addf records a problem at field, placing it on the line of the field or of its nearest
// parent the file mentions.
func (ps *problems) addf(field, format string, args ...any) {
	ps.add(Problem{Field: field, Line: ps.lineOf(field), Message: fmt.Sprintf(format, args...)})
}

// addAt records a problem on a known line.
func (ps *problems) addAt(line int, field, format string, args ...any) {
	ps.add(Problem{Field: field, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) lineOf(field string) int {
	for field != "" {
		if line, ok := ps.lines[field]; ok {
			return line
		}
		field = parentPath(field)
	}
	return 0
}

// parentPath strips the last step of a field path: "a.b[2]" → "a.b", "a.b" → "a".
func parentPath(field string) string {
	i := strings.LastIndexAny(field, ".[")
	if i < 0 {
		return ""
	}
	return field[:i]
}

// sorted returns the problems in file order; problems without a line (keys the file does not
// mention) come last, in the order found.
func (ps *problems) sorted() []Problem {
	out := append([]Problem(nil), ps.list...)
	sort.SliceStable(out, func(i, j int) bool {
		li, lj := out[i].Line, out[j].Line
		if li == 0 || lj == 0 {
			return li != 0 && lj == 0
		}
		return li < lj
	})
	return out
}

// quote formats a user's value for a message: Go-quoted, and cut short when long.
func quote(s string) string {
	const max = 60
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// oneOf formats the allowed values of an enumeration: "socket, http".
func oneOf(values ...string) string { return strings.Join(values, ", ") }

func sortStrings(s []string) { sort.Strings(s) }
