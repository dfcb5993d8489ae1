package main

// Optional load check: STANDIN_SCALE=N runs N fake agents (both tunnels each)
// against one stand-in, sharing one fake kube API, and waits until every
// cluster is active. Bounded: N <= 500, 120 s.

import (
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestScaleManyClusters(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("STANDIN_SCALE"))
	if n <= 0 {
		t.Skip("set STANDIN_SCALE=N to run N simulated clusters")
	}
	n = min(n, 500)
	s := startStandin(t, "", "--ping-interval", "2s", "--health-interval", "2s")
	kube := newFakeKube("sa-token-scale")
	kubeSrv := httptest.NewUnstartedServer(kube)
	kubeSrv.StartTLS()
	t.Cleanup(func() { close(kube.stop); kubeSrv.CloseClientConnections(); kubeSrv.Close() })
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: kubeSrv.Certificate().Raw})
	steve := pingServer(t).Listener.Addr().String()

	start := time.Now()
	for i := 0; i < n; i++ {
		id := s.createCluster(fmt.Sprintf("scale-%04d", i))
		tok := s.createToken(id)["token"].(string)
		startFakeAgent(t, s, tok, kubeSrv.Listener.Addr().String(), "sa-token-scale", caPEM, steve)
	}
	t.Logf("%d clusters created and agents started in %s", n, time.Since(start))
	eventually(t, 120*time.Second, func() string {
		_, sum := s.control("GET", "/summary", nil)
		if by := sum["byState"].(map[string]any); by["active"] != float64(n) {
			return fmt.Sprintf("by state %v", by)
		}
		return ""
	})
	_, sum := s.control("GET", "/summary", nil)
	t.Logf("all %d active after %s; tunnels %v", n, time.Since(start), sum["tunnels"])
}
