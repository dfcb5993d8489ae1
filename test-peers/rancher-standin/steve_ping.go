package main

// The clusterconnected probe: a plain HTTP GET http://not-used/ping over a
// fresh remotedialer Connect "tcp/not-used:80" on the stv-cluster-<id>
// session (the agent's Steve serves every Connect in-process).

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

func (a *App) pingSteve(ctx context.Context, clusterID string) error {
	key := steveKeyPrefix + clusterID
	if !a.tunnel.HasSession(key) {
		return fmt.Errorf("no %s session", key)
	}
	dial := a.tunnel.Dialer(key)
	client := &http.Client{
		Transport: &http.Transport{
			DialContext:       func(ctx context.Context, network, addr string) (net.Conn, error) { return dial(ctx, network, addr) },
			DisableKeepAlives: true,
		},
		Timeout: max(2*time.Second, min(15*time.Second, a.cfg.PingInterval)),
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://not-used/ping", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("ping answered %d", resp.StatusCode)
	}
	return nil
}
