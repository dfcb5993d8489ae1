package main

// A fake kubectl for the tests that run against fakeKube (which has no
// discovery or OpenAPI worth the name): the test binary, started by the
// stand-in's clusterdeploy as "kubectl --kubeconfig F apply -f Y", reads the
// kubeconfig the stand-in wrote (server /k8s/clusters/<id>, CA, token), GETs
// /openapi/v3 like kubectl's validation does, then creates or replaces
// every object through that server with JSON (what kubectl apply achieves
// for objects it owns) and prints kubectl's "kind/name created" lines.
// Tests against a real API server use the real kubectl.

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

const fakeKubectlEnv = "STANDIN_TEST_FAKE_KUBECTL"

// clusterScopedKinds drop metadata.namespace, as kubectl does.
var clusterScopedKinds = map[string]bool{"Namespace": true, "ClusterRole": true, "ClusterRoleBinding": true}

// objectPaths returns the collection and item paths of an object.
func objectPaths(obj map[string]any) (collection, item, desc string, err error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if apiVersion == "" || kind == "" || name == "" {
		return "", "", "", fmt.Errorf("object without apiVersion/kind/name: %v", obj)
	}
	prefix := "/apis/" + apiVersion
	if apiVersion == "v1" {
		prefix = "/api/v1"
	}
	if clusterScopedKinds[kind] {
		delete(meta, "namespace")
	} else if ns, _ := meta["namespace"].(string); ns != "" {
		prefix += "/namespaces/" + ns
	} else {
		prefix += "/namespaces/default"
	}
	collection = prefix + "/" + strings.ToLower(kind) + "s"
	return collection, collection + "/" + name, strings.ToLower(kind) + "/" + name, nil
}

func fakeKubectlMain(args []string) int {
	var kubeconfig, file string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--kubeconfig":
			i++
			kubeconfig = args[i]
		case "-f":
			i++
			file = args[i]
		}
	}
	if kubeconfig == "" || file == "" {
		fmt.Fprintln(os.Stderr, "fake kubectl: want --kubeconfig F apply -f Y, got", args)
		return 2
	}
	var kc struct {
		Clusters []struct {
			Cluster struct {
				Server string `yaml:"server"`
				CAData string `yaml:"certificate-authority-data"`
			} `yaml:"cluster"`
		} `yaml:"clusters"`
		Users []struct {
			User struct {
				Token string `yaml:"token"`
			} `yaml:"user"`
		} `yaml:"users"`
	}
	raw, err := os.ReadFile(kubeconfig)
	if err == nil {
		err = yaml.Unmarshal(raw, &kc)
	}
	if err != nil || len(kc.Clusters) == 0 || len(kc.Users) == 0 {
		fmt.Fprintln(os.Stderr, "fake kubectl: bad kubeconfig:", err)
		return 1
	}
	ca, _ := base64.StdEncoding.DecodeString(kc.Clusters[0].Cluster.CAData)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	server, token := kc.Clusters[0].Cluster.Server, kc.Users[0].User.Token
	do := func(method, path string, body any) (int, map[string]any, string) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, server+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(b, &out)
		return resp.StatusCode, out, string(b)
	}
	if code, _, text := do("GET", "/openapi/v3", nil); code != 200 {
		fmt.Fprintf(os.Stderr, "error: error validating %q: error validating data: failed to download openapi: %d %s\n", file, code, text)
		return 1
	}
	manifest, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	objs, err := splitManifest(string(manifest))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	failed := false
	for _, obj := range objs {
		collection, item, desc, err := objectPaths(obj)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		code, existing, text := do("GET", item, nil)
		switch code {
		case 404:
			if code, _, text := do("POST", collection, obj); code/100 != 2 {
				fmt.Fprintf(os.Stderr, "Error from server (%d): error when creating %q: %s\n", code, file, text)
				failed = true
				continue
			}
			fmt.Printf("%s created\n", desc)
		case 200:
			meta := obj["metadata"].(map[string]any)
			meta["resourceVersion"] = existing["metadata"].(map[string]any)["resourceVersion"]
			if code, _, text := do("PUT", item, obj); code/100 != 2 {
				fmt.Fprintf(os.Stderr, "Error from server (%d): error when applying patch to %s: %s\n", code, desc, text)
				failed = true
				continue
			}
			fmt.Printf("%s configured\n", desc)
		default:
			fmt.Fprintf(os.Stderr, "Error from server (%d): error when retrieving current configuration of %s: %s\n", code, desc, text)
			failed = true
		}
	}
	if failed {
		return 1
	}
	return 0
}
