package cli

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

var (
	configType   = reflect.TypeFor[Config]()
	durationType = reflect.TypeFor[time.Duration]()
)

// checkYAML checks a decoded YAML document against the Go type it will be
// decoded into, before decoding: every key must be a setting (an unknown
// one is refused naming the nearest valid key), integers must be written
// as integers (the YAML library would truncate 1.5 to 1), durations must
// have a unit (it would read 30 as 30 nanoseconds), and each value must
// have the right shape. path is the key of n, for messages.
func checkYAML(n *yaml.Node, t reflect.Type, path string) error {
	for n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil // an empty value keeps the default
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		return checkDuration(n, path)
	case t.Kind() == reflect.Struct:
		return checkMapping(n, t, path)
	case t.Kind() == reflect.Map:
		return checkMap(n, t, path)
	case t.Kind() == reflect.Slice:
		return checkSequence(n, t, path)
	}
	return checkScalar(n, t, path)
}

func checkMapping(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind != yaml.MappingNode {
		return shapeError(n, path, "a section of settings (key: value lines)")
	}
	fields := yamlFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		ft, ok := fields[key]
		if !ok {
			return unknownKey(n.Content[i], join(path, key), fields)
		}
		if err := checkYAML(n.Content[i+1], ft, join(path, key)); err != nil {
			return err
		}
	}
	return nil
}

func checkMap(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind != yaml.MappingNode {
		return shapeError(n, path, "a mapping of names to settings")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if err := checkYAML(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value)); err != nil {
			return err
		}
	}
	return nil
}

func checkSequence(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind != yaml.SequenceNode {
		return shapeError(n, path, "a list")
	}
	for i, c := range n.Content {
		if err := checkYAML(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	return nil
}

func checkScalar(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind != yaml.ScalarNode {
		return shapeError(n, path, "a single value")
	}
	tag := n.ShortTag()
	var ok bool
	want := ""
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		ok, want = tag == "!!int", "a whole number"
	case reflect.Float32, reflect.Float64:
		ok, want = tag == "!!int" || tag == "!!float", "a number"
	case reflect.Bool:
		ok, want = tag == "!!bool", "true or false"
	default:
		ok = true
	}
	if !ok {
		return fmt.Errorf("line %d: %s: want %s, got %q", n.Line, path, want, n.Value)
	}
	return nil
}

func checkDuration(n *yaml.Node, path string) error {
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!str" || n.Value == "0") {
		if _, err := time.ParseDuration(n.Value); err == nil {
			return nil
		}
	}
	return fmt.Errorf("line %d: %s: want a duration with a unit, such as 30s, 5m or 1h, got %q", n.Line, path, n.Value)
}

func shapeError(n *yaml.Node, path, want string) error {
	if path == "" {
		return fmt.Errorf("line %d: want settings as key: value lines, got %s", n.Line, nodeKind(n))
	}
	return fmt.Errorf("line %d: %s: want %s, got %s", n.Line, path, want, nodeKind(n))
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// unknownKey refuses a key, naming the nearest valid key of its section.
func unknownKey(k *yaml.Node, path string, fields map[string]reflect.Type) error {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	msg := fmt.Sprintf("line %d: unknown setting %s", k.Line, path)
	if near := nearest(k.Value, names); near != "" {
		return fmt.Errorf("%s (did you mean %s?)", msg, join(parentOf(path), near))
	}
	return fmt.Errorf("%s (valid here: %s)", msg, strings.Join(names, ", "))
}

// yamlFields maps the YAML keys of a struct to their types, following
// inline fields.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func parentOf(path string) string {
	if i := strings.LastIndex(path, "."); i >= 0 {
		return path[:i]
	}
	return ""
}

// nearest returns the candidate closest to s by edit distance, when it is
// close enough to be a likely typo; "" otherwise.
func nearest(s string, candidates []string) string {
	best, bestD := "", len(s)/2+2
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
