package deploy

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// template is a parsed CloudFormation template with the short intrinsic
// tags (!Ref, !Sub, !GetAtt ...) turned into their long forms, so that
// "!Ref X" and "Ref: X" read the same.
type template struct {
	Parameters map[string]any
	Conditions map[string]any
	Rules      map[string]any
	Mappings   map[string]any
	Resources  map[string]resource
	Outputs    map[string]any
}

type resource struct {
	Type                string
	Condition           string
	DeletionPolicy      string
	UpdateReplacePolicy string
	Properties          map[string]any
}

// MustParse reads and parses a template file.
func MustParse(tb testing.TB, path string) *template {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	t, err := parse(data)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return t
}

func parse(data []byte) (*template, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	v, err := convert(&root)
	if err != nil {
		return nil, err
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("template is not a mapping")
	}
	t := &template{Parameters: mapOf(doc["Parameters"]), Conditions: mapOf(doc["Conditions"]),
		Rules: mapOf(doc["Rules"]), Mappings: mapOf(doc["Mappings"]),
		Outputs: mapOf(doc["Outputs"]), Resources: map[string]resource{}}
	for name, r := range mapOf(doc["Resources"]) {
		rm := mapOf(r)
		typ, _ := rm["Type"].(string)
		cond, _ := rm["Condition"].(string)
		del, _ := rm["DeletionPolicy"].(string)
		repl, _ := rm["UpdateReplacePolicy"].(string)
		t.Resources[name] = resource{Type: typ, Condition: cond, DeletionPolicy: del, UpdateReplacePolicy: repl,
			Properties: mapOf(rm["Properties"])}
	}
	return t, nil
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// convert turns a YAML node into maps, slices and scalars, expanding the
// CloudFormation short tags.
func convert(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		return convert(n.Content[0])
	case yaml.AliasNode:
		return convert(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := convert(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			val, err := convert(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		v = s
	case yaml.ScalarNode:
		v = n.Value
	}
	if !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") {
		return v, nil
	}
	switch tag := strings.TrimPrefix(n.Tag, "!"); tag {
	case "Ref", "Condition":
		return map[string]any{tag: v}, nil
	case "GetAtt":
		if s, ok := v.(string); ok { // !GetAtt Res.Attr
			res, attr, found := strings.Cut(s, ".")
			if !found {
				return nil, fmt.Errorf("line %d: !GetAtt %q is not Resource.Attribute", n.Line, s)
			}
			v = []any{res, attr}
		}
		return map[string]any{"Fn::GetAtt": v}, nil
	case "Sub", "If", "Not", "Equals", "And", "Or", "Join", "Select", "Split", "FindInMap",
		"Base64", "Cidr", "GetAZs", "ImportValue", "Transform", "Length", "ToJsonString":
		return map[string]any{"Fn::" + tag: v}, nil
	default:
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
	}
}

// walk calls fn for every value in v, depth first, with its path.
func walk(v any, path string, fn func(path string, v any)) {
	fn(path, v)
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			walk(c, path+"."+k, fn)
		}
	case []any:
		for i, c := range x {
			walk(c, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

var subVar = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

// subVars returns the variables a Fn::Sub value uses, less those its own
// variable map defines.
func subVars(v any) []string {
	var str string
	local := map[string]bool{}
	switch x := v.(type) {
	case string:
		str = x
	case []any:
		if len(x) > 0 {
			str, _ = x[0].(string)
		}
		if len(x) > 1 {
			for k := range mapOf(x[1]) {
				local[k] = true
			}
		}
	}
	var out []string
	for _, m := range subVar.FindAllStringSubmatch(str, -1) {
		if !local[m[1]] {
			out = append(out, m[1])
		}
	}
	return out
}

// statement is one IAM policy statement, with where it sits.
type statement struct {
	where     string
	effect    string
	actions   []string
	resources []any // strings or intrinsic functions
	condition map[string]any
}

// statements returns the statements of a policy document. Statements and
// list entries that are Fn::If are expanded to both branches.
func statements(where string, doc any) []statement {
	var out []statement
	for i, s := range expandIf(mapOf(doc)["Statement"]) {
		m := mapOf(s)
		if len(m) == 0 {
			continue
		}
		st := statement{where: fmt.Sprintf("%s statement %d (%v)", where, i, m["Sid"]), condition: mapOf(m["Condition"])}
		st.effect, _ = m["Effect"].(string)
		for _, a := range expandIf(m["Action"]) {
			if s, ok := a.(string); ok {
				st.actions = append(st.actions, s)
			}
		}
		for _, a := range expandIf(m["NotAction"]) {
			st.actions = append(st.actions, fmt.Sprint("NotAction:", a))
		}
		st.resources = expandIf(m["Resource"])
		if m["NotResource"] != nil {
			st.resources = append(st.resources, "NotResource")
		}
		out = append(out, st)
	}
	return out
}

// expandIf flattens v into a list, replacing each Fn::If by both of its
// branches and dropping AWS::NoValue.
func expandIf(v any) []any {
	var out []any
	var add func(any)
	add = func(x any) {
		switch y := x.(type) {
		case nil:
		case []any:
			for _, e := range y {
				add(e)
			}
		case map[string]any:
			if r, ok := y["Ref"]; ok && r == "AWS::NoValue" {
				return
			}
			if args, ok := y["Fn::If"].([]any); ok && len(args) == 3 {
				add(args[1])
				add(args[2])
				return
			}
			out = append(out, y)
		default:
			out = append(out, y)
		}
	}
	add(v)
	return out
}

// text returns a resource value as text: a string as is, an intrinsic
// function in a readable form ("Sub:arn:...", "GetAtt:Res.Attr", "Ref:X").
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if s, ok := x["Fn::Sub"]; ok {
			if l, ok := s.([]any); ok && len(l) > 0 {
				s = l[0]
			}
			return fmt.Sprint("Sub:", s)
		}
		if g, ok := x["Fn::GetAtt"].([]any); ok && len(g) == 2 {
			return fmt.Sprintf("GetAtt:%v.%v", g[0], g[1])
		}
		if r, ok := x["Ref"]; ok {
			return fmt.Sprint("Ref:", r)
		}
		if f, ok := x["Fn::FindInMap"].([]any); ok {
			parts := make([]string, len(f))
			for i, p := range f {
				parts[i] = text(p)
			}
			return "FindInMap:[" + strings.Join(parts, " ") + "]"
		}
	}
	return fmt.Sprint(v)
}
