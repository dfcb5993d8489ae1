package main

import (
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A restart (kill and relaunch on the same --data-dir) keeps clusters,
// registration tokens and the CA, and agents can reconnect with the old token.
func TestRestartKeepsClustersTokensAndCA(t *testing.T) {
	dir := t.TempDir()
	s1 := startStandin(t, dir)
	id := s1.createCluster("persist")
	tok := s1.createToken(id)["token"].(string)
	_, ca1 := s1.do("GET", s1.URL+"/v3/settings/cacerts", nil, "")
	s1.stop()

	s2 := startStandin(t, dir)
	_, ca2 := s2.do("GET", s2.URL+"/v3/settings/cacerts", nil, "")
	if ca1["value"] != ca2["value"] {
		t.Fatal("CA changed across restart")
	}
	code, c := s2.api("GET", "/v3/clusters/"+id, nil)
	if code != 200 || c["name"] != "persist" {
		t.Fatalf("cluster after restart: %d %v", code, c)
	}
	_, list := s2.api("GET", "/v3/clusterregistrationtokens?clusterId="+id, nil)
	if d := list["data"].([]any); len(d) != 1 || d[0].(map[string]any)["token"] != tok {
		t.Fatalf("tokens after restart: %v", d)
	}
	dialer := &websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: s2.CAPool}, HandshakeTimeout: 5 * time.Second}
	h := http.Header{}
	h.Set("Authorization", "Bearer stv-cluster-"+tok)
	conn, _, err := dialer.Dial(strings.Replace(s2.URL, "https://", "wss://", 1)+"/v3/connect", h)
	if err != nil {
		t.Fatalf("steve tunnel with the old token: %v", err)
	}
	conn.Close()
}

// A restart with agents connected: the same port and data dir, the agent
// reconnects on its own and the cluster is active again.
func TestRestartWithConnectedAgent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	s1 := startStandin(t, dir, "--listen", addr)
	id := s1.createCluster("restart")
	tok := s1.createToken(id)["token"].(string)

	kube := newFakeKube("sa-token-restart")
	kubeSrv := httptest.NewUnstartedServer(kube)
	kubeSrv.StartTLS()
	t.Cleanup(func() { close(kube.stop); kubeSrv.CloseClientConnections(); kubeSrv.Close() })
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: kubeSrv.Certificate().Raw})
	startFakeAgent(t, s1, tok, kubeSrv.Listener.Addr().String(), "sa-token-restart", caPEM, pingServer(t).Listener.Addr().String())

	waitState := func(s *standin, want string, within time.Duration) {
		eventually(t, within, func() string {
			_, st := s.control("GET", "/clusters/"+id, nil)
			if st["state"] != want {
				return fmt.Sprintf("state %v", st["state"])
			}
			return ""
		})
	}
	waitState(s1, "active", 15*time.Second)
	s1.stop()

	// The stored state is shown until the checkers run (as in Rancher): the
	// first ping finds no session (unavailable), then the agent comes back.
	s2 := startStandin(t, dir, "--listen", addr)
	waitState(s2, "unavailable", 5*time.Second)
	eventually(t, 20*time.Second, func() string {
		_, st := s2.control("GET", "/clusters/"+id, nil)
		ctl := st["controllers"].(map[string]any)
		if st["state"] != "active" || st["hasMainSession"] != true || ctl["pingSuccesses"].(float64) < 1 || ctl["nodeLists"].(float64)+ctl["nodeWatches"].(float64) < 1 {
			return fmt.Sprintf("state %v main %v controllers %v", st["state"], st["hasMainSession"], ctl)
		}
		if st["nodeCount"] != float64(2) {
			return fmt.Sprintf("nodeCount %v", st["nodeCount"])
		}
		return ""
	})
}
