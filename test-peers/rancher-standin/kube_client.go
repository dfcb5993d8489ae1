package main

// The client-go clients Rancher's controllers use for a downstream cluster.
//
// rancher:pkg/clustermanager/manager.go ToRESTConfig builds one rest.Config
// per cluster: Host = status.apiEndpoint, BearerToken = the agent's service
// account token, CAData = the agent's caCert plus "\n"+clusterID (so
// client-go's TLS transport cache keeps clusters apart), NextProtos
// ["http/1.1"], Timeout 45s, no rate limit, UserAgent
// "<client-go default> cluster <id>", and a WrapTransport that replaces the
// transport's DialContext with the cluster's tunnel dialer. It sets no
// ContentType.
//
// rancher:pkg/types/config/context.go NewUserContext then makes two kinds of
// client from it:
//   - K8sClient = kubernetes.NewForConfig(config): client-go's typed clients
//     with ContentType unset. Since client-go 1.33 (gentype PrefersProtobuf,
//     rest.Request.UseProtobufAsDefault) such a client sends built-in types as
//     "Content-Type: application/vnd.kubernetes.protobuf" and asks
//     "Accept: application/vnd.kubernetes.protobuf,application/json".
//     Rancher uses it for the impersonation token Secret
//     (pkg/serviceaccounttoken EnsureSecretForServiceAccount), the
//     kube-system check (clustermanager doStart, healthsyncer IsAPIUp) and
//     discovery (/version).
//   - the lasso/wrangler controller clients (Corew, RBACw, norman Core/RBAC)
//     built on enableProtobuf(config): ContentType "application/json",
//     AcceptContentTypes "application/vnd.kubernetes.protobuf, application/json".
//     Rancher uses those for the impersonation Namespace, ServiceAccount,
//     ClusterRole and ClusterRoleBinding, the CRTB ClusterRole/Binding and
//     the node informer (list+watch).
// The stand-in builds both from the same rest.Config, so the wire is the
// same: --write-content-type=rancher (default) follows that split;
// "protobuf" sends every write as protobuf, "json" every write (and read) as
// JSON, for debugging an agent one step at a time.

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rancher/remotedialer"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
)

const (
	contentTypeProtobuf = "application/vnd.kubernetes.protobuf"
	contentTypeJSON     = "application/json"
	// What rancher:pkg/types/config/context.go enableProtobuf sets.
	wranglerAcceptContentTypes = "application/vnd.kubernetes.protobuf, application/json"
)

// KubeClients are one cluster's client-go clients, all dialling through the
// cluster's main tunnel.
type KubeClients struct {
	Config *rest.Config
	// Typed is Rancher's K8sClient: protobuf bodies and Accept (or JSON with
	// --write-content-type=json).
	Typed kubernetes.Interface
	// Wrangler is what Rancher's lasso/wrangler clients send: JSON bodies,
	// Accept protobuf then JSON (protobuf bodies with
	// --write-content-type=protobuf, plain JSON with =json).
	Wrangler kubernetes.Interface
}

// clusterRESTConfig is ToRESTConfig for an imported cluster.
func clusterRESTConfig(tunnel *remotedialer.Server, c Cluster) (*rest.Config, error) {
	u, err := url.Parse(c.APIEndpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("apiEndpoint %q: not a URL", c.APIEndpoint)
	}
	caBytes, err := base64.StdEncoding.DecodeString(strings.TrimSpace(c.CACert))
	if err != nil {
		// The real agent always sends base64; accept a bare PEM too (tests).
		caBytes = []byte(c.CACert)
	}
	if _, err := caPoolFromParam(c.CACert); err != nil {
		return nil, err
	}
	dial := tunnel.Dialer(c.ID)
	clusterDialer := func(ctx context.Context, network, address string) (net.Conn, error) {
		return dial(ctx, network, address)
	}
	return &rest.Config{
		Host:        u.String(),
		BearerToken: c.ServiceAccountToken,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:     append(append([]byte(nil), caBytes...), []byte("\n"+c.ID)...),
			NextProtos: []string{"http/1.1"},
		},
		Timeout:     45 * time.Second,
		RateLimiter: flowcontrol.NewFakeAlwaysRateLimiter(),
		UserAgent:   rest.DefaultKubernetesUserAgent() + " cluster " + c.ID,
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
			// client-go 1.36 hands over its cached transport wrapped
			// (ClientsAllowTLSCacheGC, beta and on by default, wraps it in a
			// trackedTransport): a bare rt.(*http.Transport), as Rancher's
			// ToRESTConfig is written, would not match and the client would
			// dial the cluster's address directly. Unwrap to the transport.
			if ht := innerHTTPTransport(rt); ht != nil {
				ht.DialContext = clusterDialer
				// The tunnel is the route; an HTTPS_PROXY in the environment
				// must not turn the request into a CONNECT through it.
				ht.Proxy = nil
			}
			return rt
		},
	}, nil
}

// innerHTTPTransport unwraps utilnet.RoundTripperWrapper layers down to the
// *http.Transport, if there is one.
func innerHTTPTransport(rt http.RoundTripper) *http.Transport {
	for i := 0; rt != nil && i < 10; i++ {
		switch t := rt.(type) {
		case *http.Transport:
			return t
		case utilnet.RoundTripperWrapper:
			rt = t.WrappedRoundTripper()
		default:
			return nil
		}
	}
	return nil
}

// NewKubeClients builds the typed and wrangler-style clientsets for a cluster.
func NewKubeClients(tunnel *remotedialer.Server, c Cluster, writeContentType string) (*KubeClients, error) {
	cfg, err := clusterRESTConfig(tunnel, c)
	if err != nil {
		return nil, err
	}
	typedCfg := rest.CopyConfig(cfg)
	wranglerCfg := rest.CopyConfig(cfg)
	wranglerCfg.AcceptContentTypes = wranglerAcceptContentTypes
	wranglerCfg.ContentType = contentTypeJSON
	switch writeContentType {
	case "protobuf":
		wranglerCfg.ContentType = contentTypeProtobuf
	case "json":
		typedCfg.ContentType = contentTypeJSON
		typedCfg.AcceptContentTypes = contentTypeJSON
		wranglerCfg.AcceptContentTypes = contentTypeJSON
	}
	typed, err := kubernetes.NewForConfig(typedCfg)
	if err != nil {
		return nil, err
	}
	wr, err := kubernetes.NewForConfig(wranglerCfg)
	if err != nil {
		return nil, err
	}
	return &KubeClients{Config: cfg, Typed: typed, Wrangler: wr}, nil
}

// Close drops the idle connections of the clients' (cached) transport, so
// the next request dials the tunnel afresh.
func (k *KubeClients) Close() {
	if rt, err := rest.TransportFor(k.Config); err == nil {
		utilnet.CloseIdleConnectionsFor(rt)
	}
}
