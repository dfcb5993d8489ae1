package main

// The flow against a real kube-apiserver: a throwaway control plane from the
// kube stack (TestAgainstKubeStack, ~15 s, skipped without the binaries or
// with -short), or any cluster given by STANDIN_REAL_KUBE_ADDRESS
// (host:port), STANDIN_REAL_KUBE_CA (CA file) and STANDIN_REAL_KUBE_TOKEN (a
// cluster-admin bearer token; the cluster needs a Node and a token
// controller). Both use the real kubectl, so clusterdeploy's validated apply
// goes through the stand-in's /k8s/clusters proxy with impersonation and the
// real API server checks the impersonation RBAC the stand-in created.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestAgainstRealKubeAPI(t *testing.T) {
	address, caFile, token := os.Getenv("STANDIN_REAL_KUBE_ADDRESS"), os.Getenv("STANDIN_REAL_KUBE_CA"), os.Getenv("STANDIN_REAL_KUBE_TOKEN")
	if address == "" || caFile == "" || token == "" {
		t.Skip("set STANDIN_REAL_KUBE_ADDRESS, STANDIN_REAL_KUBE_CA and STANDIN_REAL_KUBE_TOKEN to run against a real API server")
	}
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	kubectl := os.Getenv("STANDIN_REAL_KUBECTL")
	if kubectl == "" {
		kubectl = "kubectl"
	}
	runAgainstRealKube(t, address, caPEM, token, kubectl, nil)
}

func TestAgainstKubeStack(t *testing.T) {
	ks := startKubeStack(t)
	ks.addNode(t, "real-n1")
	runAgainstRealKube(t, ks.Address, ks.CAPEM, ks.Token, ks.Kubectl, ks)
}

func runAgainstRealKube(t *testing.T, address string, caPEM []byte, token, kubectl string, ks *kubeStack) {
	s := startStandin(t, "", "--kubectl", kubectl, "--kubectl-tries", "5", "--kubectl-try-interval", "2s")
	id := s.createCluster("real")
	tok := s.createToken(id)["token"].(string)
	startFakeAgent(t, s, tok, address, token, caPEM, pingServer(t).Listener.Addr().String())

	var st map[string]any
	eventually(t, 90*time.Second, func() string {
		_, st = s.control("GET", "/clusters/"+id, nil)
		if st["state"] != "active" {
			return fmt.Sprintf("state %v (%v) conditions %v controllers %v crtbs %v", st["state"], st["transitioningMessage"], st["conditions"], st["controllers"], st["crtbs"])
		}
		return ""
	})
	ctl := st["controllers"].(map[string]any)
	t.Logf("active: nodeCount %v capacity %v version %v; kubectl said: %v", st["nodeCount"], st["capacity"], st["version"], ctl["lastKubectlOutput"])
	if st["nodeCount"].(float64) < 1 {
		t.Fatal("no nodes counted")
	}
	out := fmt.Sprint(ctl["lastKubectlOutput"])
	for _, want := range []string{"namespace/cattle-system", "deployment.apps/cattle-cluster-agent", "clusterrolebinding.rbac.authorization.k8s.io/cattle-admin-binding"} {
		if !strings.Contains(out, want) {
			t.Errorf("kubectl output lacks %q: %s", want, out)
		}
	}
	// cluster-crtb-sync and the impersonators, as the real API server saw them.
	eventually(t, 30*time.Second, func() string {
		_, st = s.control("GET", "/clusters/"+id, nil)
		for _, c := range st["crtbs"].([]any) {
			for _, cond := range c.(map[string]any)["remoteConditions"].([]any) {
				if cond.(map[string]any)["status"] != "True" {
					return fmt.Sprintf("crtb %v", c)
				}
			}
			if len(c.(map[string]any)["remoteConditions"].([]any)) != 3 {
				return fmt.Sprintf("crtb %v", c)
			}
		}
		return ""
	})
	if ks != nil {
		_, info := s.control("GET", "/info", nil)
		admin := info["adminUserId"].(string)
		for _, path := range []string{
			"/api/v1/namespaces/cattle-impersonation-system/serviceaccounts/cattle-impersonation-" + admin,
			"/apis/rbac.authorization.k8s.io/v1/clusterroles/cattle-impersonation-" + admin,
			"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cattle-impersonation-" + st["systemUserId"].(string),
			"/apis/apps/v1/namespaces/cattle-system/deployments/cattle-cluster-agent",
		} {
			if code, body := ks.do("GET", path, nil); code != 200 {
				t.Errorf("GET %s: %d %s", path, code, body)
			}
		}
	}
	// The proxy as a user sees it: the admin, impersonated, may list namespaces.
	req, _ := http.NewRequest("GET", s.URL+"/k8s/clusters/"+id+"/api/v1/namespaces/cattle-system", nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var ns map[string]any
	_ = json.Unmarshal(body, &ns)
	if resp.StatusCode != 200 || ns["kind"] != "Namespace" {
		t.Errorf("proxy GET namespace as admin: %d %s", resp.StatusCode, body)
	}
	// Applying again updates in place.
	if code, res := s.control("POST", "/clusters/"+id+"/redeploy", nil); code != 200 {
		t.Fatalf("second apply: %d %v", code, res)
	}
}
