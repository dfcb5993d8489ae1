package main

// Rancher's tunnel authorizer chain (pkg/tunnelserver/chain.go): the first
// authorizer that authenticates wins; otherwise the first error becomes a
// 400 (remotedialer writes err.Error() as the body), and no answer at all
// becomes a 401 "failed authentication".

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

const (
	headerTunnelToken  = "X-API-Tunnel-Token"
	headerTunnelParams = "X-API-Tunnel-Params"
	steveKeyPrefix     = "stv-cluster-"
)

var errClusterNotFound = errors.New("cluster not found")

type tunnelAuthorizer func(req *http.Request) (clientKey string, authed bool, err error)

func chainAuthorizers(auths ...tunnelAuthorizer) tunnelAuthorizer {
	return func(req *http.Request) (string, bool, error) {
		var firstErr error
		for _, auth := range auths {
			key, ok, err := auth(req)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			if ok {
				return key, true, nil
			}
		}
		return "", false, firstErr
	}
}

// authorizeSteve is pkg/api/steve/proxy/auth.go: "Bearer stv-cluster-<token>"
// where token is some registration token; the session key is
// stv-cluster-<clusterId>. Unknown tokens are simply not authenticated (401).
func (a *App) authorizeSteve(req *http.Request) (string, bool, error) {
	auth := req.Header.Get("Authorization")
	bearer, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		return "", false, nil
	}
	token, ok := strings.CutPrefix(strings.TrimSpace(bearer), steveKeyPrefix)
	if !ok || token == "" {
		return "", false, nil
	}
	crt, found := a.store.TokenByValue(token)
	if !found {
		return "", false, nil
	}
	return steveKeyPrefix + crt.ClusterID, true, nil
}

// tunnelParams is the agent's X-API-Tunnel-Params document.
type tunnelParams struct {
	Cluster *struct {
		Address string `json:"address"`
		Token   string `json:"token"`
		CACert  string `json:"caCert"`
	} `json:"cluster"`
	Node json.RawMessage `json:"node"`
}

// authorizeClusterAgent is pkg/tunnelserver/mcmauthorizer AuthorizeTunnel
// for cluster agents: it records driver, apiEndpoint, caCert and the service
// account token on the cluster, and the session key is the cluster id.
func (a *App) authorizeClusterAgent(req *http.Request) (string, bool, error) {
	token := req.Header.Get(headerTunnelToken)
	if token == "" {
		return "", false, nil
	}
	crt, found := a.store.TokenByValue(token)
	if !found {
		return "", false, errClusterNotFound
	}
	if _, ok := a.store.Get(crt.ClusterID); !ok {
		return "", false, errClusterNotFound
	}
	raw, err := base64.StdEncoding.DecodeString(req.Header.Get(headerTunnelParams))
	if err != nil {
		return "", false, err
	}
	var params tunnelParams
	if err := json.Unmarshal(raw, &params); err != nil {
		return "", false, err
	}
	switch {
	case params.Cluster != nil:
		in := params.Cluster
		if in.Address == "" {
			return "", false, errors.New("invalid input, address empty")
		}
		if in.Token == "" {
			return "", false, errors.New("invalid input, token empty")
		}
		if in.CACert == "" {
			return "", false, errors.New("invalid input, caCert empty")
		}
		changed := false
		a.store.Update(crt.ClusterID, func(c *Cluster) bool {
			if c.Driver == "" {
				c.Driver = "imported"
			}
			endpoint := "https://" + in.Address
			changed = c.APIEndpoint != endpoint || c.CACert != in.CACert || c.ServiceAccountToken != in.Token
			c.APIEndpoint, c.CACert, c.ServiceAccountToken = endpoint, in.CACert, in.Token
			// What the provisioner does once the driver is known.
			setCondition(&c.Conditions, condProvisioned, "True", "", "")
			setCondition(&c.Conditions, condPending, "True", "", "")
			setCondition(&c.Conditions, condSAMigrated, "True", "", "")
			return true
		})
		if changed {
			a.managers.CredentialsChanged(crt.ClusterID)
		}
		return crt.ClusterID, true, nil
	case len(params.Node) > 0 && string(params.Node) != "null":
		return "", false, errors.New("node agents (RKE1) are not supported by the rancher stand-in")
	}
	return "", false, nil
}

// authKeyHolder lets the tunnel handler learn which client key the
// authorizer chose, so it can account the hijacked connection to it.
type authKeyHolder struct{ clientKey string }

type authKeyHolderCtx struct{}

func (a *App) tunnelAuthorize(req *http.Request) (string, bool, error) {
	key, ok, err := a.authChain(req)
	if h, _ := req.Context().Value(authKeyHolderCtx{}).(*authKeyHolder); h != nil && ok && err == nil {
		h.clientKey = key
	}
	return key, ok, err
}

func withAuthKeyHolder(req *http.Request) (*http.Request, *authKeyHolder) {
	h := &authKeyHolder{}
	return req.WithContext(context.WithValue(req.Context(), authKeyHolderCtx{}, h)), h
}
