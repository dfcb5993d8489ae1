package main

import (
	"crypto/tls"
	"net/http"
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
