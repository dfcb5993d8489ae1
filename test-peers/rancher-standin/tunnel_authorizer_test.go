package main

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func tunnelParamsHeader(address, token, caCert string) string {
	raw, _ := json.Marshal(map[string]any{"cluster": map[string]string{"address": address, "caCert": caCert, "token": token}})
	return base64.StdEncoding.EncodeToString(raw)
}

func TestTunnelAuthorizerAnswers(t *testing.T) {
	s := startStandin(t, "")
	id := s.createCluster("auth")
	tok := s.createToken(id)["token"].(string)
	ca := base64.StdEncoding.EncodeToString([]byte(s.CAPEM))

	cases := []struct {
		name     string
		path     string
		headers  map[string]string
		wantCode int
		wantBody string
	}{
		{"no credentials", "/v3/connect", nil, 401, "failed authentication"},
		{"unknown steve token", "/v3/connect", map[string]string{"Authorization": "Bearer stv-cluster-nope"}, 401, "failed authentication"},
		{"api token is not a tunnel credential", "/v3/connect", map[string]string{"Authorization": "Bearer " + testAdminToken}, 401, "failed authentication"},
		{"unknown registration token", "/v3/connect/register", map[string]string{headerTunnelToken: "nope", headerTunnelParams: tunnelParamsHeader("127.0.0.1:1", "t", ca)}, 400, "cluster not found"},
		{"empty address", "/v3/connect/register", map[string]string{headerTunnelToken: tok, headerTunnelParams: tunnelParamsHeader("", "t", ca)}, 400, "invalid input, address empty"},
		{"empty token", "/v3/connect", map[string]string{headerTunnelToken: tok, headerTunnelParams: tunnelParamsHeader("127.0.0.1:1", "", ca)}, 400, "invalid input, token empty"},
		{"empty caCert", "/v3/connect", map[string]string{headerTunnelToken: tok, headerTunnelParams: tunnelParamsHeader("127.0.0.1:1", "t", "")}, 400, "invalid input, caCert empty"},
		{"params not base64", "/v3/connect", map[string]string{headerTunnelToken: tok, headerTunnelParams: "%%%"}, 400, "illegal base64"},
		// The chain returns the first error even when another member merely declined.
		{"unknown steve and unknown tunnel token", "/v3/connect", map[string]string{"Authorization": "Bearer stv-cluster-nope", headerTunnelToken: "nope"}, 400, "cluster not found"},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest("GET", s.URL+tc.path, nil)
		for k, v := range tc.headers {
			req.Header.Set(k, v)
		}
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.wantCode || !strings.Contains(string(body), tc.wantBody) {
			t.Errorf("%s: got %d %q, want %d %q", tc.name, resp.StatusCode, body, tc.wantCode, tc.wantBody)
		}
	}

	// Accepted: both tunnels upgrade, and the main one records the cluster's endpoint.
	dialer := &websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: s.CAPool}, HandshakeTimeout: 5 * time.Second}
	wsURL := strings.Replace(s.URL, "https://", "wss://", 1)
	h := http.Header{}
	h.Set(headerTunnelToken, tok)
	h.Set(headerTunnelParams, tunnelParamsHeader("127.0.0.1:6443", "sa-token", ca))
	mainConn, resp, err := dialer.Dial(wsURL+"/v3/connect/register", h)
	if err != nil {
		t.Fatalf("main tunnel: %v (%v)", err, resp)
	}
	defer mainConn.Close()
	sh := http.Header{}
	sh.Set("Authorization", "Bearer stv-cluster-"+tok)
	steveConn, _, err := dialer.Dial(wsURL+"/v3/connect", sh)
	if err != nil {
		t.Fatalf("steve tunnel: %v", err)
	}
	defer steveConn.Close()

	eventually(t, 3*time.Second, func() string {
		_, st := s.control("GET", "/clusters/"+id, nil)
		if st["hasMainSession"] != true || st["hasSteveSession"] != true {
			return "sessions not registered"
		}
		return ""
	})
	_, c := s.api("GET", "/v3/clusters/"+id, nil)
	if c["driver"] != "imported" || c["apiEndpoint"] != "https://127.0.0.1:6443" || c["caCert"] != ca {
		t.Fatalf("cluster after connect: driver %v endpoint %v", c["driver"], c["apiEndpoint"])
	}
	if c["state"] != "waiting" {
		t.Fatalf("state after connect: %v", c["state"])
	}

	// Refusal: the control API makes new tunnels fail with 503 for a while.
	if code, _ := s.control("POST", "/refuse-tunnels", map[string]any{"seconds": 1}); code != 200 {
		t.Fatalf("refuse: %d", code)
	}
	if _, resp, err := dialer.Dial(wsURL+"/v3/connect", sh); err == nil || resp == nil || resp.StatusCode != 503 {
		t.Fatalf("refused dial: %v %v", err, resp)
	}
	time.Sleep(1100 * time.Millisecond)
	c2, _, err := dialer.Dial(wsURL+"/v3/connect", sh)
	if err != nil {
		t.Fatalf("after refusal window: %v", err)
	}
	c2.Close()
}
