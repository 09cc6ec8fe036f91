package bot

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefing/store"
)

// HelpText is the answer to /brief help, generated from CommandSpecs. On "discord" the commands
// are written as subcommands with their options; elsewhere in the text form. With a command
// name it explains that command alone.
func HelpText(platform, command string) string {
	specs := CommandSpecs()
	if command != "" {
		for _, c := range specs {
			if c.Name == command || (command == "brief" && c.Name == CommandNow) {
				return commandHelp(platform, c)
			}
		}
	}
	var b strings.Builder
	b.WriteString("briefbot sends key-quote news briefings. Commands:")
	for _, c := range specs {
		fmt.Fprintf(&b, "\n• `%s` — %s", usageFor(platform, c), c.Description)
	}
	b.WriteString("\nExamples: ")
	var ex []string
	for _, c := range specs {
		if len(c.Examples) > 0 {
			ex = append(ex, "`"+exampleFor(platform, c, c.Examples[0])+"`")
		}
	}
	b.WriteString(strings.Join(ex, ", "))
	b.WriteString(".\nWindows: 90m, 24h, 3d, 1w (default 24h). Schedules: HH:MM, a 5-field cron spec " +
		"(`0 8 * * 1-5`) or @daily, in an IANA time zone (Asia/Seoul). " +
		"A word that is not a topic is searched as it is.")
	if platform != "discord" {
		b.WriteString(" `/brief help subscribe` explains one command.")
	}
	return b.String()
}

func commandHelp(platform string, c CommandSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "`%s` — %s", usageFor(platform, c), c.Description)
	for _, o := range c.Options {
		req := "optional"
		if o.Required {
			req = "required"
		}
		fmt.Fprintf(&b, "\n• %s (%s): %s", o.Name, req, o.Description)
	}
	if len(c.Examples) > 0 {
		ex := make([]string, len(c.Examples))
		for i, e := range c.Examples {
			ex[i] = "`" + exampleFor(platform, c, e) + "`"
		}
		b.WriteString("\nExamples: " + strings.Join(ex, ", ") + ".")
	}
	return b.String()
}

// usageFor writes a command's usage: the text form, or on Discord the subcommand with options.
func usageFor(platform string, c CommandSpec) string {
	if platform != "discord" {
		return c.Usage
	}
	parts := []string{"/brief", c.Name}
	for _, o := range c.Options {
		if o.Required {
			parts = append(parts, o.Name+":…")
		} else {
			parts = append(parts, "["+o.Name+":…]")
		}
	}
	return strings.Join(parts, " ")
}

// exampleFor rewrites a text-form example for Discord's typed options.
func exampleFor(platform string, c CommandSpec, example string) string {
	if platform != "discord" {
		return example
	}
	req, err := ParseText(strings.TrimSpace(strings.TrimPrefix(example, "/brief")))
	if err != nil {
		return example
	}
	parts := []string{"/brief", c.Name}
	for _, o := range c.Options {
		v := map[string]string{"topic": req.Topic, "window": req.Window, "schedule": req.Schedule, "timezone": req.Timezone}[o.Name]
		if v != "" {
			parts = append(parts, o.Name+":"+v)
		}
	}
	return strings.Join(parts, " ")
}

// suggestTopics is a sentence suggesting the topics closest to text ("Did you mean `korea`?"),
// or naming all topics when none is close.
func suggestTopics(topics []store.Topic, text string) string {
	if close := ClosestTopics(topics, text); len(close) > 0 {
		names := make([]string, len(close))
		for i, n := range close {
			names[i] = "`" + codeSafe(n) + "`"
		}
		return "Did you mean " + orList(names)
	}
	return topicList(topics)
}

// ClosestTopics returns the names of the topics closest to text — a few typing mistakes away
// from it or from one of its words, or containing it — at most three, closest first; none when
// no topic is close.
func ClosestTopics(topics []store.Topic, text string) []string {
	want := strings.ToLower(strings.TrimSpace(unquote(text)))
	if want == "" {
		return nil
	}
	type cand struct {
		name string
		d    int
	}
	var cands []cand
	for _, t := range topics {
		name := strings.ToLower(t.Name)
		d := editDistance(want, name)
		for _, w := range strings.Fields(want) {
			d = min(d, editDistance(w, name))
		}
		if strings.Contains(want, name) || strings.Contains(name, want) {
			d = min(d, 1)
		}
		if d <= maxTypos(name) {
			cands = append(cands, cand{t.Name, d})
		}
	}
	sortBy(cands, func(a, b cand) bool { return a.d < b.d || (a.d == b.d && a.name < b.name) })
	var names []string
	for _, c := range cands {
		if len(names) == 3 || c.d > cands[0].d {
			break // only the closest
		}
		names = append(names, c.name)
	}
	return names
}

// orList writes "a", "a or b", "a, b or c", ending with a question mark.
func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0] + "?"
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1] + "?"
}

// maxTypos is how many edits a word of this length may be off and still be suggested.
func maxTypos(s string) int {
	n := utf8.RuneCountInString(s)
	switch {
	case n <= 3:
		return 1
	case n <= 8:
		return 2
	}
	return 3
}

// editDistance is the Damerau–Levenshtein (optimal string alignment) distance between a and b in
// runes: insertions, deletions, substitutions and swaps of neighbours count one each.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 {
		return len(rb)
	}
	if len(rb) == 0 {
		return len(ra)
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func sortBy[T any](s []T, less func(a, b T) bool) {
	sort.SliceStable(s, func(i, j int) bool { return less(s[i], s[j]) })
}

func sortedTopics(topics []store.Topic) []store.Topic {
	out := append([]store.Topic(nil), topics...)
	sortBy(out, func(a, b store.Topic) bool { return strings.ToLower(a.Name) < strings.ToLower(b.Name) })
	return out
}
