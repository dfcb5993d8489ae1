package main

// A cross-check of the reflected schema against the generated.proto files
// that go-to-protobuf wrote next to each API package: every message the
// schema names must exist there with the same field numbers, scalar or
// message types, and repeated/map labels. Struct tags are known to carry
// wrong wire words (see schema.go), so this catches what reflection alone
// would get wrong.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

type protoField struct {
	typ   string // fully qualified message name or scalar
	label string // "optional", "repeated" or "map"
	key   string
}

var (
	protoPackageRe = regexp.MustCompile(`^package\s+([\w.]+)\s*;`)
	protoMessageRe = regexp.MustCompile(`^message\s+(\w+)\s*\{`)
	protoFieldRe   = regexp.MustCompile(`^\s*(optional|repeated)\s+([\w.]+)\s+\w+\s*=\s*(\d+)\s*;`)
	protoMapRe     = regexp.MustCompile(`^\s*map<\s*(\w+)\s*,\s*([\w.]+)\s*>\s+\w+\s*=\s*(\d+)\s*;`)
)

var protoScalars = map[string]bool{
	"string": true, "bytes": true, "bool": true, "int32": true, "int64": true,
	"uint32": true, "uint64": true, "double": true, "float": true,
}

// goPackageDirs asks the go tool where each Go package's source is.
func goPackageDirs(pkgs []string) (map[string]string, error) {
	args := append([]string{"list", "-f", "{{.ImportPath}} {{.Dir}}"}, pkgs...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	dirs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, dir, ok := strings.Cut(line, " "); ok {
			dirs[path] = dir
		}
	}
	return dirs, nil
}

func parseProtoFile(path string) (pkg string, messages map[string]map[int]protoField, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	messages = map[string]map[int]protoField{}
	var current map[int]protoField
	qualify := func(t string) string {
		if strings.HasPrefix(t, ".") {
			return t[1:] // fully qualified
		}
		if protoScalars[t] || strings.Contains(t, ".") {
			return t
		}
		return pkg + "." + t
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := protoPackageRe.FindStringSubmatch(line); m != nil {
			pkg = m[1]
		} else if m := protoMessageRe.FindStringSubmatch(line); m != nil {
			current = map[int]protoField{}
			messages[pkg+"."+m[1]] = current
		} else if m := protoFieldRe.FindStringSubmatch(line); m != nil && current != nil {
			current[atoi(m[3])] = protoField{typ: qualify(m[2]), label: m[1]}
		} else if m := protoMapRe.FindStringSubmatch(line); m != nil && current != nil {
			current[atoi(m[3])] = protoField{typ: qualify(m[2]), label: "map", key: m[1]}
		}
	}
	return pkg, messages, sc.Err()
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// checkAgainstProto returns one line per disagreement.
func (w *walker) checkAgainstProto() ([]string, error) {
	var goPkgs []string
	for _, p := range w.goPkgs {
		goPkgs = append(goPkgs, p)
	}
	dirs, err := goPackageDirs(goPkgs)
	if err != nil {
		return nil, err
	}
	all := map[string]map[int]protoField{}
	for protoPkg, goPkg := range w.goPkgs {
		file := filepath.Join(dirs[goPkg], "generated.proto")
		pkg, messages, err := parseProtoFile(file)
		if err != nil {
			return nil, err
		}
		if pkg != protoPkg {
			return []string{fmt.Sprintf("%s declares package %s, expected %s", file, pkg, protoPkg)}, nil
		}
		for name, fields := range messages {
			all[name] = fields
		}
	}
	var problems []string
	for name, fields := range w.messages {
		kind := w.special[name]
		if kind == "Time" || kind == "MicroTime" || kind == "Quantity" {
			continue // hand-written marshalling, layout known to the codec
		}
		proto, ok := all[name]
		if !ok {
			problems = append(problems, "message "+name+" not in any generated.proto")
			continue
		}
		seen := map[int]bool{}
		for _, f := range fields {
			num := f[0].(int)
			if num == 0 {
				continue
			}
			seen[num] = true
			flags := f[3].(string)
			want := protoField{typ: f[2].(string), label: "optional"}
			if strings.Contains(flags, "r") {
				want.label = "repeated"
			}
			if strings.Contains(flags, "m") {
				want.label = "map"
				want.key = f[4].(string)
			}
			if got := proto[num]; got != want {
				problems = append(problems, fmt.Sprintf("%s field %d (%s): schema %+v, proto %+v", name, num, f[1], want, got))
			}
		}
		for num := range proto {
			if !seen[num] {
				problems = append(problems, fmt.Sprintf("%s field %d is in the proto but not in the schema", name, num))
			}
		}
	}
	return problems, nil
}
