// Command protobuf-schema writes the compact schema the TypeScript
// protobuf codec (src/main/engine/vapi/protobuf) works from, and golden
// vectors made by the real Go serializers for its tests.
//
//	go run . -schema k8s-protobuf-schema.json -golden golden.json
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"

	apiextscheme "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset/scheme"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1beta1 "k8s.io/apimachinery/pkg/apis/meta/v1beta1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
)

// protoMarshaler is what the protobuf serializer needs of an object.
type protoMarshaler interface {
	Marshal() ([]byte, error)
}

// metaKinds are meta/v1 kinds clients send or ask for under meta.k8s.io/v1
// that the client-go scheme registers only per API group (or not at all).
var metaKinds = []runtime.Object{
	&metav1.Status{}, &metav1.WatchEvent{}, &metav1.DeleteOptions{}, &metav1.ListOptions{},
	&metav1.GetOptions{}, &metav1.CreateOptions{}, &metav1.UpdateOptions{}, &metav1.PatchOptions{},
	&metav1.APIResourceList{}, &metav1.APIGroupList{}, &metav1.APIGroup{}, &metav1.APIVersions{},
	&metav1.List{},
}

func buildScheme() *runtime.Scheme {
	s := scheme.Scheme
	must(apiextscheme.AddToScheme(s))
	must(metav1.AddMetaToScheme(s))
	must(metav1beta1.AddMetaToScheme(s))
	s.AddKnownTypes(metav1.SchemeGroupVersion, metaKinds...)
	return s
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func moduleVersion(path string) string {
	info, ok := debug.ReadBuildInfo()
	if ok {
		for _, m := range info.Deps {
			if m.Path == path {
				return m.Version
			}
		}
	}
	return "unknown"
}

type schemaFile struct {
	Source   string             `json:"source"`
	Format   string             `json:"format"`
	Kinds    map[string]string  `json:"kinds"`
	Special  map[string]string  `json:"special"`
	Messages map[string][]field `json:"messages"`
}

const formatNote = "field: [number (0 = JSON only), jsonName, type, flags, mapKeyType?]; " +
	"flags: r repeated, m map, o omitempty, z omitzero, p pointer, i inline (JSON-merged embedded message), n not in JSON"

func main() {
	schemaOut := flag.String("schema", "", "write the schema JSON here")
	goldenOut := flag.String("golden", "", "write the golden vectors JSON here")
	flag.Parse()
	if *schemaOut == "" || *goldenOut == "" {
		fmt.Fprintln(os.Stderr, "usage: protobuf-schema -schema FILE -golden FILE")
		os.Exit(2)
	}
	s := buildScheme()

	w := newWalker()
	kinds := map[string]string{}
	skipped := []string{}
	for gvk, t := range s.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || t.Kind() != reflect.Struct {
			continue
		}
		if !reflect.PointerTo(t).Implements(reflect.TypeFor[protoMarshaler]()) {
			skipped = append(skipped, gvk.String())
			continue
		}
		kinds[gvk.GroupVersion().String()+"/"+gvk.Kind] = w.message(t)
	}
	if len(w.problems) > 0 {
		fatal("schema problems", w.problems)
	}
	mismatches, err := w.checkAgainstProto()
	if err != nil {
		fatal("proto check", []string{err.Error()})
	}
	if len(mismatches) > 0 {
		fatal("schema disagrees with generated.proto", mismatches)
	}
	sort.Strings(skipped)
	sort.Strings(w.jsonOnly)
	fmt.Fprintf(os.Stderr, "%d kinds, %d messages; not protobuf-capable: %s\n", len(kinds), len(w.messages), strings.Join(skipped, " "))
	if len(w.jsonOnly) > 0 {
		fmt.Fprintf(os.Stderr, "JSON-only fields: %s\n", strings.Join(w.jsonOnly, " "))
	}

	out := schemaFile{
		Source:   "k8s.io/api " + moduleVersion("k8s.io/api") + ", k8s.io/apimachinery " + moduleVersion("k8s.io/apimachinery") + ", k8s.io/apiextensions-apiserver " + moduleVersion("k8s.io/apiextensions-apiserver"),
		Format:   formatNote,
		Kinds:    kinds,
		Special:  w.special,
		Messages: w.messages,
	}
	writeJSON(*schemaOut, out, false)

	golden, err := makeGolden(s)
	if err != nil {
		fatal("golden vectors", []string{err.Error()})
	}
	writeJSON(*goldenOut, golden, true)
}

func fatal(what string, lines []string) {
	sort.Strings(lines)
	fmt.Fprintf(os.Stderr, "%s:\n  %s\n", what, strings.Join(lines, "\n  "))
	os.Exit(1)
}

// writeJSON writes v with sorted map keys (encoding/json sorts them), so a
// regeneration is byte-identical.
func writeJSON(path string, v any, indent bool) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", " ")
	}
	must(enc.Encode(v))
	must(os.WriteFile(path, buf.Bytes(), 0o644))
}
