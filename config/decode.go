package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the values one file may decode to, aliases expanded: a config is a few
// hundred values, and a few lines of nested aliases can otherwise stand for billions.
const maxNodes = 100_000

// decoder walks a YAML node tree and a Go value side by side. Unlike yaml.Node.Decode it
// knows the path of every field, so each problem (an unknown key, a value of the wrong type, an
// unset variable) is reported with its field, its line and a fix, and decoding goes on to find
// the rest.
type decoder struct {
	ps *problems
	x  *expander
	// vars records, per field, the environment variables its value referred to.
	vars map[string][]string
	// set records the fields the file gives a value (not those left to their defaults).
	set     map[string]bool
	visited int
	merging map[*yaml.Node]bool
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	byteSizeType = reflect.TypeFor[ByteSize]()
	topicType    = reflect.TypeFor[Topic]()
)

// value decodes n into v, the field at path field.
func (d *decoder) value(n *yaml.Node, v reflect.Value, field string) {
	n = d.resolve(n, field)
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // "key:" with nothing after it keeps the default
	}
	switch {
	case v.Type() == durationType || v.Type() == byteSizeType:
		d.scalar(n, v, field)
	case v.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.ps.addAt(n.Line, field, "%s", expectedMapping(v.Type(), n))
			return
		}
		d.structFields(n, v, field)
	case v.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.ps.addAt(n.Line, field, "expected a mapping of names to entries, got %s", describe(n))
			return
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		d.mapEntries(n, v, field)
	case v.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.ps.addAt(n.Line, field, "expected a list (- item lines, or [a, b]), got %s", describe(n))
			return
		}
		d.list(n, v, field)
	default:
		d.scalar(n, v, field)
	}
}

// resolve follows aliases and counts visited nodes; nil means stop.
func (d *decoder) resolve(n *yaml.Node, field string) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	d.visited++
	if d.visited == maxNodes+1 {
		d.ps.addAt(n.Line, field, "the file expands to more than %d values (through anchors and aliases): write it out plainly", maxNodes)
	}
	if d.visited > maxNodes {
		return nil
	}
	return n
}

type fieldInfo struct {
	name  string
	aka   []string
	index int
}

// fieldsOf lists the keys of a config struct: its yaml names and the other names people
// write for them (the aka tag), used to suggest the right key for a wrong one.
func fieldsOf(t reflect.Type) []fieldInfo {
	var fs []fieldInfo
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("yaml")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		var aka []string
		if a := f.Tag.Get("aka"); a != "" {
			aka = strings.Split(a, ",")
		}
		fs = append(fs, fieldInfo{name: name, aka: aka, index: i})
	}
	return fs
}

// structFields decodes a mapping into a struct, key by key.
func (d *decoder) structFields(n *yaml.Node, v reflect.Value, field string) {
	fields := fieldsOf(v.Type())
	d.mapping(n, field, func(key *yaml.Node, val *yaml.Node, path string) {
		for _, f := range fields {
			if f.name == key.Value {
				d.value(val, v.Field(f.index), path)
				return
			}
		}
		if field == "" && strings.HasPrefix(key.Value, "x-") {
			return // top-level x- keys hold anchors for the rest of the file
		}
		d.ps.addAt(key.Line, path, "%s", unknownKey(key.Value, field, fields))
	})
}

// mapEntries decodes a mapping into a map[string]T, each new entry starting from T's defaults.
func (d *decoder) mapEntries(n *yaml.Node, v reflect.Value, field string) {
	elem := v.Type().Elem()
	d.mapping(n, field, func(key *yaml.Node, val *yaml.Node, path string) {
		e := newElem(elem)
		if old := v.MapIndex(reflect.ValueOf(key.Value)); old.IsValid() {
			e.Set(old) // an entry merged in with << is overridden key by key
		}
		d.value(val, e, path)
		v.SetMapIndex(reflect.ValueOf(key.Value), e)
	})
}

// mapping calls each for every key of n (after the keys merged in with <<), with the key's
// path; it reports keys that are not plain scalars and keys written twice.
func (d *decoder) mapping(n *yaml.Node, field string, each func(key, val *yaml.Node, path string)) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if key := n.Content[i]; key.Kind == yaml.ScalarNode && key.ShortTag() == "!!merge" {
			d.merge(n.Content[i+1], field, each)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Kind == yaml.ScalarNode && key.ShortTag() == "!!merge" {
			continue
		}
		if key.Kind != yaml.ScalarNode {
			d.ps.addAt(key.Line, field, "a key must be a plain word, not %s", describe(key))
			continue
		}
		path := joinPath(field, key.Value)
		if line, dup := seen[key.Value]; dup {
			d.ps.addAt(key.Line, path, "written twice (also on line %d): keep one", line)
			continue
		}
		seen[key.Value] = key.Line
		d.ps.lines[path] = key.Line
		each(key, val, path)
	}
}

// merge applies a YAML merge key (<<: *anchor, or a list of anchors) to the mapping at field.
func (d *decoder) merge(n *yaml.Node, field string, each func(key, val *yaml.Node, path string)) {
	n = d.resolve(n, field)
	if n == nil {
		return
	}
	if d.merging[n] {
		d.ps.addAt(n.Line, field, "<< merges a mapping into itself")
		return
	}
	d.merging[n] = true
	defer delete(d.merging, n)
	switch n.Kind {
	case yaml.MappingNode:
		d.mapping(n, field, each)
	case yaml.SequenceNode:
		// Earlier mappings win over later ones: apply them last.
		for i := len(n.Content) - 1; i >= 0; i-- {
			if m := d.resolve(n.Content[i], field); m != nil && m.Kind == yaml.MappingNode {
				d.merging[m] = true
				d.mapping(m, field, each)
				delete(d.merging, m)
			} else if m != nil {
				d.ps.addAt(m.Line, field, "<< takes a mapping or a list of mappings, got %s", describe(m))
			}
		}
	default:
		d.ps.addAt(n.Line, field, "<< takes a mapping or a list of mappings, got %s", describe(n))
	}
}

// list decodes a sequence into a slice; each new item starts from its type's defaults.
func (d *decoder) list(n *yaml.Node, v reflect.Value, field string) {
	s := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, item := range n.Content {
		path := fmt.Sprintf("%s[%d]", field, i)
		d.ps.lines[path] = item.Line
		e := newElem(v.Type().Elem())
		d.value(item, e, path)
		s = reflect.Append(s, e)
	}
	v.Set(s)
}

// newElem returns a settable new value of t, with t's defaults when it has any.
func newElem(t reflect.Type) reflect.Value {
	p := reflect.New(t)
	if def, ok := p.Interface().(defaulter); ok {
		def.setDefaults()
	}
	return p.Elem()
}

// scalar decodes a single value: a string (with ${ENV} expanded), bool, int, duration or size.
func (d *decoder) scalar(n *yaml.Node, v reflect.Value, field string) {
	if n.Kind != yaml.ScalarNode {
		d.ps.addAt(n.Line, field, "expected a single value, got %s", describe(n))
		return
	}
	text := n.Value
	shown := quote(text)
	if n.ShortTag() == "!!str" {
		expanded, vars, err := d.x.expand(text)
		if len(vars) > 0 {
			d.vars[field] = append(d.vars[field], vars...)
			// The value came from the environment and may be secret: never echo it.
			shown = "the value of ${" + strings.Join(vars, "}, ${") + "}"
		}
		if err != nil {
			d.ps.addAt(n.Line, field, "%v", err)
			return
		}
		text = expanded
	}
	text = strings.TrimSpace(text)
	d.set[field] = true
	switch {
	case v.Type() == durationType:
		dur, err := ParseDuration(text)
		if err != nil {
			if _, numErr := strconv.ParseFloat(text, 64); numErr == nil {
				d.ps.addAt(n.Line, field, "%s has no unit: write a duration such as 90s, 10m, 6h or 7d", shown)
				return
			}
			d.ps.addAt(n.Line, field, "%s is not a duration: write one such as 90s, 10m, 6h or 7d", shown)
			return
		}
		v.SetInt(int64(dur))
	case v.Type() == byteSizeType:
		size, err := ParseByteSize(text)
		if err != nil {
			d.ps.addAt(n.Line, field, "%s is not a size: write one such as 512KB, 5MB or 1GB", shown)
			return
		}
		v.SetInt(int64(size))
	case v.Kind() == reflect.String:
		v.SetString(text)
	case v.Kind() == reflect.Bool:
		b, ok := parseBool(text)
		if !ok {
			d.ps.addAt(n.Line, field, "%s is not true or false", shown)
			return
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int:
		i, err := strconv.Atoi(text)
		if err != nil {
			d.ps.addAt(n.Line, field, "%s is not a whole number", shown)
			return
		}
		v.SetInt(int64(i))
	default:
		panic(fmt.Sprintf("config: no decoding for %s at %s", v.Type(), field)) // a programming error
	}
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off":
		return false, true
	}
	return false, false
}

// joinPath appends a key to a field path: "sources[0]" + "every" → "sources[0].every".
func joinPath(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

// describe names the kind of a node for "expected …, got …".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping (key: value)"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		// A long or token-like value may be a secret in the wrong place: do not echo it.
		if len(n.Value) > 40 || slackPrefix.MatchString(n.Value) {
			return "a single value"
		}
		return "the value " + quote(n.Value)
	}
	return "something else"
}

func expectedMapping(t reflect.Type, n *yaml.Node) string {
	if t == topicType {
		return fmt.Sprintf("expected a mapping with a query, got %s: write NAME: {query: 'words to search'}", describe(n))
	}
	return fmt.Sprintf("expected a mapping (key: value lines), got %s", describe(n))
}

// unknownKey explains a key that is not one of fields: the key meant, when it is a near
// miss or a known other name for it, else the keys that exist here.
func unknownKey(key, parent string, fields []fieldInfo) string {
	var candidates, owners []string
	for _, f := range fields {
		candidates = append(candidates, f.name)
		owners = append(owners, f.name)
		for _, a := range f.aka {
			candidates = append(candidates, a)
			owners = append(owners, f.name)
		}
	}
	if best, ok := closest(key, candidates); ok {
		for i, c := range candidates {
			if c == best {
				return fmt.Sprintf("unknown key — did you mean %q?", owners[i])
			}
		}
	}
	if where := keyHome(key); where != "" && where != sectionOf(parent) {
		return fmt.Sprintf("unknown key here — %s is a key of %s", key, where)
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	return "unknown key: the keys here are " + strings.Join(names, ", ")
}

// keyHome finds the section whose key is exactly key ("every" → "sources[]"), for a key
// written in the wrong place.
func keyHome(key string) string {
	var find func(t reflect.Type, at string) string
	find = func(t reflect.Type, at string) string {
		for _, f := range fieldsOf(t) {
			ft := t.Field(f.index).Type
			path := joinPath(at, f.name)
			if f.name == key {
				if at == "" {
					return "the top level"
				}
				return at
			}
			switch {
			case ft.Kind() == reflect.Struct && ft != durationType:
				if w := find(ft, path); w != "" {
					return w
				}
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				if w := find(ft.Elem(), path+"[]"); w != "" {
					return w
				}
			case ft.Kind() == reflect.Map:
				if w := find(ft.Elem(), path+".NAME"); w != "" {
					return w
				}
			}
		}
		return ""
	}
	return find(reflect.TypeFor[Config](), "")
}

// sectionOf turns a field path into the section name keyHome uses: "sources[3]" → "sources[]",
// "topics.korea" → "topics.NAME", "" → "the top level".
func sectionOf(field string) string {
	if field == "" {
		return "the top level"
	}
	if strings.HasSuffix(field, "]") {
		return field[:strings.LastIndexByte(field, '[')] + "[]"
	}
	if strings.HasPrefix(field, "topics.") {
		return "topics.NAME"
	}
	return field
}

// keys lists every key path of the schema: "store", "sources[].every", "topics.NAME.query".
func keys() []string {
	var out []string
	var walk func(t reflect.Type, at string)
	walk = func(t reflect.Type, at string) {
		for _, f := range fieldsOf(t) {
			ft := t.Field(f.index).Type
			path := joinPath(at, f.name)
			switch {
			case ft.Kind() == reflect.Struct:
				walk(ft, path)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				walk(ft.Elem(), path+"[]")
			case ft.Kind() == reflect.Map:
				walk(ft.Elem(), path+".NAME")
			default:
				out = append(out, path)
			}
		}
	}
	walk(reflect.TypeFor[Config](), "")
	return out
}
