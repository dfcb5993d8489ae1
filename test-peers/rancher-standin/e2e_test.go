package main

// End to end: a fake imported-cluster agent built on the real remotedialer
// client library connects both tunnels to the stand-in; the cluster's API is
// an in-process TLS server (httptest) with two nodes, and Steve's /ping is a
// plain HTTP server behind the stv-cluster session. The stand-in must drive
// the cluster to active with the right totals, deploy the agent manifest,
// notice dropped sessions (unavailable) and recover when the agent reconnects.

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rancher/remotedialer"
)

func TestEndToEndFakeAgent(t *testing.T) {
	s := startStandin(t, "")
	id := s.createCluster("e2e")
	tok := s.createToken(id)["token"].(string)

	kube := newFakeKube("sa-token-e2e")
	kubeSrv := httptest.NewUnstartedServer(kube)
	kubeSrv.StartTLS()
	steveSrv := pingServer(t)
	t.Cleanup(func() {
		close(kube.stop)
		kubeSrv.CloseClientConnections()
		kubeSrv.Close()
	})

	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: kubeSrv.Certificate().Raw})
	address := kubeSrv.Listener.Addr().String()
	wsURL, dialer, mainHeaders := startFakeAgent(t, s, tok, address, "sa-token-e2e", caPEM, steveSrv.Listener.Addr().String())

	status := func() map[string]any {
		_, st := s.control("GET", "/clusters/"+id, nil)
		return st
	}
	cond := func(st map[string]any, typ string) map[string]any {
		for _, c := range st["conditions"].([]any) {
			if m := c.(map[string]any); m["type"] == typ {
				return m
			}
		}
		return map[string]any{}
	}
	wantTotals := map[string]map[string]string{
		"capacity":    {"cpu": "12", "memory": "48Gi", "pods": "220"},
		"allocatable": {"cpu": "11600m", "memory": "46Gi", "pods": "220"},
		"requested":   {"cpu": "1", "memory": "2Gi", "pods": "10"},
		"limits":      {"cpu": "1500m", "memory": "3Gi"},
	}
	checkTotals := func(res map[string]any) string {
		if res["nodeCount"] != float64(2) {
			return fmt.Sprintf("nodeCount %v", res["nodeCount"])
		}
		for field, want := range wantTotals {
			got, _ := res[field].(map[string]any)
			if len(got) != len(want) {
				return fmt.Sprintf("%s %v", field, got)
			}
			for k, v := range want {
				if got[k] != v {
					return fmt.Sprintf("%s.%s = %v, want %s", field, k, got[k], v)
				}
			}
		}
		return ""
	}

	// 1. The cluster becomes active with the right totals and the agent deployed.
	eventually(t, 20*time.Second, func() string {
		st := status()
		if st["state"] != "active" {
			return fmt.Sprintf("state %v (%v) controllers %v", st["state"], st["transitioningMessage"], st["controllers"])
		}
		return checkTotals(st)
	})
	st := status()
	for _, typ := range []string{condConnected, condReady, condAgentDeployed, condProvisioned, condWaiting} {
		if cond(st, typ)["status"] != "True" {
			t.Errorf("%s = %v", typ, cond(st, typ))
		}
	}
	if st["numeric"].(map[string]any)["capacity"].(map[string]any)["memory"] != float64(48<<30) {
		t.Errorf("numeric capacity: %v", st["numeric"])
	}
	_, v3 := s.api("GET", "/v3/clusters/"+id, nil)
	if v3["state"] != "active" || checkTotals(v3) != "" || v3["version"].(map[string]any)["gitVersion"] != "v1.31.0" {
		t.Fatalf("v3 view: state %v totals %s version %v", v3["state"], checkTotals(v3), v3["version"])
	}

	// clusterdeploy applied the manifest downstream.
	dep := kube.object("/apis/apps/v1/namespaces/cattle-system/deployments/cattle-cluster-agent")
	if kube.object("/api/v1/namespaces/cattle-system") == nil || dep == nil {
		t.Fatalf("deployed objects: %v", kube.paths())
	}
	if !strings.Contains(fmt.Sprint(dep), s.URL) {
		t.Errorf("deployment does not carry CATTLE_SERVER %s", s.URL)
	}
	if kube.object("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cattle-admin-binding") == nil {
		t.Errorf("cluster-scoped binding not created at cluster scope: %v", kube.paths())
	}
	checkRancherDownstreamWrites(t, s, kube, id, st)
	checkK8sProxy(t, s, kube, id)

	// 2. A watch event changes the totals.
	n2 := testNode("n2", "8", "32Gi", "7800m", "31Gi", `{"cpu":"1250m","memory":"512Mi","pods":"4"}`, `{"cpu":"500m","memory":"1Gi"}`)
	n2["metadata"].(map[string]any)["resourceVersion"] = "11"
	kube.events <- map[string]any{"type": "MODIFIED", "object": n2}
	eventually(t, 5*time.Second, func() string {
		req := status()["requested"].(map[string]any)
		if req["cpu"] != "2" || req["pods"] != "11" {
			return fmt.Sprintf("requested %v", req)
		}
		return ""
	})

	// 2b. Nodes without a Ready condition count as not ready; one turning
	// Ready lowers the count.
	if n := status()["notReadyNodes"]; n != float64(2) {
		t.Errorf("notReadyNodes %v, want 2 (no Ready condition)", n)
	}
	n1 := testNode("n1", "4", "16Gi", "3800m", "15Gi", `{"cpu":"750m","memory":"1536Mi","pods":"7"}`, `{"cpu":"1","memory":"2Gi"}`)
	n1["metadata"].(map[string]any)["resourceVersion"] = "12"
	n1["status"].(map[string]any)["conditions"] = []any{map[string]any{"type": "Ready", "status": "True"}}
	kube.events <- map[string]any{"type": "MODIFIED", "object": n1}
	eventually(t, 5*time.Second, func() string {
		if n := status()["notReadyNodes"]; n != float64(1) {
			return fmt.Sprintf("notReadyNodes %v", n)
		}
		return ""
	})

	// 2c. The probe GETs a path through the tunnel and times it.
	code, probe := s.control("POST", "/clusters/"+id+"/probe", map[string]any{"path": "/version"})
	if code != 200 || probe["status"] != float64(200) || probe["bytes"].(float64) < 10 ||
		!strings.Contains(probe["body"].(string), "v1.31.0") || probe["durationMs"].(float64) <= 0 {
		t.Errorf("probe: %d %v", code, probe)
	}
	if code, probe := s.control("POST", "/clusters/"+id+"/probe", map[string]any{"path": "/api/v1/namespaces/nope/secrets/x"}); code != 200 || probe["status"] != float64(404) {
		t.Errorf("probe of a missing object: %d %v", code, probe)
	}
	if code, _ := s.control("POST", "/clusters/"+id+"/probe", map[string]any{"path": "version"}); code != 400 {
		t.Errorf("probe with a relative path: %d, want 400", code)
	}
	if code, _ := s.control("POST", "/clusters/c-nope/probe", map[string]any{"path": "/version"}); code != 404 {
		t.Errorf("probe of an unknown cluster: %d, want 404", code)
	}

	// 3. Dropping the sessions makes the cluster unavailable...
	code, dropped := s.control("POST", "/clusters/"+id+"/drop-sessions", nil)
	if code != 200 || dropped["dropped"] != float64(2) {
		t.Fatalf("drop: %d %v", code, dropped)
	}
	eventually(t, 4*time.Second, func() string {
		st := status()
		r := cond(st, condReady)
		if st["state"] != "unavailable" || r["reason"] != "Disconnected" || r["message"] != "Cluster agent is not connected" || cond(st, condConnected)["status"] != "False" {
			return fmt.Sprintf("state %v ready %v", st["state"], r)
		}
		return ""
	})
	// ...and active again once the agent reconnected (ClientConnect waits 5 s).
	eventually(t, 15*time.Second, func() string {
		st := status()
		if st["state"] != "active" {
			return fmt.Sprintf("state %v", st["state"])
		}
		return ""
	})
	sess := status()["sessions"].(map[string]any)
	mainStats := sess["main"].(map[string]any)
	if mainStats["connects"].(float64) < 2 || len(mainStats["connectTimes"].([]any)) < 2 || mainStats["active"] != float64(1) {
		t.Errorf("main session stats: %v", mainStats)
	}
	ctl := status()["controllers"].(map[string]any)
	if ctl["pingSuccesses"].(float64) < 1 || ctl["pingFailures"].(float64) < 1 {
		t.Errorf("ping counters: %v", ctl)
	}

	// 4. Deleting the cluster runs the cleanup job through the tunnel, then
	// the cluster and its token are gone: the old token gets 400.
	if code, _ := s.control("DELETE", "/clusters/"+id, nil); code != 202 {
		t.Fatalf("delete: %d", code)
	}
	eventually(t, 10*time.Second, func() string {
		if code, _ := s.api("GET", "/v3/clusters/"+id, nil); code != 404 {
			return fmt.Sprintf("cluster still %d", code)
		}
		return ""
	})
	job := ""
	for _, p := range kube.paths() {
		if strings.HasPrefix(p, "/apis/batch/v1/namespaces/default/jobs/cattle-cleanup-") {
			job = p
		}
	}
	if job == "" {
		t.Errorf("no cleanup job: %v", kube.paths())
	} else if !strings.Contains(fmt.Sprint(kube.object(job)), "CLUSTER_CLEANUP") {
		t.Errorf("cleanup job: %v", kube.object(job))
	}
	_, resp, err := dialer.Dial(wsURL+"/v3/connect", mainHeaders)
	if err == nil || resp == nil || resp.StatusCode != 400 {
		t.Fatalf("reconnect after delete: %v %v", err, resp)
	}
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "cluster not found") {
		t.Errorf("reconnect body %q", body)
	}
}

// startFakeAgent connects both tunnels of a cluster agent with the real
// remotedialer client: the main tunnel (Connects are dialled for real, so
// tcp/<address> reaches the cluster API) and the Steve tunnel (every Connect
// goes to steveAddr). It returns what a test needs to dial again itself.
func startFakeAgent(t *testing.T, s *standin, tok, address, saToken string, caPEM []byte, steveAddr string) (string, *websocket.Dialer, http.Header) {
	ctx, cancel := context.WithCancel(context.Background())
	var agents sync.WaitGroup
	t.Cleanup(func() { cancel(); agents.Wait() })

	wsURL := strings.Replace(s.URL, "https://", "wss://", 1)
	dialer := &websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: s.CAPool}, HandshakeTimeout: 5 * time.Second}
	mainHeaders := http.Header{}
	mainHeaders.Set(headerTunnelToken, tok)
	mainHeaders.Set(headerTunnelParams, tunnelParamsHeader(address, saToken, base64.StdEncoding.EncodeToString(caPEM)))
	allowTCP := func(proto, _ string) bool { return proto == "tcp" }
	agents.Add(2)
	go func() { // the cluster agent's main tunnel, as cmd/agent does it
		defer agents.Done()
		for ctx.Err() == nil {
			_ = remotedialer.ClientConnect(ctx, wsURL+"/v3/connect/register", mainHeaders, dialer, allowTCP, nil)
		}
	}()
	go func() { // Steve aggregation: every Connect is served by the local Steve
		defer agents.Done()
		h := http.Header{}
		h.Set("Authorization", "Bearer stv-cluster-"+tok)
		local := func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", steveAddr)
		}
		for ctx.Err() == nil {
			_ = remotedialer.ConnectToProxyWithDialer(ctx, wsURL+"/v3/connect", h, func(string, string) bool { return true }, dialer, local, nil)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
	return wsURL, dialer, mainHeaders
}

// pingServer is a stand-in for the agent's embedded Steve: /ping answers pong.
func pingServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ping" {
			_, _ = w.Write([]byte("pong"))
			return
		}
		if strings.HasPrefix(r.URL.Path, "/v1") { // Steve through /k8s/clusters/<id>/v1
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"path": r.URL.Path, "prefix": r.Header.Get("X-API-URL-Prefix"),
				"user": r.Header.Get("Impersonate-User"), "groups": r.Header.Values("Impersonate-Group"),
				"authorization": r.Header.Get("Authorization"), "host": r.Host})
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}
