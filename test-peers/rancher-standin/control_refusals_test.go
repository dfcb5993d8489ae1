package main

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestTargetedTunnelRefusals(t *testing.T) {
	s := startStandin(t, "")
	a, b := s.createCluster("refused"), s.createCluster("spared")
	tokA, tokB := s.createToken(a)["token"].(string), s.createToken(b)["token"].(string)
	ca := base64.StdEncoding.EncodeToString([]byte(s.CAPEM))
	dialer := &websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: s.CAPool}, HandshakeTimeout: 5 * time.Second}
	wsURL := strings.Replace(s.URL, "https://", "wss://", 1)
	steve := func(tok string) http.Header {
		h := http.Header{}
		h.Set("Authorization", "Bearer stv-cluster-"+tok)
		return h
	}
	mainTunnel := func(tok string) http.Header {
		h := http.Header{}
		h.Set(headerTunnelToken, tok)
		h.Set(headerTunnelParams, tunnelParamsHeader("127.0.0.1:6443", "sa-token", ca))
		return h
	}
	// dial answers "" when the upgrade is accepted, else "<code> <body>".
	dial := func(h http.Header) string {
		conn, resp, err := dialer.Dial(wsURL+"/v3/connect", h)
		if err == nil {
			conn.Close()
			return ""
		}
		if resp == nil {
			return err.Error()
		}
		body, _ := io.ReadAll(resp.Body)
		return http.StatusText(resp.StatusCode) + " " + string(body)
	}

	for _, bad := range []map[string]any{
		{"seconds": 5, "mode": "402"},
		{"seconds": 5, "mode": "401", "kind": "both"},
		{"seconds": 5, "mode": "503", "clusters": []string{a}},
	} {
		if code, _ := s.control("POST", "/refuse-tunnels", bad); code != 400 {
			t.Errorf("bad body %v: %d, want 400", bad, code)
		}
	}

	if code, _ := s.control("POST", "/refuse-tunnels", map[string]any{"seconds": 30, "mode": "401", "kind": "steve", "clusters": []string{a}}); code != 200 {
		t.Fatalf("refuse steve: %d", code)
	}
	if code, _ := s.control("POST", "/refuse-tunnels", map[string]any{"seconds": 30, "mode": "400", "kind": "main", "clusters": []string{a}}); code != 200 {
		t.Fatalf("refuse main: %d", code)
	}
	if got := dial(steve(tokA)); got != "Unauthorized failed authentication" {
		t.Errorf("refused cluster's Steve tunnel: %q", got)
	}
	if got := dial(mainTunnel(tokA)); got != "Bad Request cluster not found" {
		t.Errorf("refused cluster's main tunnel: %q", got)
	}
	if got := dial(steve(tokB)) + dial(mainTunnel(tokB)); got != "" {
		t.Errorf("other cluster refused: %q", got)
	}
	// Rancher still has the refused cluster: only its tunnels are refused.
	if code, _ := s.api("GET", "/v3/clusters/"+a, nil); code != 200 {
		t.Errorf("GET refused cluster: %d", code)
	}
	_, sum := s.control("GET", "/summary", nil)
	rejected := sum["tunnels"].(map[string]any)["rejected"].(map[string]any)
	if rejected["400"] != 1.0 || rejected["401"] != 1.0 {
		t.Errorf("rejected counters: %v", rejected)
	}

	if code, _ := s.control("POST", "/refuse-tunnels", map[string]any{"seconds": 0, "mode": "401"}); code != 200 {
		t.Fatalf("end refusals: %d", code)
	}
	if got := dial(steve(tokA)) + dial(mainTunnel(tokA)); got != "" {
		t.Errorf("after the refusals ended: %q", got)
	}

	// A short window ends by itself.
	s.control("POST", "/refuse-tunnels", map[string]any{"seconds": 0.3, "mode": "401"})
	if got := dial(steve(tokB)); got != "Unauthorized failed authentication" {
		t.Errorf("refusal for every cluster: %q", got)
	}
	time.Sleep(400 * time.Millisecond)
	if got := dial(steve(tokB)); got != "" {
		t.Errorf("after the window: %q", got)
	}
}

func TestFailingAPI(t *testing.T) {
	s := startStandin(t, "")
	id := s.createCluster("api")
	if code, _ := s.control("POST", "/fail-api", map[string]any{"seconds": 1, "code": 404}); code != 400 {
		t.Errorf("a non-5xx code: %d, want 400", code)
	}
	if code, _ := s.control("POST", "/fail-api", map[string]any{"seconds": 0.5}); code != 200 {
		t.Fatalf("fail-api: %d", code)
	}
	code, res := s.api("GET", "/v3/clusters/"+id, nil)
	if code != 503 || res["code"] != "ServiceUnavailable" {
		t.Errorf("v3 while failing: %d %v", code, res)
	}
	// Unauthenticated endpoints and the tunnels' authorizer are not the v3 API.
	if code, _ := s.do("GET", s.URL+"/v3/settings/cacerts", nil, ""); code != 200 {
		t.Errorf("cacerts while failing: %d", code)
	}
	time.Sleep(600 * time.Millisecond)
	if code, _ := s.api("GET", "/v3/clusters/"+id, nil); code != 200 {
		t.Errorf("v3 after the window: %d", code)
	}
}

func TestTamperedCACerts(t *testing.T) {
	s := startStandin(t, "")
	if code, _ := s.control("POST", "/tamper-cacerts", map[string]any{}); code != 400 {
		t.Errorf("no value: %d, want 400", code)
	}
	other := "-----BEGIN CERTIFICATE-----\nnot the stand-in's CA\n-----END CERTIFICATE-----"
	if code, _ := s.control("POST", "/tamper-cacerts", map[string]any{"value": other}); code != 200 {
		t.Fatalf("tamper: %d", code)
	}
	_, cacerts := s.do("GET", s.URL+"/v3/settings/cacerts", nil, "")
	if cacerts["value"] != other {
		t.Errorf("tampered cacerts: %v", cacerts["value"])
	}
	// The manifests keep naming the real CA: an agent's check now fails.
	_, info := s.control("GET", "/info", nil)
	if sum := sha256.Sum256([]byte(other + "\n")); info["caChecksum"] == hex.EncodeToString(sum[:]) {
		t.Error("the manifest checksum followed the tampered value")
	}
	s.control("POST", "/tamper-cacerts", map[string]any{"value": ""})
	if _, cacerts := s.do("GET", s.URL+"/v3/settings/cacerts", nil, ""); cacerts["value"] != strings.TrimRight(s.CAPEM, "\n") {
		t.Errorf("real CA again: %v", cacerts["value"])
	}
}
