package main

// /k8s/clusters/<id>/... on the HTTPS API, as Rancher serves it:
//
//   - authentication (pkg/auth/requests): the admin token, or a system token
//     clusterdeploy made, in Authorization (Bearer or Basic) or the R_SESS
//     cookie; else 401 "must authenticate" (norman error JSON);
//   - NewAuthenticatedFilter (pkg/auth/requests/filter.go) replaces any
//     Impersonate-* header by the user's: Impersonate-User <user id>,
//     Impersonate-Group system:authenticated and system:cattle:authenticated,
//     Impersonate-Extra-requesttokenid / -requesthost / -principalid /
//     -username;
//   - /k8s/clusters/<id>/v1/... goes to Steve (pkg/api/steve/proxy/proxy.go):
//     Connect "tcp/127.0.0.1:6080" on the stv-cluster-<id> session (retried
//     for 15 s while the session is missing), plain HTTP, the prefix
//     stripped, X-API-URL-Prefix: /k8s/clusters/<id>, the impersonation
//     headers, no Authorization;
//   - everything else (pkg/clusterrouter/proxy/proxy_server.go): the prefix
//     stripped, forwarded through the cluster's main tunnel (Connect
//     "tcp/<apiEndpoint host:port>") over TLS verified with the agent's CA,
//     with Authorization: Bearer <the user's impersonation service account
//     token> (pkg/impersonation GetToken: created on first use); the
//     request's Host header is kept, as Rancher's UpgradeAwareHandler keeps
//     it. Impersonation errors answer 500 "unable to create impersonator
//     account: ...", transport errors 500 with the error text.
//   - an unknown cluster: 404 with Rancher's router body
//     {"Code":{"Code":"NotFound","Status":404},"Message":"No cluster available",...};
//     a cluster that is not provisioned: 500 "ClusterUnavailable 503: cluster
//     not provisioned".

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"
)

// routerResponse is clusterrouter's response(): the APIError struct
// encoded as is, after WriteHeader (so without a JSON content type).
func routerResponse(w http.ResponseWriter, status int, code, message string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"Code": map[string]any{"Code": code, "Status": status}, "Message": message, "Cause": nil, "FieldName": "",
	})
}

// errorResponder is proxy_server.go's: 500 and the error text.
func proxyError(w http.ResponseWriter, err error) {
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(err.Error()))
}

// proxyUser authenticates a /k8s/clusters request.
func (a *App) proxyUser(r *http.Request, c Cluster) (rancherUser, apiToken, bool) {
	tok, ok := a.tokens.Lookup(tokenFromRequest(r), true)
	if !ok {
		return rancherUser{}, apiToken{}, false
	}
	if tok.ClusterID != "" && tok.ClusterID != c.ID {
		return rancherUser{}, apiToken{}, false // "clusterID does not match"
	}
	u, ok := a.userByID(c, tok.UserID)
	return u, tok, ok
}

func (a *App) handleK8sProxy(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/k8s/clusters/")
	id, sub, _ := strings.Cut(rest, "/")
	sub = "/" + sub
	c, found := a.store.Get(id)
	if _, ok := a.tokens.Lookup(tokenFromRequest(r), true); !ok {
		writeNormanError(w, http.StatusUnauthorized, "Unauthorized", "must authenticate", "")
		return
	}
	if !found || c.Removing {
		routerResponse(w, http.StatusNotFound, "NotFound", "No cluster available")
		return
	}
	u, tok, ok := a.proxyUser(r, c)
	if !ok {
		writeNormanError(w, http.StatusUnauthorized, "Unauthorized", "must authenticate", "")
		return
	}
	if !conditionIs(c.Conditions, condProvisioned, "True") {
		routerResponse(w, http.StatusInternalServerError, "ServerError", "ClusterUnavailable 503: cluster not provisioned")
		return
	}
	cm := a.managers.get(id)
	if cm == nil {
		routerResponse(w, http.StatusInternalServerError, "ServerError", "ClusterUnavailable 503: cluster not found")
		return
	}
	cm.record(func(rt *ManagerRuntime) { rt.ProxyRequests++ })
	identity := identityFor(u, tok.Name, r.Host)
	prefix := "/k8s/clusters/" + id
	if sub == "/v1" || strings.HasPrefix(sub, "/v1/") {
		a.proxySteve(w, r, cm, prefix, sub, identity)
		return
	}
	a.proxyKube(w, r, cm, c, u, sub, identity)
}

func (cm *clusterManager) proxyFailed(err error) {
	cm.record(func(rt *ManagerRuntime) { rt.ProxyErrors++; rt.LastProxyError = err.Error() })
}

func (a *App) proxyKube(w http.ResponseWriter, r *http.Request, cm *clusterManager, c Cluster, u rancherUser, sub string, identity requestIdentity) {
	target, err := url.Parse(c.APIEndpoint)
	if err != nil {
		proxyError(w, err)
		return
	}
	transport, err := cm.proxyTransport(c)
	if err != nil {
		cm.proxyFailed(err)
		proxyError(w, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
	token, err := cm.impersonator.GetToken(ctx, u)
	cancel()
	if err != nil {
		err = fmt.Errorf("unable to create impersonator account: %w", err)
		cm.proxyFailed(err)
		cm.a.log.Warn("k8s proxy", "cluster", cm.id, "err", err)
		proxyError(w, err)
		return
	}
	setImpersonationHeaders(r.Header, identity)
	r.Header.Set("Authorization", "Bearer "+token)
	rp := &httputil.ReverseProxy{
		Director: func(out *http.Request) {
			out.URL.Scheme = "https"
			out.URL.Host = target.Host
			out.URL.Path = sub
			out.URL.RawPath = ""
			out.URL.RawQuery = r.URL.RawQuery
		},
		Transport: transport,
		ModifyResponse: func(resp *http.Response) error {
			if resp.StatusCode == http.StatusUnauthorized {
				// the token may be stale (secret recreated downstream)
				cm.impersonator.forget(u.ID)
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			cm.proxyFailed(err)
			proxyError(w, err)
		},
	}
	rp.ServeHTTP(w, r)
}

// proxyTransport is RemoteService.getTransport: TLS with the agent's CA
// (server name from the URL), dialled through the cluster's tunnel; rebuilt
// when the CA changes.
func (cm *clusterManager) proxyTransport(c Cluster) (http.RoundTripper, error) {
	pool, err := caPoolFromParam(c.CACert)
	if err != nil {
		return nil, err
	}
	cm.dsMu.Lock()
	defer cm.dsMu.Unlock()
	if cm.proxyTr != nil && cm.proxyCA == c.CACert {
		return cm.proxyTr, nil
	}
	if cm.proxyTr != nil {
		cm.proxyTr.CloseIdleConnections()
	}
	dial := cm.a.tunnel.Dialer(cm.id)
	cm.proxyTr = &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			return dial(ctx, network, address)
		},
		IdleConnTimeout: 90 * time.Second,
	}
	cm.proxyCA = c.CACert
	return cm.proxyTr, nil
}

// proxySteve forwards /k8s/clusters/<id>/v1/... to the agent's Steve.
func (a *App) proxySteve(w http.ResponseWriter, r *http.Request, cm *clusterManager, prefix, sub string, identity requestIdentity) {
	key := steveKeyPrefix + cm.id
	dial := a.tunnel.Dialer(key)
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var conn net.Conn
			var err error
			for i := 0; i < 15; i++ {
				conn, err = dial(ctx, network, "127.0.0.1:6080")
				if err == nil || !strings.Contains(err.Error(), "failed to find Session for client") || i == 14 {
					break
				}
				if !sleepCtx(ctx, time.Second) {
					return nil, ctx.Err()
				}
			}
			if err != nil {
				return nil, fmt.Errorf("lost connection to cluster: %w", err)
			}
			return conn, nil
		},
		DisableKeepAlives: true,
	}
	r.Header.Del("Authorization")
	setImpersonationHeaders(r.Header, identity)
	r.Header.Set("X-API-URL-Prefix", prefix)
	// steve's pkg/proxy: the scheme the user came in with, so Steve's links point back at Rancher.
	if r.TLS != nil {
		r.Header.Set("X-Forwarded-Proto", "https")
	}
	host := r.Host
	rp := &httputil.ReverseProxy{
		Director: func(out *http.Request) {
			out.URL.Scheme = "http"
			out.URL.Host = cm.id
			out.URL.Path = sub
			out.URL.RawPath = ""
			out.URL.RawQuery = r.URL.RawQuery
			// Rancher's proxy keeps the user's Host (upgradeaware, UseLocationHost false): Steve builds links from it.
			out.Host = host
		},
		Transport: tr,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			cm.proxyFailed(err)
			proxyError(w, err)
		},
	}
	rp.ServeHTTP(w, r)
}
