package bot

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/config"
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
	var cands []suggestion
	for _, t := range topics {
		name := strings.ToLower(t.Name)
		d := config.EditDistance(want, name)
		for _, w := range strings.Fields(want) {
			d = min(d, config.EditDistance(w, name))
		}
		if strings.Contains(want, name) || strings.Contains(name, want) {
			d = min(d, 1)
		}
		if d <= maxTypos(name) {
			cands = append(cands, suggestion{t.Name, d})
		}
	}
	return closestSuggestions(cands)
}

// suggestion is a name that may be suggested, at an edit distance from what was typed.
type suggestion struct {
	name string
	dist int
}

// closestSuggestions returns the names of the suggestions at the least distance, at most
// three, in name order.
func closestSuggestions(cands []suggestion) []string {
	slices.SortStableFunc(cands, func(a, b suggestion) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), strings.Compare(a.name, b.name))
	})
	var names []string
	for _, c := range cands {
		if len(names) == 3 || c.dist > cands[0].dist {
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

// maxTypos is how many edits a word of this length may be off and still be suggested: as many
// as the config's suggestions allow (config.MaxTypos), but at most 3 however long the word.
func maxTypos(s string) int { return min(config.MaxTypos(s), 3) }

func sortedTopics(topics []store.Topic) []store.Topic {
	out := slices.Clone(topics)
	slices.SortStableFunc(out, func(a, b store.Topic) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out
}
