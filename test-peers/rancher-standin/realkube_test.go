package main

// Optional: the same flow against a real kube-apiserver (e.g. a throwaway
// KWOK cluster). Skipped unless STANDIN_REAL_KUBE_ADDRESS (host:port),
// STANDIN_REAL_KUBE_CA (CA file) and STANDIN_REAL_KUBE_TOKEN (a cluster-admin
// bearer token) are set; the cluster needs at least one Node.

import (
	"fmt"
	"os"
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
	s := startStandin(t, "")
	id := s.createCluster("real")
	tok := s.createToken(id)["token"].(string)
	startFakeAgent(t, s, tok, address, token, caPEM, pingServer(t).Listener.Addr().String())

	var st map[string]any
	eventually(t, 40*time.Second, func() string {
		_, st = s.control("GET", "/clusters/"+id, nil)
		if st["state"] != "active" {
			return fmt.Sprintf("state %v (%v) controllers %v", st["state"], st["transitioningMessage"], st["controllers"])
		}
		return ""
	})
	t.Logf("active: nodeCount %v capacity %v allocatable %v requested %v limits %v version %v",
		st["nodeCount"], st["capacity"], st["allocatable"], st["requested"], st["limits"], st["version"])
	t.Logf("deployed: %v", st["controllers"].(map[string]any)["deployedObjects"])
	if st["nodeCount"].(float64) < 1 {
		t.Fatal("no nodes counted")
	}
	// Applying again must update in place (PUT with resourceVersion).
	if code, res := s.control("POST", "/clusters/"+id+"/redeploy", nil); code != 200 {
		t.Fatalf("second apply: %d %v", code, res)
	}
}
