package main

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
)

func TestImpersonationHeaders(t *testing.T) {
	admin := rancherUser{ID: "user-abcde", Username: "admin", DisplayName: "Default Admin", PrincipalIDs: []string{"local://user-abcde"}, HasAttributes: true}
	h := http.Header{}
	h.Set("Impersonate-User", "system:admin")
	h.Add("Impersonate-Group", "system:masters")
	h.Set("Impersonate-Extra-Scopes", "x")
	h.Set("Authorization", "Bearer token-abcde:secret")
	setImpersonationHeaders(h, identityFor(admin, "token-abcde", "rancher.example:443"))
	want := http.Header{
		"Authorization":                    {"Bearer token-abcde:secret"}, // the proxy replaces it afterwards
		"Impersonate-User":                 {"user-abcde"},
		"Impersonate-Group":                {"system:authenticated", "system:cattle:authenticated"},
		"Impersonate-Extra-Principalid":    {"local://user-abcde"},
		"Impersonate-Extra-Requesthost":    {"rancher.example:443"},
		"Impersonate-Extra-Requesttokenid": {"token-abcde"},
		"Impersonate-Extra-Username":       {"admin"},
	}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("headers\n got %v\nwant %v", h, want)
	}

	// A system account has no username: no header for it.
	sys := systemUser(Cluster{ID: "c-12345", SystemUserID: "u-zzzzz"})
	h = http.Header{}
	setImpersonationHeaders(h, identityFor(sys, "agent-u-zzzzzqqqqq", "h"))
	if _, ok := h["Impersonate-Extra-Username"]; ok || h.Get("Impersonate-Extra-Principalid") != "system://c-12345" || h.Get("Impersonate-User") != "u-zzzzz" {
		t.Errorf("system account headers %v", h)
	}
}

func TestImpersonationRules(t *testing.T) {
	admin := rancherUser{ID: "user-abcde", Username: "admin", DisplayName: "Default Admin", PrincipalIDs: []string{"local://user-abcde"}, HasAttributes: true}
	imp := []string{"impersonate"}
	want := []rbacv1.PolicyRule{
		{Verbs: imp, APIGroups: []string{""}, Resources: []string{"users"}, ResourceNames: []string{"user-abcde"}},
		{Verbs: imp, APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"userextras/requesttokenid"}},
		{Verbs: imp, APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"userextras/requesthost"}},
		{Verbs: imp, APIGroups: []string{""}, Resources: []string{"groups"}, ResourceNames: []string{"system:authenticated", "system:cattle:authenticated"}},
		{Verbs: imp, APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"userextras/principalid"}, ResourceNames: []string{"local://user-abcde"}},
		{Verbs: imp, APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"userextras/username"}, ResourceNames: []string{"admin"}},
	}
	if got := impersonationRules(admin); !reflect.DeepEqual(got, want) {
		t.Errorf("admin rules\n got %+v\nwant %+v", got, want)
	}
	// Without user attributes the username rule names the display name.
	sys := systemUser(Cluster{ID: "c-12345", SystemUserID: "u-zzzzz"})
	rules := impersonationRules(sys)
	if last := rules[len(rules)-1]; !reflect.DeepEqual(last.ResourceNames, []string{"System account for Cluster c-12345"}) {
		t.Errorf("system account username rule %+v", last)
	}
}

func TestRancherNames(t *testing.T) {
	n := crbNameFor("ClusterRole", "cluster-owner", "User", "u-abcde")
	if !strings.HasPrefix(n, "crb-") || len(n) != 14 || n != strings.ToLower(n) || n != crbNameFor("ClusterRole", "cluster-owner", "User", "u-abcde") {
		t.Errorf("crb name %q", n)
	}
	if n == crbNameFor("ClusterRole", "cluster-owner", "User", "u-abcdf") {
		t.Error("crb names collide")
	}
	if got := rtbLabel("c-abcde", "creator-cluster-owner"); got != "c-abcde_creator-cluster-owner" {
		t.Errorf("rtb label %q", got)
	}
	long := safeConcatName(strings.Repeat("x", 70))
	if len(long) != 63 {
		t.Errorf("safeConcatName length %d", len(long))
	}
}

func TestKubectlOutputMasking(t *testing.T) {
	out := "secret/cattle-credentials-1 created\nError from server: {\"token\":\"abc123secretvalue\",\"url\":\"x\"}\nother sa-token-xyz123456"
	got := formatKubectlApplyOutput(maskSecrets(out, []string{"sa-token-xyz123456"}))
	if strings.Contains(got, "\n") || strings.Contains(got, "abc123secretvalue") || strings.Contains(got, "sa-token-xyz123456") || strings.Count(got, "REDACTED") != 2 {
		t.Errorf("masked output %q", got)
	}
	if got := maskSecrets("dG9rZW4tc2VjcmV0LXZhbHVl", []string{"token-secret-value"}); got != "REDACTED" {
		t.Errorf("base64 form not masked: %q", got)
	}
}

// Rancher creates the cluster's namespace after POST /v3/clusters returns:
// until then a registration token for it is a 404 from the API server.
func TestRegistrationTokenBeforeNamespace(t *testing.T) {
	s := startStandin(t, "", "--namespace-delay", "700ms")
	id := s.createCluster("ns-later")
	code, res := s.api("POST", "/v3/clusterregistrationtokens", map[string]any{"type": "clusterRegistrationToken", "clusterId": id})
	want := map[string]any{"baseType": "error", "type": "error", "status": float64(404), "code": "NotFound", "message": `namespaces "` + id + `" not found`}
	if code != 404 || !reflect.DeepEqual(res, want) {
		t.Fatalf("token before the namespace: %d %v", code, res)
	}
	if _, st := s.control("GET", "/clusters/"+id, nil); st["namespaceReady"] != false {
		t.Errorf("namespaceReady %v", st["namespaceReady"])
	}
	if code, list := s.api("GET", "/v3/clusterregistrationtokens?clusterId="+id, nil); code != 200 || len(list["data"].([]any)) != 0 {
		t.Errorf("list before the namespace: %d %v", code, list)
	}
	var tok map[string]any
	eventually(t, 5*time.Second, func() string {
		code, res := s.api("POST", "/v3/clusterregistrationtokens", map[string]any{"type": "clusterRegistrationToken", "clusterId": id})
		if code != 201 {
			return "still " + res["message"].(string)
		}
		tok = res
		return ""
	})
	// An agent that lists first finds and reuses it.
	_, list := s.api("GET", "/v3/clusterregistrationtokens?clusterId="+id, nil)
	data := list["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["token"] != tok["token"] || data[0].(map[string]any)["clusterId"] != id {
		t.Errorf("list after create: %v", list)
	}
	if _, st := s.control("GET", "/clusters/"+id, nil); st["namespaceReady"] != true {
		t.Errorf("namespaceReady %v", st["namespaceReady"])
	}
}
