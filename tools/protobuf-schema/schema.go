package main

// The schema walker: reflection over the Go API types, reading the struct
// tags that go-to-protobuf generated the wire format from and the json tags
// that encoding/json prints by. What it writes is all the TypeScript codec
// knows about Kubernetes types.
//
// Facts it relies on, each checked against the generated code of v0.36.1:
//   - The protobuf tag's number and opt/rep are right; its wire word is not
//     always (IntOrString fields tagged "varint", float64 fields tagged
//     "bytes"), so wire types come from the Go kinds instead, and protocheck.go
//     compares the result with the generated .proto files.
//   - A named slice type (not []byte) tagged "opt" is a wrapper message
//     whose field 1 "items" repeats the element (metav1.Verbs,
//     authentication ExtraValue); a named map type is an ordinary map.
//   - Fields without a protobuf tag, or tagged "-", are not on the wire.
//   - Some types marshal by hand (specialTypes): the codec knows their layout.

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// specialTypes have hand-written protobuf and/or JSON marshalling; the value
// is the name the TypeScript side switches on.
var specialTypes = map[reflect.Type]string{
	reflect.TypeFor[metav1.Time]():                                "Time",
	reflect.TypeFor[metav1.MicroTime]():                           "MicroTime",
	reflect.TypeFor[metav1.Duration]():                            "Duration",
	reflect.TypeFor[resource.Quantity]():                          "Quantity",
	reflect.TypeFor[intstr.IntOrString]():                         "IntOrString",
	reflect.TypeFor[runtime.RawExtension]():                       "RawExtension",
	reflect.TypeFor[runtime.Unknown]():                            "Unknown",
	reflect.TypeFor[metav1.FieldsV1]():                            "FieldsV1",
	reflect.TypeFor[apiextv1.JSON]():                              "JSON",
	reflect.TypeFor[apiextv1beta1.JSON]():                         "JSON",
	reflect.TypeFor[apiextv1.JSONSchemaPropsOrArray]():            "JSONSchemaPropsOrArray",
	reflect.TypeFor[apiextv1beta1.JSONSchemaPropsOrArray]():       "JSONSchemaPropsOrArray",
	reflect.TypeFor[apiextv1.JSONSchemaPropsOrBool]():             "JSONSchemaPropsOrBool",
	reflect.TypeFor[apiextv1beta1.JSONSchemaPropsOrBool]():        "JSONSchemaPropsOrBool",
	reflect.TypeFor[apiextv1.JSONSchemaPropsOrStringArray]():      "JSONSchemaPropsOrStringArray",
	reflect.TypeFor[apiextv1beta1.JSONSchemaPropsOrStringArray](): "JSONSchemaPropsOrStringArray",
}

// wrapperKind marks the synthetic messages of named slice types.
const wrapperKind = "SliceWrapper"

var (
	typeMetaTypes = map[reflect.Type]bool{
		reflect.TypeFor[metav1.TypeMeta]():  true,
		reflect.TypeFor[runtime.TypeMeta](): true,
	}
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
)

// A field as written to the schema: [number, jsonName, type, flags] plus the
// key type for maps. Number 0 means JSON only (no protobuf tag). Flags:
//
//	r repeated   m map   o omitempty   z omitzero   p Go pointer (nil when absent)
//	i embedded struct whose JSON fields merge into the parent (json ",inline")
//	n not in JSON (json:"-")
type field []any

type walker struct {
	messages map[string][]field
	special  map[string]string
	seen     map[reflect.Type]string
	goPkgs   map[string]string // proto package -> Go package path, for protocheck
	jsonOnly []string
	problems []string
}

func newWalker() *walker {
	return &walker{
		messages: map[string][]field{},
		special:  map[string]string{},
		seen:     map[reflect.Type]string{},
		goPkgs:   map[string]string{},
	}
}

func (w *walker) fail(format string, args ...any) {
	w.problems = append(w.problems, fmt.Sprintf(format, args...))
}

// protoPackage follows go-to-protobuf's naming: the Go import path with
// '/' as '.' and '-' as '_' (checked against each generated.proto's package line).
func protoPackage(goPkg string) string {
	return strings.NewReplacer("/", ".", "-", "_").Replace(goPkg)
}

func (w *walker) protoName(t reflect.Type) string {
	pkg := protoPackage(t.PkgPath())
	w.goPkgs[pkg] = t.PkgPath()
	return pkg + "." + t.Name()
}

// message returns the protobuf message name of struct type t, walking it the
// first time it is seen.
func (w *walker) message(t reflect.Type) string {
	if name, ok := w.seen[t]; ok {
		return name
	}
	name := w.protoName(t)
	w.seen[t] = name
	if kind, ok := specialTypes[t]; ok {
		w.special[name] = kind
	} else {
		w.checkNoCustomJSON(t)
	}
	fields := []field{}
	if kind := specialTypes[t]; kind == "Time" || kind == "MicroTime" || kind == "Quantity" {
		// Hand-written marshalling over unexported or untagged fields: the
		// codec knows the layout ({int64 seconds=1, int32 nanos=2}, {string=1}).
		w.messages[name] = fields
		return name
	}
	for i := 0; i < t.NumField(); i++ {
		if f := w.field(t, t.Field(i)); f != nil {
			fields = append(fields, f)
		}
	}
	w.messages[name] = fields
	return name
}

func (w *walker) checkNoCustomJSON(t reflect.Type) {
	p := reflect.PointerTo(t)
	if t.Implements(jsonMarshaler) || p.Implements(jsonMarshaler) || p.Implements(jsonUnmarshaler) ||
		t.Implements(textMarshaler) || p.Implements(textMarshaler) {
		w.fail("%s has custom JSON marshalling but is not a special type", t)
	}
}

type jsonTag struct {
	name      string
	omitempty bool
	omitzero  bool
	skip      bool
}

func parseJSONTag(f reflect.StructField) jsonTag {
	tag, ok := f.Tag.Lookup("json")
	if tag == "-" {
		return jsonTag{skip: true}
	}
	parts := strings.Split(tag, ",")
	jt := jsonTag{name: parts[0]}
	for _, opt := range parts[1:] {
		switch opt {
		case "omitempty":
			jt.omitempty = true
		case "omitzero":
			jt.omitzero = true
		case "inline":
			// Not an encoding/json option: anonymity is what merges fields.
		case "string":
			jt.name = "\x00string"
		}
	}
	if !ok || (jt.name == "" && !f.Anonymous) {
		jt.name = f.Name
	}
	return jt
}

func (w *walker) field(parent reflect.Type, f reflect.StructField) field {
	if !f.IsExported() {
		return nil
	}
	where := parent.String() + "." + f.Name
	jt := parseJSONTag(f)
	if strings.HasPrefix(jt.name, "\x00") {
		w.fail("%s: unsupported json option %q", where, jt.name[1:])
		return nil
	}
	if jt.omitzero {
		// encoding/json's omitzero calls IsZero(); only metav1.Time
		// (ObjectMeta.creationTimestamp) has it in these APIs, and the codec
		// implements it for Time and MicroTime only.
		if k := specialTypes[f.Type]; k != "Time" && k != "MicroTime" {
			w.fail("%s: omitzero on %s", where, f.Type)
		}
	}
	inline := f.Anonymous && jt.name == "" && !jt.skip
	ptag := f.Tag.Get("protobuf")
	if ptag == "" || ptag == "-" {
		switch {
		case jt.skip:
			return nil
		case inline && typeMetaTypes[f.Type]:
			return nil // apiVersion/kind live in the envelope, not the message
		case inline:
			w.fail("%s: embedded struct without a protobuf tag", where)
			return nil
		}
		// In JSON but never on the wire: Go prints its zero value after a
		// protobuf decode, so the codec needs to know it.
		w.jsonOnly = append(w.jsonOnly, where)
		typ, flags, key := w.fieldType(where, f.Type, true)
		return makeField(0, jt, typ, flags, key)
	}
	parts := strings.Split(ptag, ",")
	if len(parts) < 3 {
		w.fail("%s: malformed protobuf tag %q", where, ptag)
		return nil
	}
	num, err := strconv.Atoi(parts[1])
	if err != nil || num <= 0 {
		w.fail("%s: bad field number in %q", where, ptag)
		return nil
	}
	typ, flags, key := w.fieldType(where, f.Type, parts[2] == "rep")
	if inline {
		flags += "i"
	}
	return makeField(num, jt, typ, flags, key)
}

func makeField(num int, jt jsonTag, typ, flags, key string) field {
	if jt.omitempty {
		flags += "o"
	}
	if jt.omitzero {
		flags += "z"
	}
	if jt.skip {
		flags += "n"
	}
	flags = sortFlags(flags)
	out := field{num, jt.name, typ, flags}
	if key != "" {
		out = append(out, key)
	}
	return out
}

func sortFlags(flags string) string {
	b := []byte(flags)
	sort.Slice(b, func(i, j int) bool { return b[i] < b[j] })
	return string(b)
}

// fieldType maps a Go field type to the schema's type name and flags.
func (w *walker) fieldType(where string, t reflect.Type, repeated bool) (typ, flags, key string) {
	if t.Kind() == reflect.Pointer {
		flags = "p"
		t = t.Elem()
	}
	if _, ok := specialTypes[t]; ok {
		return w.message(t), flags, ""
	}
	switch t.Kind() {
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "bytes", flags, ""
		}
		if flags != "" {
			w.fail("%s: pointer to slice", where)
		}
		// go-to-protobuf makes a named slice type tagged opt a wrapper message
		// (metav1.Verbs) and one tagged rep a repeated field (apiextensions
		// ValidationRules); an unnamed slice is repeated whatever the tag says
		// (PodSpec.Tolerations is tagged opt).
		if t.Name() != "" && !repeated {
			return w.wrapper(where, t), "", ""
		}
		return w.elemType(where, t.Elem()), "r", ""
	case reflect.Map:
		if flags != "" {
			w.fail("%s: pointer to map", where)
		}
		return w.elemType(where, t.Elem()), "m", w.scalar(where, t.Key())
	case reflect.Struct:
		return w.message(t), flags, ""
	default:
		return w.scalar(where, t), flags, ""
	}
}

// elemType is the type of a repeated element or map value: a scalar, bytes,
// a message, or a named slice (as its wrapper message).
func (w *walker) elemType(where string, t reflect.Type) string {
	switch {
	case t.Kind() == reflect.Pointer:
		w.fail("%s: pointer elements are not supported", where)
		return ""
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "bytes"
	case t.Kind() == reflect.Slice:
		if t.Name() == "" {
			w.fail("%s: nested unnamed slice", where)
			return ""
		}
		return w.wrapper(where, t)
	case t.Kind() == reflect.Map:
		w.fail("%s: map as element", where)
		return ""
	case t.Kind() == reflect.Struct:
		return w.message(t)
	}
	return w.scalar(where, t)
}

func (w *walker) wrapper(where string, t reflect.Type) string {
	if name, ok := w.seen[t]; ok {
		return name
	}
	name := w.protoName(t)
	w.seen[t] = name
	w.special[name] = wrapperKind
	w.messages[name] = []field{{1, "items", w.elemType(where, t.Elem()), "r"}}
	return name
}

func (w *walker) scalar(where string, t reflect.Type) string {
	if t.Kind() != reflect.String && t.Kind() != reflect.Struct {
		if t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) {
			w.fail("%s: scalar type %s has custom JSON", where, t)
		}
	}
	switch t.Kind() {
	case reflect.String:
		if t.Implements(textMarshaler) || t.Implements(jsonMarshaler) {
			w.fail("%s: string type %s has custom JSON", where, t)
		}
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int32:
		return "int32"
	case reflect.Int64:
		return "int64"
	case reflect.Uint32:
		return "uint32"
	case reflect.Uint64:
		return "uint64"
	case reflect.Float64:
		return "double"
	case reflect.Float32:
		return "float"
	}
	w.fail("%s: unsupported kind %s (%s)", where, t.Kind(), t)
	return ""
}
