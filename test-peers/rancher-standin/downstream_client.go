package main

// How Rancher talks to an imported cluster's API (pkg/dialer/factory.go,
// clustermanager ToRESTConfig): every connection is a remotedialer Connect
// "tcp/<address>" on the cluster's main session, wrapped in TLS 1.2+ with
// ALPN http/1.1, verified against the caCert the agent sent and the host part
// of the address as server name, authenticated with the agent's bearer token.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rancher/remotedialer"
)

type Downstream struct {
	clusterID string
	address   string // host:port, as sent in the tunnel params
	token     string
	client    *http.Client
	transport *http.Transport
}

// caPoolFromParam accepts the agent's caCert: base64 of a PEM bundle
// (what the real agent sends) or, leniently, the PEM itself.
func caPoolFromParam(caCert string) (*x509.CertPool, error) {
	pemBytes := []byte(caCert)
	if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(caCert)); err == nil {
		pemBytes = raw
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		return nil, errors.New("caCert contains no PEM certificate")
	}
	return pool, nil
}

func NewDownstream(tunnel *remotedialer.Server, c Cluster) (*Downstream, error) {
	address := strings.TrimPrefix(c.APIEndpoint, "https://")
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("apiEndpoint %q: %w", c.APIEndpoint, err)
	}
	pool, err := caPoolFromParam(c.CACert)
	if err != nil {
		return nil, err
	}
	tlsConf := &tls.Config{RootCAs: pool, ServerName: host, NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12}
	dial := tunnel.Dialer(c.ID)
	tr := &http.Transport{
		DialTLSContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			raw, err := dial(ctx, "tcp", address)
			if err != nil {
				return nil, err
			}
			tc := tls.Client(raw, tlsConf.Clone())
			if err := tc.HandshakeContext(ctx); err != nil {
				_ = raw.Close()
				return nil, fmt.Errorf("TLS to %s through tunnel: %w", address, err)
			}
			return tc, nil
		},
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
	return &Downstream{clusterID: c.ID, address: address, token: c.ServiceAccountToken, transport: tr, client: &http.Client{Transport: tr}}, nil
}

func (d *Downstream) Close() { d.transport.CloseIdleConnections() }

// Do sends one request to the downstream API; body, when not nil, is JSON-encoded.
func (d *Downstream) Do(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = strings.NewReader(string(raw))
	}
	req, err := http.NewRequestWithContext(ctx, method, "https://"+d.address+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "rancher-standin/"+serverVersion)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return d.client.Do(req)
}

// apiError is a non-2xx answer from the downstream API.
type apiError struct {
	Status int
	Body   string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("downstream API answered %d: %s", e.Status, truncate(e.Body, 300))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// GetJSON fetches path and decodes a 2xx answer into out.
func (d *Downstream) GetJSON(ctx context.Context, path string, out any) error {
	return d.call(ctx, http.MethodGet, path, nil, out)
}

func (d *Downstream) call(ctx context.Context, method, path string, body, out any) error {
	resp, err := d.Do(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &apiError{Status: resp.StatusCode, Body: string(raw)}
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func isStatus(err error, status int) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == status
}
