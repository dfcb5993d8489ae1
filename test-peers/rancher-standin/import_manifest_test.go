package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestImportManifest(t *testing.T) {
	s := startStandin(t, "")
	id := s.createCluster("manifest")
	tok := s.createToken(id)["token"].(string)

	// No authentication needed; text/plain.
	resp, err := s.client.Get(s.URL + "/v3/import/" + tok + "_" + id + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("manifest: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	objs, err := splitManifest(string(raw))
	if err != nil {
		t.Fatalf("YAML: %v", err)
	}
	byKey := map[string]map[string]any{}
	var order []string
	for _, o := range objs {
		meta := o["metadata"].(map[string]any)
		k := o["kind"].(string) + "/" + meta["name"].(string)
		byKey[k] = o
		order = append(order, k)
	}
	key := credentialKey(s.URL, tok, "")
	want := []string{
		"ClusterRole/proxy-clusterrole-kubeapiserver", "ClusterRoleBinding/proxy-role-binding-kubernetes-master",
		"Namespace/cattle-system", "ServiceAccount/cattle", "ClusterRoleBinding/cattle-admin-binding",
		"Secret/cattle-credentials-" + key, "ClusterRole/cattle-admin", "Deployment/cattle-cluster-agent", "Service/cattle-cluster-agent",
	}
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Fatalf("objects:\n got %v\nwant %v", order, want)
	}

	// Secret: base64 url/token/namespace; key = sha256("url.token.")[:10].
	sum := sha256.Sum256([]byte(s.URL + "." + tok + "."))
	if key != hex.EncodeToString(sum[:])[:10] {
		t.Fatal("credential key")
	}
	data := byKey["Secret/cattle-credentials-"+key]["data"].(map[string]any)
	dec := func(v any) string { b, _ := base64.StdEncoding.DecodeString(v.(string)); return string(b) }
	if dec(data["url"]) != s.URL || dec(data["token"]) != tok || data["namespace"] != "" {
		t.Fatalf("secret data: %v", data)
	}

	// cattle-admin binds SA cattle; cattle-admin grants everything.
	crb := byKey["ClusterRoleBinding/cattle-admin-binding"]
	if crb["roleRef"].(map[string]any)["name"] != "cattle-admin" || crb["subjects"].([]any)[0].(map[string]any)["name"] != "cattle" {
		t.Fatalf("cattle-admin-binding: %v", crb)
	}

	// Deployment env, credentials volume.
	dep := byKey["Deployment/cattle-cluster-agent"]
	pod := dep["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
	ctr := pod["containers"].([]any)[0].(map[string]any)
	if ctr["name"] != "cluster-register" || pod["serviceAccountName"] != "cattle" {
		t.Fatalf("container: %v", ctr["name"])
	}
	env := map[string]string{}
	for _, e := range ctr["env"].([]any) {
		m := e.(map[string]any)
		env[m["name"].(string)], _ = m["value"].(string)
	}
	// The agent checks sha256(cacerts.value + "\n") against CATTLE_CA_CHECKSUM.
	_, cacerts := s.do("GET", s.URL+"/v3/settings/cacerts", nil, "")
	caSum := sha256.Sum256([]byte(cacerts["value"].(string) + "\n"))
	if env["CATTLE_SERVER"] != s.URL || env["CATTLE_CA_CHECKSUM"] != hex.EncodeToString(caSum[:]) ||
		env["CATTLE_CLUSTER"] != "true" || env["CATTLE_K8S_MANAGED"] != "true" || env["CATTLE_CREDENTIAL_NAME"] != "cattle-credentials-"+key {
		t.Fatalf("env: %v", env)
	}
	vol := pod["volumes"].([]any)[0].(map[string]any)["secret"].(map[string]any)
	if vol["secretName"] != "cattle-credentials-"+key || vol["defaultMode"] != 320 {
		t.Fatalf("volume: %v", vol)
	}
	svc := byKey["Service/cattle-cluster-agent"]["spec"].(map[string]any)["ports"].([]any)
	if svc[1].(map[string]any)["port"] != 443 || svc[1].(map[string]any)["targetPort"] != 444 {
		t.Fatalf("service ports: %v", svc)
	}

	// Unknown cluster: 404.
	resp, _ = s.client.Get(s.URL + "/v3/import/" + tok + "_c-zzzzz.yaml")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown cluster: %d", resp.StatusCode)
	}
}
